// Pure decoders of the structs libproc fills on macOS, from bytes. macOS runs only on
// 64-bit little-endian CPUs now (x86_64, arm64), so every layout here is LP64 and
// little-endian. Tested on Linux from fixture buffers laid out per the headers
// (test/platform/darwin/decode.test.ts).
//
// Headers read (apple-oss-distributions/xnu, the XNU sources Apple publishes):
//   bsd/sys/proc_info.h            struct proc_bsdinfo, struct proc_taskinfo, PROC_PID* flavors
//   bsd/sys/resource.h             struct rusage_info_v4, RUSAGE_INFO_V4
//   bsd/sys/param.h                MAXCOMLEN = 16 (read in apple/darwin-xnu)
//   bsd/sys/proc.h                 SZOMB = 5
//   libsyscall/wrappers/libproc/libproc.{h,c}   the functions and what they return
//   bsd/kern/proc_info.c           proc_pidbsdinfo (how the kernel fills proc_bsdinfo)
//   bsd/kern/kern_mib.c            hw.memsize: a CTLTYPE_QUAD (uint64_t), max_mem_actual

import type { MemoryLimits } from "../memory-sources.ts";
import { cString, startStamp, u64, viewOf } from "../struct-bytes.ts";

export { cString, startStamp };

/** proc_pidinfo flavors (bsd/sys/proc_info.h). */
export const PROC_PIDTASKALLINFO = 2; // struct proc_taskallinfo: proc_bsdinfo then proc_taskinfo
export const PROC_PIDTBSDINFO = 3;
export const PROC_PIDTASKINFO = 4;
/** proc_pid_rusage flavor (bsd/sys/resource.h). */
export const RUSAGE_INFO_V4 = 4;
/** p_stat of a process that exited and awaits its parent's wait (bsd/sys/proc.h). */
export const SZOMB = 5;

/** MAXCOMLEN (bsd/sys/param.h): pbi_comm is char[MAXCOMLEN], pbi_name char[2 * MAXCOMLEN]. */
const MAXCOMLEN = 16;

// struct proc_bsdinfo, bsd/sys/proc_info.h: twelve 32-bit ids and flags, the two names,
// six more 32-bit fields, then two u64 (aligned at 120 already). sizeof = 136.
export const PROC_BSDINFO_SIZE = 136;
export const BSDINFO = {
  pbi_status: 4, // uint32_t, p_stat
  pbi_pid: 12, // uint32_t
  pbi_ppid: 16, // uint32_t
  pbi_comm: 48, // char[MAXCOMLEN]: the kernel copies 16 bytes and NULs the last
  pbi_name: 64, // char[2 * MAXCOMLEN]: "empty if no name is registered"; last byte NULed
  pbi_pgid: 100, // uint32_t
  e_tpgid: 112, // uint32_t, tty process group id (left 0 without a controlling tty)
  pbi_start_tvsec: 120, // uint64_t
  pbi_start_tvusec: 128, // uint64_t
} as const;

// struct proc_taskinfo, bsd/sys/proc_info.h: six u64 then twelve int32. sizeof = 96.
export const PROC_TASKINFO_SIZE = 96;
export const TASKINFO = {
  pti_virtual_size: 0, // uint64_t, bytes
  pti_resident_size: 8, // uint64_t, bytes
  pti_threadnum: 84, // int32_t, threads in the task
} as const;

/** struct proc_taskallinfo { struct proc_bsdinfo pbsd; struct proc_taskinfo ptinfo; }. */
export const PROC_TASKALLINFO_SIZE = PROC_BSDINFO_SIZE + PROC_TASKINFO_SIZE;

// struct rusage_info_v4, bsd/sys/resource.h: uint8_t ri_uuid[16], then 35 uint64_t.
// sizeof = 296. Offset of the n-th uint64_t (from 0) is 16 + 8n.
export const RUSAGE_INFO_V4_SIZE = 296;
export const RUSAGE_V4 = {
  ri_wired_size: 56, // 6th u64
  ri_resident_size: 64, // 7th
  ri_phys_footprint: 72, // 8th
  ri_proc_start_abstime: 80, // 9th, mach_absolute_time units
  ri_lifetime_max_phys_footprint: 240, // 29th
  ri_interval_max_phys_footprint: 280, // 34th
} as const;

export interface BsdInfo {
  pid: number;
  ppid: number;
  /** p_stat: SZOMB (5) for a zombie. */
  status: number;
  pgid: number;
  /** Foreground process group of its controlling terminal; 0 when it has none. */
  tpgid: number;
  /** pbi_name (up to 32 bytes) where set, else pbi_comm (up to 15), as libproc's proc_name does. */
  name: string;
  comm: string;
  startSec: number;
  startUsec: number;
}

export interface TaskInfo {
  /** pti_virtual_size, bytes. */
  vsz: number;
  /** pti_resident_size, bytes. */
  rss: number;
  threads: number;
}

export interface RusageV4 {
  residentSize: number;
  wiredSize: number;
  /** Current phys_footprint: what Activity Monitor calls Memory; not RSS. */
  physFootprint: number;
  /** The kernel's peak of phys_footprint over the process's life. */
  lifetimeMaxPhysFootprint: number;
  intervalMaxPhysFootprint: number;
}

/** struct proc_bsdinfo at `at`; undefined if fewer than 136 bytes are there. */
export function decodeBsdInfo(bytes: Uint8Array, at = 0, length = bytes.length): BsdInfo | undefined {
  if (length - at < PROC_BSDINFO_SIZE) return undefined;
  const view = viewOf(bytes);
  const comm = cString(bytes, at + BSDINFO.pbi_comm, MAXCOMLEN);
  const longName = cString(bytes, at + BSDINFO.pbi_name, 2 * MAXCOMLEN);
  return {
    pid: view.getUint32(at + BSDINFO.pbi_pid, true),
    ppid: view.getUint32(at + BSDINFO.pbi_ppid, true),
    status: view.getUint32(at + BSDINFO.pbi_status, true),
    pgid: view.getUint32(at + BSDINFO.pbi_pgid, true),
    tpgid: view.getUint32(at + BSDINFO.e_tpgid, true),
    name: longName || comm,
    comm,
    startSec: u64(view, at + BSDINFO.pbi_start_tvsec),
    startUsec: u64(view, at + BSDINFO.pbi_start_tvusec),
  };
}

/** struct proc_taskinfo at `at`; undefined if fewer than 96 bytes are there. */
export function decodeTaskInfo(bytes: Uint8Array, at = 0, length = bytes.length): TaskInfo | undefined {
  if (length - at < PROC_TASKINFO_SIZE) return undefined;
  const view = viewOf(bytes);
  return {
    vsz: u64(view, at + TASKINFO.pti_virtual_size),
    rss: u64(view, at + TASKINFO.pti_resident_size),
    threads: view.getInt32(at + TASKINFO.pti_threadnum, true),
  };
}

/** struct proc_taskallinfo: both of the above in one proc_pidinfo call. */
export function decodeTaskAllInfo(bytes: Uint8Array, length = bytes.length): { bsd: BsdInfo; task: TaskInfo } | undefined {
  if (length < PROC_TASKALLINFO_SIZE) return undefined;
  const bsd = decodeBsdInfo(bytes, 0, length);
  const task = decodeTaskInfo(bytes, PROC_BSDINFO_SIZE, length);
  return bsd && task ? { bsd, task } : undefined;
}

/** struct rusage_info_v4; undefined if fewer than 296 bytes. */
export function decodeRusageV4(bytes: Uint8Array, length = bytes.length): RusageV4 | undefined {
  if (length < RUSAGE_INFO_V4_SIZE) return undefined;
  const view = viewOf(bytes);
  return {
    residentSize: u64(view, RUSAGE_V4.ri_resident_size),
    wiredSize: u64(view, RUSAGE_V4.ri_wired_size),
    physFootprint: u64(view, RUSAGE_V4.ri_phys_footprint),
    lifetimeMaxPhysFootprint: u64(view, RUSAGE_V4.ri_lifetime_max_phys_footprint),
    intervalMaxPhysFootprint: u64(view, RUSAGE_V4.ri_interval_max_phys_footprint),
  };
}

/**
 * The first `count` pids of an int array as proc_listallpids and proc_listchildpids fill
 * it (their result is a count of pids: libproc.c divides the kernel's byte count by
 * sizeof(int)). Pid 0 (kernel_task) and anything past the buffer are left out.
 */
export function decodePids(bytes: Uint8Array, count: number): number[] {
  const view = viewOf(bytes);
  const n = Math.max(0, Math.min(count, Math.floor(bytes.byteLength / 4)));
  const pids: number[] = [];
  for (let i = 0; i < n; i++) {
    const pid = view.getInt32(i * 4, true);
    if (pid > 0) pids.push(pid);
  }
  return pids;
}

/** The sysctl that holds the machine's physical memory, in bytes (bsd/kern/kern_mib.c). */
export const HW_MEMSIZE = "hw.memsize";
/** hw.memsize is a uint64_t: sysctlbyname answers exactly 8 bytes for it. */
export const HW_MEMSIZE_SIZE = 8;
export const PHYSICAL_MEMORY_SOURCE = "physical memory, hw.memsize";

/**
 * hw.memsize as sysctlbyname filled it: `length` is what it wrote back through oldlenp.
 * Undefined unless exactly 8 bytes were written (a failed call, or a different type)
 * or if it says 0.
 */
export function decodeMemsize(bytes: Uint8Array, length = bytes.length): number | undefined {
  if (length !== HW_MEMSIZE_SIZE || bytes.byteLength < HW_MEMSIZE_SIZE) return undefined;
  const size = u64(viewOf(bytes), 0);
  return size > 0 ? size : undefined;
}

/**
 * The limits macOS has to offer: physical memory only. It has no per-process or per-group
 * memory limit in force that a process can read (setrlimit's RLIMIT_RSS is not enforced),
 * no OOM kill counter and no pressure stall figures.
 */
export function darwinMemoryLimits(memsize: number | undefined): MemoryLimits {
  return memsize === undefined ? {} : { physical: { bytes: memsize, source: PHYSICAL_MEMORY_SOURCE } };
}
