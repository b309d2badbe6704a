// Pure decoders of FreeBSD's struct kinfo_proc, from bytes, as sysctl(KERN_PROC) returns
// it. LP64 little-endian only (amd64, arm64), where sizeof(struct kinfo_proc) is 1088:
// a record of any other size is refused rather than misread. Tested on Linux from fixture
// buffers laid out per the header (test/platform/freebsd/decode.test.ts).
//
// Bun has no FreeBSD build target today, so none of this runs on FreeBSD yet: the decoder
// and the reader are written and tested here so that they are ready when Bun can target it.
//
// Headers read (freebsd/freebsd-src and a current mirror of it):
//   sys/sys/user.h       struct kinfo_proc, KI_NSPARE_*, COMMLEN = 19, TDNAMLEN = 16
//                        (the current layout, with ki_tdev_freebsd11 and a 64-bit ki_tdev,
//                        read in ricardobranco777/freebsd-src, a mirror of FreeBSD main)
//   sys/arm64/include/proc.h  KINFO_PROC_SIZE 1088 (older sys/sys/user.h: 1088 for __amd64__;
//                        the current field list sums to 1088 on LP64, as the tests check)
//   sys/sys/param.h      MAXCOMLEN = 19
//   sys/sys/resource.h   struct rusage: two struct timeval, then long ru_maxrss (KiB)
//   sys/sys/priority.h   struct priority: four u_char
//   sys/sys/sysctl.h     CTL_KERN 1, KERN_PROC 14, KERN_PROC_PID 1, KERN_PROC_PROC 8
//   sys/sys/proc.h       SZOMB = 5
//   sys/kern/kern_proc.c fill_kinfo_proc: ki_rssize = vmspace_resident_count (+ kernel
//                        stack pages), ki_start = p_start + boottime, ki_rusage = rufetch()
//   sys/kern/kern_clock.c statclock: ru_maxrss = max(ru_maxrss, pgtok(resident count))

import { cString, startStamp, u64, viewOf } from "../struct-bytes.ts";

export { startStamp };

/** sysctl MIB names (sys/sys/sysctl.h). */
export const CTL_KERN = 1;
export const KERN_PROC = 14;
export const KERN_PROC_PID = 1;
export const KERN_PROC_PROC = 8;
/** ki_stat of a process that exited and awaits its parent's wait (sys/sys/proc.h). */
export const SZOMB = 5;

/** sizeof(struct kinfo_proc) on amd64 and arm64; ki_structsize must say the same. */
export const KINFO_PROC_SIZE = 1088;
/** COMMLEN (sys/sys/user.h): ki_comm is char[COMMLEN + 1]. */
const COMMLEN = 19;

// Offsets in struct kinfo_proc on LP64, from the field list of sys/sys/user.h:
// two ints, eight pointers (8..71), then the pid_t group from 72, ...
export const KINFO = {
  ki_structsize: 0, // int
  ki_pid: 72, // pid_t
  ki_ppid: 76, // pid_t
  ki_pgid: 80, // pid_t
  ki_tpgid: 84, // pid_t, tty process group id
  ki_size: 256, // vm_size_t: virtual size, bytes (after ki_groups[16], 192..255)
  ki_rssize: 264, // segsz_t (int64 on LP64): resident set size, PAGES
  ki_start: 336, // struct timeval: tv_sec (time_t) at 336, tv_usec (long) at 344
  ki_stat: 388, // char: S* process status
  ki_comm: 447, // char[COMMLEN + 1]: command name
  ki_numthreads: 596, // int
  ki_rusage: 608, // struct rusage; its ru_maxrss (long, KiB) at 608 + 32
} as const;
const RU_MAXRSS = 32; // after ru_utime and ru_stime, two 16-byte struct timeval

export interface KinfoProc {
  pid: number;
  ppid: number;
  pgid: number;
  tpgid: number;
  /** ki_size: virtual size in bytes. */
  vszBytes: number;
  /** ki_rssize: resident set size in pages (times the page size for bytes). */
  rssPages: number;
  startSec: number;
  startUsec: number;
  /** ki_stat: SZOMB (5) for a zombie. */
  stat: number;
  name: string;
  threads: number;
  /** ki_rusage.ru_maxrss: the kernel's peak RSS of the process in KiB, sampled at statclock. */
  maxRssKiB: number;
}

/**
 * One struct kinfo_proc at `at`. Undefined when fewer than 1088 bytes are there, or when
 * its ki_structsize is not 1088 (another ABI: reading it with these offsets would be wrong).
 */
export function decodeKinfoProc(bytes: Uint8Array, at = 0, length = bytes.length): KinfoProc | undefined {
  if (length - at < KINFO_PROC_SIZE) return undefined;
  const view = viewOf(bytes);
  if (view.getInt32(at + KINFO.ki_structsize, true) !== KINFO_PROC_SIZE) return undefined;
  const i32 = (offset: number) => view.getInt32(at + offset, true);
  const i64 = (offset: number) => Number(view.getBigInt64(at + offset, true));
  return {
    pid: i32(KINFO.ki_pid),
    ppid: i32(KINFO.ki_ppid),
    pgid: i32(KINFO.ki_pgid),
    tpgid: i32(KINFO.ki_tpgid),
    vszBytes: u64(view, at + KINFO.ki_size),
    rssPages: i64(KINFO.ki_rssize),
    startSec: i64(KINFO.ki_start),
    startUsec: i64(KINFO.ki_start + 8),
    stat: view.getInt8(at + KINFO.ki_stat),
    name: cString(bytes, at + KINFO.ki_comm, COMMLEN + 1),
    threads: i32(KINFO.ki_numthreads),
    maxRssKiB: i64(KINFO.ki_rusage + RU_MAXRSS),
  };
}

/**
 * The array sysctl(KERN_PROC_PROC) returns: `length` bytes of records, each
 * ki_structsize long. Stops at the first record it cannot decode.
 */
export function decodeKinfoProcList(bytes: Uint8Array, length = bytes.length): KinfoProc[] {
  const procs: KinfoProc[] = [];
  for (let at = 0; at + KINFO_PROC_SIZE <= length; at += KINFO_PROC_SIZE) {
    const proc = decodeKinfoProc(bytes, at, length);
    if (!proc) break;
    procs.push(proc);
  }
  return procs;
}
