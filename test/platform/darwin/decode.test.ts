import { describe, expect, test } from "bun:test";
import {
  BSDINFO,
  cString,
  darwinMemoryLimits,
  decodeMemsize,
  HW_MEMSIZE_SIZE,
  decodeBsdInfo,
  decodePids,
  decodeRusageV4,
  decodeTaskAllInfo,
  decodeTaskInfo,
  PROC_BSDINFO_SIZE,
  PROC_TASKALLINFO_SIZE,
  PROC_TASKINFO_SIZE,
  RUSAGE_INFO_V4_SIZE,
  RUSAGE_V4,
  startStamp,
  TASKINFO,
} from "../../../src/platform/darwin/decode.ts";
import {
  bsdinfoBytes,
  pidBytes,
  procBsdinfo,
  procTaskallinfo,
  procTaskinfo,
  rusageInfoV4,
  rusageV4Bytes,
  taskallinfoBytes,
  taskinfoBytes,
} from "./fixtures.ts";

// Fixtures are laid out from the headers' field lists (fixtures.ts), so these tests check
// the decoder's hard-coded offsets against the C layout as well as the decoding.

describe("layouts agree with the headers", () => {
  test("proc_bsdinfo: 136 bytes, every offset the decoder uses", () => {
    expect(procBsdinfo.size).toBe(PROC_BSDINFO_SIZE);
    expect(PROC_BSDINFO_SIZE).toBe(136);
    for (const [field, offset] of Object.entries(BSDINFO)) expect([field, procBsdinfo.offsets[field]]).toEqual([field, offset]);
    expect(BSDINFO.pbi_ppid).toBe(16); // the 64-bit offset, as a literal
  });

  test("proc_taskinfo: 96 bytes", () => {
    expect(procTaskinfo.size).toBe(PROC_TASKINFO_SIZE);
    expect(PROC_TASKINFO_SIZE).toBe(96);
    for (const [field, offset] of Object.entries(TASKINFO)) expect([field, procTaskinfo.offsets[field]]).toEqual([field, offset]);
  });

  test("proc_taskallinfo: the two back to back", () => {
    expect(procTaskallinfo.size).toBe(PROC_TASKALLINFO_SIZE);
    expect(procTaskallinfo.offsets.ptinfo).toBe(PROC_BSDINFO_SIZE);
  });

  test("rusage_info_v4: 296 bytes, lifetime max footprint at 240", () => {
    expect(rusageInfoV4.size).toBe(RUSAGE_INFO_V4_SIZE);
    expect(RUSAGE_INFO_V4_SIZE).toBe(296);
    for (const [field, offset] of Object.entries(RUSAGE_V4)) expect([field, rusageInfoV4.offsets[field]]).toEqual([field, offset]);
    expect(RUSAGE_V4.ri_lifetime_max_phys_footprint).toBe(240); // the 64-bit offset, as a literal
  });
});

describe("decodeBsdInfo", () => {
  test("pid, parent, names, process group, terminal group, start time", () => {
    const bytes = bsdinfoBytes({
      pid: 4242,
      ppid: 1,
      comm: "node",
      name: "node-worker",
      pgid: 4200,
      tpgid: 4200,
      startSec: 1_764_000_000,
      startUsec: 123_456,
    });
    expect(decodeBsdInfo(bytes)).toEqual({
      pid: 4242,
      ppid: 1,
      status: 2,
      pgid: 4200,
      tpgid: 4200,
      name: "node-worker",
      comm: "node",
      startSec: 1_764_000_000,
      startUsec: 123_456,
    });
  });

  test("no registered name: the comm name, as proc_name does", () => {
    const info = decodeBsdInfo(bsdinfoBytes({ pid: 7, ppid: 1, comm: "launchd", startSec: 1, startUsec: 2 }));
    expect(info?.name).toBe("launchd");
    expect(info?.comm).toBe("launchd");
  });

  test("a comm of 15 characters and a name of 31 fill their arrays up to the kernel's NUL", () => {
    const comm = "abcdefghijklmno"; // the kernel copies MAXCOMLEN and NULs the last byte
    const name = "a-process-name-of-31-characters";
    expect(name.length).toBe(31);
    const info = decodeBsdInfo(bsdinfoBytes({ pid: 9, ppid: 1, comm, name, startSec: 1, startUsec: 0 }));
    expect(info?.comm).toBe(comm);
    expect(info?.name).toBe(name);
  });

  test("a name that fills its array without a NUL stops at the array's end", () => {
    const bytes = bsdinfoBytes({ pid: 9, ppid: 1, comm: "x", startSec: 1, startUsec: 0 });
    bytes.fill(0x61, BSDINFO.pbi_comm, BSDINFO.pbi_comm + 16); // 16 × "a", no NUL
    expect(decodeBsdInfo(bytes)?.comm).toBe("a".repeat(16));
  });

  test("a UTF-8 name", () => {
    const info = decodeBsdInfo(bsdinfoBytes({ pid: 9, ppid: 1, comm: "x", name: "café ☕", startSec: 1, startUsec: 0 }));
    expect(info?.name).toBe("café ☕");
  });

  test("a zombie's status", () => {
    expect(decodeBsdInfo(bsdinfoBytes({ pid: 9, ppid: 1, comm: "z", status: 5, startSec: 1, startUsec: 0 }))?.status).toBe(5);
  });

  test("short answers (proc_pidinfo wrote less, or failed with 0) decode to undefined", () => {
    const bytes = bsdinfoBytes({ pid: 9, ppid: 1, comm: "x", startSec: 1, startUsec: 0 });
    expect(decodeBsdInfo(bytes, 0, 0)).toBeUndefined();
    expect(decodeBsdInfo(bytes, 0, 135)).toBeUndefined();
    expect(decodeBsdInfo(bytes.subarray(0, 100))).toBeUndefined();
  });

  test("a struct inside a larger buffer, at an offset", () => {
    const bytes = new Uint8Array(64 + 136);
    bsdinfoBytes({ pid: 31, ppid: 30, comm: "sh", startSec: 5, startUsec: 6 }, bytes, 64);
    expect(decodeBsdInfo(bytes, 64)).toMatchObject({ pid: 31, ppid: 30, name: "sh", startSec: 5, startUsec: 6 });
  });
});

describe("decodeTaskInfo", () => {
  test("resident and virtual size in bytes, threads", () => {
    const bytes = taskinfoBytes({ rss: 487_300_000, vsz: 421_000_000_000, threads: 12 });
    expect(decodeTaskInfo(bytes)).toEqual({ rss: 487_300_000, vsz: 421_000_000_000, threads: 12 });
  });

  test("sizes beyond 4 GiB survive (u64)", () => {
    const rss = 17 * 2 ** 30 + 4096;
    expect(decodeTaskInfo(taskinfoBytes({ rss, vsz: 2 ** 40 }))?.rss).toBe(rss);
  });

  test("fewer than 96 bytes: undefined", () => {
    expect(decodeTaskInfo(taskinfoBytes({ rss: 1 }), 0, 95)).toBeUndefined();
  });
});

describe("decodeTaskAllInfo", () => {
  test("identity and memory from one call", () => {
    const bytes = taskallinfoBytes({ pid: 77, ppid: 70, comm: "cc", startSec: 10, startUsec: 20, rss: 8192, vsz: 65536, threads: 3 });
    expect(decodeTaskAllInfo(bytes)).toEqual({
      bsd: { pid: 77, ppid: 70, status: 2, pgid: 77, tpgid: 0, name: "cc", comm: "cc", startSec: 10, startUsec: 20 },
      task: { rss: 8192, vsz: 65536, threads: 3 },
    });
  });

  test("a short answer: undefined", () => {
    const bytes = taskallinfoBytes({ pid: 77, ppid: 70, comm: "cc", startSec: 10, startUsec: 20 });
    expect(decodeTaskAllInfo(bytes, PROC_BSDINFO_SIZE)).toBeUndefined();
    expect(decodeTaskAllInfo(bytes, 0)).toBeUndefined();
  });
});

describe("decodeRusageV4", () => {
  test("footprint, its lifetime peak, resident size", () => {
    const bytes = rusageV4Bytes({
      ri_resident_size: 300 * 2 ** 20,
      ri_phys_footprint: 250 * 2 ** 20,
      ri_lifetime_max_phys_footprint: 900 * 2 ** 20,
      ri_interval_max_phys_footprint: 400 * 2 ** 20,
      ri_wired_size: 4096,
    });
    expect(decodeRusageV4(bytes)).toEqual({
      residentSize: 300 * 2 ** 20,
      wiredSize: 4096,
      physFootprint: 250 * 2 ** 20,
      lifetimeMaxPhysFootprint: 900 * 2 ** 20,
      intervalMaxPhysFootprint: 400 * 2 ** 20,
    });
  });

  test("a v3-sized answer (232 bytes) is too short", () => {
    expect(decodeRusageV4(rusageV4Bytes({}), 232)).toBeUndefined();
  });
});

describe("decodePids", () => {
  test("the count the call returned, not the whole buffer", () => {
    expect(decodePids(pidBytes([1, 88, 501, 0, 0], 8), 3)).toEqual([1, 88, 501]);
  });

  test("pid 0 (kernel_task) is left out", () => {
    expect(decodePids(pidBytes([0, 1, 2]), 3)).toEqual([1, 2]);
  });

  test("a count beyond the buffer, or negative, is clamped", () => {
    expect(decodePids(pidBytes([5, 6]), 10)).toEqual([5, 6]);
    expect(decodePids(pidBytes([5, 6]), -1)).toEqual([]);
  });
});

describe("decodeMemsize (hw.memsize, a uint64_t)", () => {
  const memsize = (value: bigint, size = HW_MEMSIZE_SIZE) => {
    const bytes = new Uint8Array(size).fill(0xa5);
    new DataView(bytes.buffer).setBigUint64(0, value, true);
    return bytes;
  };

  test("8 little-endian bytes, values past 2^32 whole", () => {
    expect(HW_MEMSIZE_SIZE).toBe(8);
    expect(decodeMemsize(memsize(16n * 2n ** 30n))).toBe(16 * 2 ** 30);
    expect(decodeMemsize(memsize(2n ** 32n + 1n))).toBe(2 ** 32 + 1); // the high word counts
    expect(decodeMemsize(memsize(0x0000_0018_0000_0000n))).toBe(96 * 2 ** 30);
    expect(decodeMemsize(memsize(1536n * 2n ** 20n))).toBe(1536 * 2 ** 20); // below 4 GiB too
  });

  test("anything but exactly 8 bytes written, or 0, is no answer", () => {
    const bytes = memsize(8n * 2n ** 30n);
    expect(decodeMemsize(bytes, 4)).toBeUndefined(); // a 32-bit answer: not hw.memsize
    expect(decodeMemsize(bytes, 0)).toBeUndefined(); // the call failed
    expect(decodeMemsize(new Uint8Array(4), 8)).toBeUndefined(); // a claim past the buffer
    expect(decodeMemsize(memsize(0n))).toBeUndefined();
  });

  test("darwinMemoryLimits: physical memory or nothing", () => {
    expect(darwinMemoryLimits(32 * 2 ** 30)).toEqual({ physical: { bytes: 32 * 2 ** 30, source: "physical memory, hw.memsize" } });
    expect(darwinMemoryLimits(undefined)).toEqual({});
  });
});

describe("helpers", () => {
  test("startStamp: seconds and microseconds in one exact number", () => {
    expect(startStamp(1_764_000_000, 999_999)).toBe(1_764_000_000_999_999);
    expect(Number.isSafeInteger(startStamp(4_000_000_000, 999_999))).toBe(true);
    expect(startStamp(10, 1)).not.toBe(startStamp(10, 2));
  });

  test("cString stops at NUL or at the array's end", () => {
    const bytes = new TextEncoder().encode("abc\0def");
    expect(cString(bytes, 0, 7)).toBe("abc");
    expect(cString(bytes, 4, 3)).toBe("def");
    expect(cString(bytes, 0, 2)).toBe("ab");
  });
});
