// Pure decoders of the Windows structs peak-mem reads, from their bytes (x64: little-endian,
// SIZE_T, ULONG_PTR and HANDLE are 8 bytes). Tested on Linux from fixture buffers built per
// these layouts (test/platform/windows/decode.test.ts). The offsets are those of the
// Windows SDK headers, as documented on Microsoft Learn and as in MinGW-w64's copies of
// the headers, against which test/system/wine/layouts.c checks every one at compile time.

import type { MemoryLimit, MemoryLimits } from "../memory-sources.ts";
import { u64 } from "../struct-bytes.ts";

/**
 * PROCESS_MEMORY_COUNTERS (psapi.h), 72 bytes, filled by K32GetProcessMemoryInfo:
 *
 *   DWORD  cb;                          @0
 *   DWORD  PageFaultCount;              @4
 *   SIZE_T PeakWorkingSetSize;          @8
 *   SIZE_T WorkingSetSize;              @16
 *   SIZE_T QuotaPeakPagedPoolUsage;     @24
 *   SIZE_T QuotaPagedPoolUsage;         @32
 *   SIZE_T QuotaPeakNonPagedPoolUsage;  @40
 *   SIZE_T QuotaNonPagedPoolUsage;      @48
 *   SIZE_T PagefileUsage;               @56
 *   SIZE_T PeakPagefileUsage;           @64
 */
export const PROCESS_MEMORY_COUNTERS_SIZE = 72;

export interface ProcessMemoryCounters {
  pageFaultCount: number;
  /** The kernel's own peak working set of the process, bytes: its exact peak RSS. */
  peakWorkingSetSize: number;
  /** Working set now, bytes: the nearest to RSS. */
  workingSetSize: number;
  /** Commit charge (private bytes) now: what peak-mem reports as VSZ on Windows. */
  pagefileUsage: number;
  /** Peak commit charge, kept by the kernel. */
  peakPagefileUsage: number;
}

/** A SIZE_T (u64 on x64) as a number: exact below 2^53 bytes (8 PiB), which no process comes near. */
const sizeT = u64;

export function decodeProcessMemoryCounters(view: DataView): ProcessMemoryCounters | undefined {
  if (view.byteLength < PROCESS_MEMORY_COUNTERS_SIZE) return undefined;
  return {
    pageFaultCount: view.getUint32(4, true),
    peakWorkingSetSize: sizeT(view, 8),
    workingSetSize: sizeT(view, 16),
    pagefileUsage: sizeT(view, 56),
    peakPagefileUsage: sizeT(view, 64),
  };
}

/**
 * PROCESSENTRY32W (tlhelp32.h), 568 bytes, filled by Process32FirstW/Process32NextW
 * (dwSize must be set to 568 before the first call):
 *
 *   DWORD     dwSize;               @0
 *   DWORD     cntUsage;             @4   (always 0)
 *   DWORD     th32ProcessID;        @8
 *   ULONG_PTR th32DefaultHeapID;    @16  (after 4 bytes of padding; always 0)
 *   DWORD     th32ModuleID;         @24  (always 0)
 *   DWORD     cntThreads;           @28
 *   DWORD     th32ParentProcessID;  @32  (the creator's pid: never updated, may be reused)
 *   LONG      pcPriClassBase;       @36
 *   DWORD     dwFlags;              @40
 *   WCHAR     szExeFile[MAX_PATH];  @44  (260 UTF-16 code units; 4 bytes of tail padding)
 */
export const PROCESSENTRY32W_SIZE = 568;
const EXE_FILE_OFFSET = 44;
export const MAX_PATH = 260;

export interface ProcessEntry {
  pid: number;
  ppid: number;
  threads: number;
  /** The executable's file name, without its directory (e.g. "cmd.exe"). */
  name: string;
}

const utf16 = new TextDecoder("utf-16le");

/** A NUL-terminated WCHAR array of at most `max` units; all of them if no NUL. */
export function decodeWideString(view: DataView, offset: number, max: number): string {
  let end = 0;
  while (end < max && offset + 2 * end + 1 < view.byteLength && view.getUint16(offset + 2 * end, true) !== 0) end++;
  return utf16.decode(new Uint8Array(view.buffer, view.byteOffset + offset, 2 * end));
}

export function decodeProcessEntry(view: DataView): ProcessEntry | undefined {
  if (view.byteLength < PROCESSENTRY32W_SIZE) return undefined;
  return {
    pid: view.getUint32(8, true),
    ppid: view.getUint32(32, true),
    threads: view.getUint32(28, true),
    name: decodeWideString(view, EXE_FILE_OFFSET, MAX_PATH),
  };
}

/**
 * FILETIME (minwinbase.h): DWORD dwLowDateTime @0, DWORD dwHighDateTime @4, together a
 * count of 100-nanosecond intervals since 1601-01-01 UTC.
 */
export const FILETIME_SIZE = 8;
/** 1601-01-01 to 1970-01-01 in 100 ns intervals. */
const UNIX_EPOCH_AS_FILETIME = 116_444_736_000_000_000n;

/**
 * A FILETIME as milliseconds since the Unix epoch, with the 100 ns ticks as the fraction.
 * The raw count (about 1.3e17 today) is past 2^53 and would lose its last digits as a
 * number; milliseconds since 1970 keep about a quarter of a microsecond. The same FILETIME
 * always gives the same number, which is what a start stamp needs.
 */
export function decodeFiletime(view: DataView, offset = 0): number {
  const ticks = (BigInt(view.getUint32(offset + 4, true)) << 32n) | BigInt(view.getUint32(offset, true));
  const sinceUnix = ticks - UNIX_EPOCH_AS_FILETIME;
  return Number(sinceUnix / 10_000n) + Number(sinceUnix % 10_000n) / 10_000;
}

/**
 * The file name of a Windows path (what Toolhelp's szExeFile holds): after the last
 * backslash or slash. QueryFullProcessImageNameW gives C:\Windows\System32\cmd.exe.
 */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/")) + 1);
}

/**
 * MEMORYSTATUSEX (sysinfoapi.h), 64 bytes, filled by GlobalMemoryStatusEx (dwLength must
 * be set to 64 before the call):
 *
 *   DWORD     dwLength;                 @0
 *   DWORD     dwMemoryLoad;             @4   (percent of physical memory in use)
 *   DWORDLONG ullTotalPhys;             @8
 *   DWORDLONG ullAvailPhys;             @16
 *   DWORDLONG ullTotalPageFile;         @24  (the commit limit, despite the name)
 *   DWORDLONG ullAvailPageFile;         @32
 *   DWORDLONG ullTotalVirtual;          @40
 *   DWORDLONG ullAvailVirtual;          @48
 *   DWORDLONG ullAvailExtendedVirtual;  @56  (always 0)
 */
export const MEMORYSTATUSEX_SIZE = 64;
const TOTAL_PHYS_OFFSET = 8;

/** ullTotalPhys: the physical memory the system can use, bytes; undefined if short or 0. */
export function decodeTotalPhys(view: DataView): number | undefined {
  if (view.byteLength < MEMORYSTATUSEX_SIZE) return undefined;
  const total = u64(view, TOTAL_PHYS_OFFSET);
  return total > 0 ? total : undefined;
}

/**
 * JOBOBJECT_EXTENDED_LIMIT_INFORMATION (winnt.h), 144 bytes on x64, filled by
 * QueryInformationJobObject(job, JobObjectExtendedLimitInformation = 9, ...):
 *
 *   JOBOBJECT_BASIC_LIMIT_INFORMATION BasicLimitInformation;  @0, 64 bytes:
 *     LARGE_INTEGER PerProcessUserTimeLimit;  @0
 *     LARGE_INTEGER PerJobUserTimeLimit;      @8
 *     DWORD         LimitFlags;               @16
 *     SIZE_T        MinimumWorkingSetSize;    @24  (after 4 bytes of padding)
 *     SIZE_T        MaximumWorkingSetSize;    @32
 *     DWORD         ActiveProcessLimit;       @40
 *     ULONG_PTR     Affinity;                 @48  (after 4 bytes of padding)
 *     DWORD         PriorityClass;            @56
 *     DWORD         SchedulingClass;          @60
 *   IO_COUNTERS   IoInfo;                     @64, six ULONGLONGs, 48 bytes
 *   SIZE_T        ProcessMemoryLimit;         @112
 *   SIZE_T        JobMemoryLimit;             @120
 *   SIZE_T        PeakProcessMemoryUsed;      @128
 *   SIZE_T        PeakJobMemoryUsed;          @136
 */
export const JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE = 144;
export const JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9; // JobObjectExtendedLimitInformation
export const JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x100;
export const JOB_OBJECT_LIMIT_JOB_MEMORY = 0x200;
export const JOB_LIMIT = { LimitFlags: 16, ProcessMemoryLimit: 112, JobMemoryLimit: 120 } as const;

export interface JobMemoryLimits {
  limitFlags: number;
  /** ProcessMemoryLimit, when JOB_OBJECT_LIMIT_PROCESS_MEMORY is set (else the field means nothing). */
  processMemoryLimit?: number;
  /** JobMemoryLimit, when JOB_OBJECT_LIMIT_JOB_MEMORY is set. */
  jobMemoryLimit?: number;
}

export function decodeJobLimits(view: DataView): JobMemoryLimits | undefined {
  if (view.byteLength < JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE) return undefined;
  const limitFlags = view.getUint32(JOB_LIMIT.LimitFlags, true);
  const limits: JobMemoryLimits = { limitFlags };
  if (limitFlags & JOB_OBJECT_LIMIT_PROCESS_MEMORY) limits.processMemoryLimit = sizeT(view, JOB_LIMIT.ProcessMemoryLimit);
  if (limitFlags & JOB_OBJECT_LIMIT_JOB_MEMORY) limits.jobMemoryLimit = sizeT(view, JOB_LIMIT.JobMemoryLimit);
  return limits;
}

export const PHYSICAL_MEMORY_SOURCE = "physical memory, GlobalMemoryStatusEx";
export const JOB_MEMORY_LIMIT_SOURCE = "job object (JobMemoryLimit)";
export const PROCESS_MEMORY_LIMIT_SOURCE = "job object (ProcessMemoryLimit)";

/**
 * The job object's memory limit in force: JobMemoryLimit or ProcessMemoryLimit, the
 * smaller when both are set (a limit of 0 is taken for none). Both are limits on commit
 * charge (private committed bytes, what peak-mem reports as VSZ on Windows), not on the
 * working set (RSS): JobMemoryLimit on the sum over every process in the job, peak-mem
 * included; ProcessMemoryLimit on each process alone. An allocation past either fails.
 */
export function jobMemoryLimit(job: JobMemoryLimits | undefined): MemoryLimit | undefined {
  if (!job) return undefined;
  const candidates: MemoryLimit[] = [];
  if (job.jobMemoryLimit) candidates.push({ bytes: job.jobMemoryLimit, source: JOB_MEMORY_LIMIT_SOURCE });
  if (job.processMemoryLimit) candidates.push({ bytes: job.processMemoryLimit, source: PROCESS_MEMORY_LIMIT_SOURCE });
  return candidates.reduce<MemoryLimit | undefined>((least, limit) => (least && least.bytes <= limit.bytes ? least : limit), undefined);
}

/**
 * What Windows tells of the limits where the command runs: physical memory from a
 * MEMORYSTATUSEX, and the job object's memory limit from a
 * JOBOBJECT_EXTENDED_LIMIT_INFORMATION; either view is undefined when its call failed
 * (no job: QueryInformationJobObject fails), and what it would give is then absent.
 */
export function windowsMemoryLimits(status: DataView | undefined, job: DataView | undefined): MemoryLimits {
  const limits: MemoryLimits = {};
  const physical = status && decodeTotalPhys(status);
  if (physical !== undefined) limits.physical = { bytes: physical, source: PHYSICAL_MEMORY_SOURCE };
  const limit = jobMemoryLimit(job && decodeJobLimits(job));
  if (limit) limits.limit = limit;
  return limits;
}
