import { describe, expect, test } from "bun:test";
import {
  baseName,
  decodeFiletime,
  decodeJobLimits,
  decodeTotalPhys,
  JOB_LIMIT,
  JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
  JOB_OBJECT_LIMIT_JOB_MEMORY,
  JOB_OBJECT_LIMIT_PROCESS_MEMORY,
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE,
  jobMemoryLimit,
  MEMORYSTATUSEX_SIZE,
  windowsMemoryLimits,
  decodeProcessEntry,
  decodeProcessMemoryCounters,
  decodeWideString,
  MAX_PATH,
  PROCESS_MEMORY_COUNTERS_SIZE,
  PROCESSENTRY32W_SIZE,
} from "../../../src/platform/windows/decode.ts";
import { array, C, Fixture, layout, struct } from "../c-layout.ts";

// Fixture buffers laid out per the Windows SDK headers on x64 (psapi.h, tlhelp32.h,
// minwinbase.h; offsets in src/platform/windows/decode.ts, checked against MinGW-w64's
// headers by test/system/wine/layouts.c). Every other byte is filled with junk, so that a
// decoder reading the wrong offset shows.

const JUNK = 0xa5;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function junk(size: number): DataView {
  return new DataView(new Uint8Array(size).fill(JUNK).buffer);
}

function memoryCounters(fields: { peakWs: number; ws: number; pagefile: number; peakPagefile: number; faults?: number }): DataView {
  const view = junk(PROCESS_MEMORY_COUNTERS_SIZE);
  view.setUint32(0, PROCESS_MEMORY_COUNTERS_SIZE, true); // cb
  view.setUint32(4, fields.faults ?? 1234, true); // PageFaultCount
  view.setBigUint64(8, BigInt(fields.peakWs), true); // PeakWorkingSetSize
  view.setBigUint64(16, BigInt(fields.ws), true); // WorkingSetSize
  // @24..@48: the four Quota*PoolUsage fields, left as junk.
  view.setBigUint64(56, BigInt(fields.pagefile), true); // PagefileUsage
  view.setBigUint64(64, BigInt(fields.peakPagefile), true); // PeakPagefileUsage
  return view;
}

function processEntry(fields: { pid: number; ppid: number; threads: number; name: string | Uint16Array }): DataView {
  const view = junk(PROCESSENTRY32W_SIZE);
  view.setUint32(0, PROCESSENTRY32W_SIZE, true); // dwSize
  view.setUint32(4, 0, true); // cntUsage
  view.setUint32(8, fields.pid, true); // th32ProcessID
  view.setBigUint64(16, 0n, true); // th32DefaultHeapID (after 4 bytes of padding at @12)
  view.setUint32(24, 0, true); // th32ModuleID
  view.setUint32(28, fields.threads, true); // cntThreads
  view.setUint32(32, fields.ppid, true); // th32ParentProcessID
  view.setInt32(36, 8, true); // pcPriClassBase: NORMAL_PRIORITY_CLASS's base priority
  view.setUint32(40, 0, true); // dwFlags
  const units = typeof fields.name === "string" ? utf16Units(fields.name) : fields.name;
  if (units.length > MAX_PATH) throw new Error("name too long for szExeFile");
  units.forEach((unit, i) => view.setUint16(44 + 2 * i, unit, true)); // szExeFile
  if (units.length < MAX_PATH) view.setUint16(44 + 2 * units.length, 0, true); // its NUL
  return view;
}

function utf16Units(text: string): Uint16Array {
  return Uint16Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
}

function filetime(low: number, high: number): DataView {
  const view = junk(16);
  view.setUint32(4, low, true); // dwLowDateTime, at offset 4 of the buffer
  view.setUint32(8, high, true); // dwHighDateTime
  return view;
}

describe("PROCESS_MEMORY_COUNTERS", () => {
  test("the four sizes and the fault count come from their offsets", () => {
    const view = memoryCounters({ peakWs: 300 * MiB, ws: 120 * MiB, pagefile: 90 * MiB, peakPagefile: 410 * MiB, faults: 98765 });
    expect(decodeProcessMemoryCounters(view)).toEqual({
      pageFaultCount: 98765,
      peakWorkingSetSize: 300 * MiB,
      workingSetSize: 120 * MiB,
      pagefileUsage: 90 * MiB,
      peakPagefileUsage: 410 * MiB,
    });
  });

  test("sizes past 4 GiB use the whole 64-bit SIZE_T", () => {
    const view = memoryCounters({ peakWs: 12 * GiB + 4096, ws: 5 * GiB, pagefile: 6 * GiB + 1, peakPagefile: 64 * GiB });
    expect(decodeProcessMemoryCounters(view)).toMatchObject({
      peakWorkingSetSize: 12 * GiB + 4096,
      workingSetSize: 5 * GiB,
      pagefileUsage: 6 * GiB + 1,
      peakPagefileUsage: 64 * GiB,
    });
  });

  test("a view inside a larger buffer is read from its own start", () => {
    const inner = memoryCounters({ peakWs: 7, ws: 6, pagefile: 5, peakPagefile: 4 });
    const outer = new Uint8Array(PROCESS_MEMORY_COUNTERS_SIZE + 16).fill(JUNK);
    outer.set(new Uint8Array(inner.buffer), 16);
    const view = new DataView(outer.buffer, 16, PROCESS_MEMORY_COUNTERS_SIZE);
    expect(decodeProcessMemoryCounters(view)).toMatchObject({ peakWorkingSetSize: 7, workingSetSize: 6, pagefileUsage: 5, peakPagefileUsage: 4 });
  });

  test("a short buffer decodes to nothing", () => {
    expect(decodeProcessMemoryCounters(junk(PROCESS_MEMORY_COUNTERS_SIZE - 1))).toBeUndefined();
  });
});

describe("PROCESSENTRY32W", () => {
  test("pid, parent, threads and an ASCII name", () => {
    const view = processEntry({ pid: 4812, ppid: 1024, threads: 3, name: "cmd.exe" });
    expect(decodeProcessEntry(view)).toEqual({ pid: 4812, ppid: 1024, threads: 3, name: "cmd.exe" });
  });

  test("pids past 2^31 stay unsigned", () => {
    const view = processEntry({ pid: 0xfffffffc, ppid: 0x80000000, threads: 1, name: "x.exe" });
    expect(decodeProcessEntry(view)).toMatchObject({ pid: 0xfffffffc, ppid: 0x80000000 });
  });

  test("a name with non-ASCII characters, one outside the BMP (a surrogate pair)", () => {
    const name = "Grüße-日本語-Ωmega-😀.exe";
    const view = processEntry({ pid: 8, ppid: 4, threads: 2, name });
    expect(decodeProcessEntry(view)?.name).toBe(name);
  });

  test("a full 260-character name with no NUL after it", () => {
    const name = `${"a".repeat(MAX_PATH - 5)}é.exe`;
    expect(name).toHaveLength(MAX_PATH);
    const view = processEntry({ pid: 9, ppid: 4, threads: 1, name });
    // Junk follows szExeFile (the tail padding): the decoder stops at 260 units.
    expect(decodeProcessEntry(view)?.name).toBe(name);
  });

  test("a 259-character name, the longest Windows writes (MAX_PATH with its NUL)", () => {
    const name = "b".repeat(MAX_PATH - 1);
    expect(decodeProcessEntry(processEntry({ pid: 10, ppid: 4, threads: 1, name }))?.name).toBe(name);
  });

  test("the System Idle Process: pid 0, parent 0, name [System Process]", () => {
    expect(decodeProcessEntry(processEntry({ pid: 0, ppid: 0, threads: 8, name: "[System Process]" }))).toEqual({
      pid: 0,
      ppid: 0,
      threads: 8,
      name: "[System Process]",
    });
  });

  test("an empty name", () => {
    expect(decodeProcessEntry(processEntry({ pid: 11, ppid: 4, threads: 1, name: "" }))?.name).toBe("");
  });

  test("a short buffer decodes to nothing", () => {
    expect(decodeProcessEntry(junk(PROCESSENTRY32W_SIZE - 4))).toBeUndefined();
  });
});

describe("decodeWideString", () => {
  test("stops at the end of the buffer when no NUL comes first", () => {
    const view = new DataView(new Uint8Array([0x41, 0, 0x42, 0, 0x43]).buffer); // "AB" and half a unit
    expect(decodeWideString(view, 0, 10)).toBe("AB");
  });
});

describe("baseName", () => {
  test("the file name of a full image path, as Toolhelp gives it", () => {
    expect(baseName("C:\\Windows\\System32\\cmd.exe")).toBe("cmd.exe");
    expect(baseName("\\\\?\\C:\\Très long\\日本.exe")).toBe("日本.exe");
    expect(baseName("Z:/tmp/x.exe")).toBe("x.exe");
    expect(baseName("plain.exe")).toBe("plain.exe");
  });
});

describe("FILETIME", () => {
  test("the Unix epoch is 0", () => {
    // 116444736000000000 = 0x019DB1DE_D53E8000
    expect(decodeFiletime(filetime(0xd53e8000, 0x019db1de), 4)).toBe(0);
  });

  test("a time of today, with the ticks as the fraction of a millisecond", () => {
    // 2024-01-01T00:00:00Z + 7 ticks (0.7 µs): 133485408000000007 = 0x01DA3C45_7689C007
    const ms = decodeFiletime(filetime(0x7689c007, 0x01da3c45), 4);
    expect(Math.floor(ms)).toBe(Date.UTC(2024, 0, 1));
    // Milliseconds since 1970 keep the fraction to about a quarter of a microsecond.
    expect(Math.abs(ms - Date.UTC(2024, 0, 1) - 0.0007)).toBeLessThan(0.00025);
  });

  test("times a microsecond apart stay apart; the same time gives the same stamp", () => {
    const a = decodeFiletime(filetime(0x7689c001, 0x01da3c45), 4);
    const b = decodeFiletime(filetime(0x7689c00b, 0x01da3c45), 4);
    expect(b).toBeGreaterThan(a);
    expect(decodeFiletime(filetime(0x7689c001, 0x01da3c45), 4)).toBe(a);
  });

  test("the low word carries into the high one", () => {
    // 0x01DA3C45_FFFFFFFF and the next tick, 0x01DA3C46_00000000
    const before = decodeFiletime(filetime(0xffffffff, 0x01da3c45), 4);
    const after = decodeFiletime(filetime(0x00000000, 0x01da3c46), 4);
    expect(after - before).toBeGreaterThanOrEqual(0);
    expect(after - before).toBeLessThan(0.00025);
    // 2^32 ticks later than 0x01DA3C45_00000000: 429.4967296 s.
    expect(after - decodeFiletime(filetime(0, 0x01da3c45), 4)).toBeCloseTo(429_496.7296, 3);
  });

  test("before 1970 (a zero FILETIME, as the idle process has) is negative", () => {
    expect(decodeFiletime(filetime(0, 0), 4)).toBe(-11_644_473_600_000);
  });
});

// The memory-limit structs, laid out from the headers' field lists (x64, LLP64: DWORD 4
// bytes; SIZE_T, ULONG_PTR, LARGE_INTEGER, DWORDLONG 8) by test/platform/c-layout.ts,
// independently of the offsets decode.ts hard-codes; test/system/wine/layouts.c checks the same
// offsets against MinGW-w64's winnt.h and sysinfoapi.h.
const DWORD = C.u32;
const SIZE_T = C.u64;

const memoryStatusEx = layout([
  ["dwLength", DWORD],
  ["dwMemoryLoad", DWORD],
  ["ullTotalPhys", C.u64],
  ["ullAvailPhys", C.u64],
  ["ullTotalPageFile", C.u64],
  ["ullAvailPageFile", C.u64],
  ["ullTotalVirtual", C.u64],
  ["ullAvailVirtual", C.u64],
  ["ullAvailExtendedVirtual", C.u64],
]);

const basicLimitInformation = layout([
  ["PerProcessUserTimeLimit", C.i64], // LARGE_INTEGER
  ["PerJobUserTimeLimit", C.i64],
  ["LimitFlags", DWORD],
  ["MinimumWorkingSetSize", SIZE_T],
  ["MaximumWorkingSetSize", SIZE_T],
  ["ActiveProcessLimit", DWORD],
  ["Affinity", C.ptr], // ULONG_PTR
  ["PriorityClass", DWORD],
  ["SchedulingClass", DWORD],
]);

const extendedLimitInformation = layout([
  ["BasicLimitInformation", struct(basicLimitInformation)],
  ["IoInfo", array(C.u64, 6)], // IO_COUNTERS: six ULONGLONGs
  ["ProcessMemoryLimit", SIZE_T],
  ["JobMemoryLimit", SIZE_T],
  ["PeakProcessMemoryUsed", SIZE_T],
  ["PeakJobMemoryUsed", SIZE_T],
]);

function memoryStatus(totalPhys: bigint): DataView {
  const fixture = new Fixture(memoryStatusEx, MEMORYSTATUSEX_SIZE, 0, new Uint8Array(MEMORYSTATUSEX_SIZE).fill(JUNK))
    .u32("dwLength", MEMORYSTATUSEX_SIZE)
    .u32("dwMemoryLoad", 42)
    .u64("ullTotalPhys", totalPhys)
    .u64("ullAvailPhys", totalPhys / 3n);
  return new DataView(fixture.bytes.buffer);
}

function jobLimits(fields: { flags: number; processLimit?: bigint; jobLimit?: bigint }): DataView {
  // Junk everywhere else, the limit fields included when not given: a decoder that reads a
  // limit whose flag is clear, or the wrong offset, shows.
  const bytes = new Uint8Array(JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE).fill(JUNK);
  const fixture = new Fixture(extendedLimitInformation, bytes.length, 0, bytes);
  new Fixture(basicLimitInformation, bytes.length, extendedLimitInformation.offsets.BasicLimitInformation, bytes).u32("LimitFlags", fields.flags);
  if (fields.processLimit !== undefined) fixture.u64("ProcessMemoryLimit", fields.processLimit);
  if (fields.jobLimit !== undefined) fixture.u64("JobMemoryLimit", fields.jobLimit);
  fixture.u64("PeakProcessMemoryUsed", 123n * BigInt(MiB)).u64("PeakJobMemoryUsed", 456n * BigInt(MiB));
  return new DataView(bytes.buffer);
}

const KILL_ON_JOB_CLOSE = 0x2000; // JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, as libuv sets on its job
const ACTIVE_PROCESS = 0x8; // JOB_OBJECT_LIMIT_ACTIVE_PROCESS

describe("layouts of the memory-limit structs", () => {
  test("MEMORYSTATUSEX: 64 bytes, ullTotalPhys at 8", () => {
    expect(memoryStatusEx.size).toBe(MEMORYSTATUSEX_SIZE);
    expect(MEMORYSTATUSEX_SIZE).toBe(64);
    expect(memoryStatusEx.offsets.ullTotalPhys).toBe(8);
  });

  test("JOBOBJECT_EXTENDED_LIMIT_INFORMATION: 144 bytes, LimitFlags at 16, the limits at 112 and 120", () => {
    expect(basicLimitInformation.size).toBe(64);
    expect(extendedLimitInformation.offsets.IoInfo).toBe(64);
    expect(extendedLimitInformation.size).toBe(JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE);
    expect(JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE).toBe(144);
    expect(basicLimitInformation.offsets.LimitFlags).toBe(JOB_LIMIT.LimitFlags);
    expect(extendedLimitInformation.offsets.ProcessMemoryLimit).toBe(JOB_LIMIT.ProcessMemoryLimit);
    expect(extendedLimitInformation.offsets.JobMemoryLimit).toBe(JOB_LIMIT.JobMemoryLimit);
    expect(JOB_LIMIT).toEqual({ LimitFlags: 16, ProcessMemoryLimit: 112, JobMemoryLimit: 120 });
    expect([JOB_OBJECT_LIMIT_PROCESS_MEMORY, JOB_OBJECT_LIMIT_JOB_MEMORY, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS]).toEqual([0x100, 0x200, 9]);
  });
});

describe("MEMORYSTATUSEX", () => {
  test("ullTotalPhys, whole past 2^32", () => {
    expect(decodeTotalPhys(memoryStatus(16n * BigInt(GiB)))).toBe(16 * GiB);
    expect(decodeTotalPhys(memoryStatus(2n ** 32n + 4096n))).toBe(2 ** 32 + 4096);
    expect(decodeTotalPhys(memoryStatus(3n * BigInt(GiB)))).toBe(3 * GiB);
  });

  test("a short buffer or a total of 0 is no answer", () => {
    expect(decodeTotalPhys(junk(MEMORYSTATUSEX_SIZE - 1))).toBeUndefined();
    expect(decodeTotalPhys(memoryStatus(0n))).toBeUndefined();
  });
});

describe("JOBOBJECT_EXTENDED_LIMIT_INFORMATION", () => {
  test("no memory flag: no limit, whatever the fields hold", () => {
    const view = jobLimits({ flags: KILL_ON_JOB_CLOSE | ACTIVE_PROCESS });
    expect(decodeJobLimits(view)).toEqual({ limitFlags: KILL_ON_JOB_CLOSE | ACTIVE_PROCESS });
    expect(jobMemoryLimit(decodeJobLimits(view))).toBeUndefined();
    // Values in the fields without their flags are not limits either.
    const stale = jobLimits({ flags: 0, processLimit: 1n * BigInt(GiB), jobLimit: 2n * BigInt(GiB) });
    expect(jobMemoryLimit(decodeJobLimits(stale))).toBeUndefined();
  });

  test("JOB_OBJECT_LIMIT_JOB_MEMORY: JobMemoryLimit, whole past 2^32", () => {
    const view = jobLimits({ flags: JOB_OBJECT_LIMIT_JOB_MEMORY | KILL_ON_JOB_CLOSE, jobLimit: 6n * BigInt(GiB) + 1n });
    expect(decodeJobLimits(view)).toEqual({ limitFlags: 0x2200, jobMemoryLimit: 6 * GiB + 1 });
    expect(jobMemoryLimit(decodeJobLimits(view))).toEqual({ bytes: 6 * GiB + 1, source: "job object (JobMemoryLimit)" });
  });

  test("JOB_OBJECT_LIMIT_PROCESS_MEMORY: ProcessMemoryLimit", () => {
    const view = jobLimits({ flags: JOB_OBJECT_LIMIT_PROCESS_MEMORY, processLimit: 512n * BigInt(MiB) });
    expect(decodeJobLimits(view)).toEqual({ limitFlags: 0x100, processMemoryLimit: 512 * MiB });
    expect(jobMemoryLimit(decodeJobLimits(view))).toEqual({ bytes: 512 * MiB, source: "job object (ProcessMemoryLimit)" });
  });

  test("both flags: the smaller limit, named", () => {
    const both = JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_JOB_MEMORY;
    const processSmaller = jobLimits({ flags: both, processLimit: 5n * BigInt(GiB), jobLimit: 8n * BigInt(GiB) });
    expect(decodeJobLimits(processSmaller)).toEqual({ limitFlags: both, processMemoryLimit: 5 * GiB, jobMemoryLimit: 8 * GiB });
    expect(jobMemoryLimit(decodeJobLimits(processSmaller))).toEqual({ bytes: 5 * GiB, source: "job object (ProcessMemoryLimit)" });
    const jobSmaller = jobLimits({ flags: both, processLimit: 2n ** 33n, jobLimit: 2n ** 32n + 1n });
    expect(jobMemoryLimit(decodeJobLimits(jobSmaller))).toEqual({ bytes: 2 ** 32 + 1, source: "job object (JobMemoryLimit)" });
    const equal = jobLimits({ flags: both, processLimit: 4n * BigInt(GiB), jobLimit: 4n * BigInt(GiB) });
    expect(jobMemoryLimit(decodeJobLimits(equal))?.bytes).toBe(4 * GiB);
  });

  test("a flag with a limit of 0 counts as none; the other one stands", () => {
    const both = JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_JOB_MEMORY;
    const view = jobLimits({ flags: both, processLimit: 0n, jobLimit: 3n * BigInt(GiB) });
    expect(jobMemoryLimit(decodeJobLimits(view))).toEqual({ bytes: 3 * GiB, source: "job object (JobMemoryLimit)" });
  });

  test("a short buffer decodes to nothing", () => {
    expect(decodeJobLimits(junk(JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE - 8))).toBeUndefined();
    expect(jobMemoryLimit(undefined)).toBeUndefined();
  });
});

describe("windowsMemoryLimits", () => {
  test("physical memory and the job's limit", () => {
    const job = jobLimits({ flags: JOB_OBJECT_LIMIT_JOB_MEMORY, jobLimit: 2n * BigInt(GiB) });
    expect(windowsMemoryLimits(memoryStatus(32n * BigInt(GiB)), job)).toEqual({
      physical: { bytes: 32 * GiB, source: "physical memory, GlobalMemoryStatusEx" },
      limit: { bytes: 2 * GiB, source: "job object (JobMemoryLimit)" },
    });
  });

  test("in no job (the query failed), or a job without a memory limit: physical memory only", () => {
    const physical = { bytes: 16 * GiB, source: "physical memory, GlobalMemoryStatusEx" };
    expect(windowsMemoryLimits(memoryStatus(16n * BigInt(GiB)), undefined)).toEqual({ physical });
    expect(windowsMemoryLimits(memoryStatus(16n * BigInt(GiB)), jobLimits({ flags: KILL_ON_JOB_CLOSE }))).toEqual({ physical });
  });

  test("every call failed: nothing", () => {
    expect(windowsMemoryLimits(undefined, undefined)).toEqual({});
  });
});
