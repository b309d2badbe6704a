import { array, C, Fixture, layout, struct, type CType } from "../c-layout.ts";

// FreeBSD's struct kinfo_proc as sys/sys/user.h declares it today (FreeBSD 13 and later:
// ki_tdev_freebsd11, 64-bit ki_tdev, ki_moretdname, KI_NSPARE_INT 2, KI_NSPARE_PTR 5),
// field by field for LP64 (amd64, arm64). Offsets come from the C layout rules, not from
// the decoder. Constants: COMMLEN 19, TDNAMLEN 16, WMESGLEN 8, LOCKNAMELEN 8,
// KI_EMULNAMELEN 16, LOGNAMELEN 17, LOGINCLASSLEN 17, KI_NGROUPS 16 (user.h); MAXCOMLEN 19
// (sys/param.h); KI_NSPARE_LONG 12.

const COMMLEN = 19;
const TDNAMLEN = 16;
const MAXCOMLEN = 19;

/** sigset_t: struct { __uint32_t __bits[4]; } (sys/_sigset.h) */
const sigset: CType = array(C.u32, 4);
/** struct timeval { time_t tv_sec; suseconds_t tv_usec; } (both 64-bit on LP64) */
export const timeval = layout([
  ["tv_sec", C.i64],
  ["tv_usec", C.long],
]);
/** struct priority: four u_char (sys/priority.h) */
const priority: CType = array(C.u8, 4);
/** struct rusage (sys/resource.h): two timevals, fourteen longs. */
export const rusage = layout([
  ["ru_utime", struct(timeval)],
  ["ru_stime", struct(timeval)],
  ["ru_maxrss", C.long],
  ["ru_ixrss", C.long],
  ["ru_idrss", C.long],
  ["ru_isrss", C.long],
  ["ru_minflt", C.long],
  ["ru_majflt", C.long],
  ["ru_nswap", C.long],
  ["ru_inblock", C.long],
  ["ru_oublock", C.long],
  ["ru_msgsnd", C.long],
  ["ru_msgrcv", C.long],
  ["ru_nsignals", C.long],
  ["ru_nvcsw", C.long],
  ["ru_nivcsw", C.long],
]);

export const kinfoProc = layout([
  ["ki_structsize", C.i32],
  ["ki_layout", C.i32],
  ["ki_args", C.ptr],
  ["ki_paddr", C.ptr],
  ["ki_addr", C.ptr],
  ["ki_tracep", C.ptr],
  ["ki_textvp", C.ptr],
  ["ki_fd", C.ptr],
  ["ki_vmspace", C.ptr],
  ["ki_wchan", C.ptr],
  ["ki_pid", C.i32],
  ["ki_ppid", C.i32],
  ["ki_pgid", C.i32],
  ["ki_tpgid", C.i32],
  ["ki_sid", C.i32],
  ["ki_tsid", C.i32],
  ["ki_jobc", C.i16],
  ["ki_spare_short1", C.i16],
  ["ki_tdev_freebsd11", C.u32],
  ["ki_siglist", sigset],
  ["ki_sigmask", sigset],
  ["ki_sigignore", sigset],
  ["ki_sigcatch", sigset],
  ["ki_uid", C.u32],
  ["ki_ruid", C.u32],
  ["ki_svuid", C.u32],
  ["ki_rgid", C.u32],
  ["ki_svgid", C.u32],
  ["ki_ngroups", C.i16],
  ["ki_spare_short2", C.i16],
  ["ki_groups", array(C.u32, 16)],
  ["ki_size", C.u64], // vm_size_t
  ["ki_rssize", C.i64], // segsz_t
  ["ki_swrss", C.i64],
  ["ki_tsize", C.i64],
  ["ki_dsize", C.i64],
  ["ki_ssize", C.i64],
  ["ki_xstat", C.u16],
  ["ki_acflag", C.u16],
  ["ki_pctcpu", C.u32], // fixpt_t
  ["ki_estcpu", C.u32],
  ["ki_slptime", C.u32],
  ["ki_swtime", C.u32],
  ["ki_cow", C.u32],
  ["ki_runtime", C.u64],
  ["ki_start", struct(timeval)],
  ["ki_childtime", struct(timeval)],
  ["ki_flag", C.long],
  ["ki_kiflag", C.long],
  ["ki_traceflag", C.i32],
  ["ki_stat", C.char],
  ["ki_nice", C.char],
  ["ki_lock", C.char],
  ["ki_rqindex", C.char],
  ["ki_oncpu_old", C.u8],
  ["ki_lastcpu_old", C.u8],
  ["ki_tdname", array(C.char, TDNAMLEN + 1)],
  ["ki_wmesg", array(C.char, 8 + 1)],
  ["ki_login", array(C.char, 17 + 1)],
  ["ki_lockname", array(C.char, 8 + 1)],
  ["ki_comm", array(C.char, COMMLEN + 1)],
  ["ki_emul", array(C.char, 16 + 1)],
  ["ki_loginclass", array(C.char, 17 + 1)],
  ["ki_moretdname", array(C.char, MAXCOMLEN - TDNAMLEN + 1)],
  ["ki_sparestrings", array(C.char, 46)],
  ["ki_spareints", array(C.i32, 2)],
  ["ki_tdev", C.u64],
  ["ki_oncpu", C.i32],
  ["ki_lastcpu", C.i32],
  ["ki_tracer", C.i32],
  ["ki_flag2", C.i32],
  ["ki_fibnum", C.i32],
  ["ki_cr_flags", C.u32],
  ["ki_jid", C.i32],
  ["ki_numthreads", C.i32],
  ["ki_tid", C.i32],
  ["ki_pri", priority],
  ["ki_rusage", struct(rusage)],
  ["ki_rusage_ch", struct(rusage)],
  ["ki_pcb", C.ptr],
  ["ki_kstack", C.ptr],
  ["ki_udata", C.ptr],
  ["ki_tdaddr", C.ptr],
  ["ki_pd", C.ptr],
  ["ki_spareptrs", array(C.ptr, 5)],
  ["ki_sparelongs", array(C.long, 12)],
  ["ki_sflag", C.long],
  ["ki_tdflags", C.long],
]);

export interface KinfoFixture {
  pid: number;
  ppid: number;
  comm: string;
  pgid?: number;
  tpgid?: number;
  startSec: number;
  startUsec: number;
  /** bytes */
  vsz?: number;
  /** pages */
  rssPages?: number;
  stat?: number;
  threads?: number;
  maxRssKiB?: number;
  structSize?: number;
}

/** A kinfo_proc as fill_kinfo_proc leaves it, with noise around the fields decoded. */
export function kinfoBytes(p: KinfoFixture, bytes?: Uint8Array, base = 0): Uint8Array {
  const f = new Fixture(kinfoProc, kinfoProc.size, base, bytes);
  f.i32("ki_structsize", p.structSize ?? kinfoProc.size)
    .i32("ki_layout", 0)
    .u64("ki_paddr", 0xfffff80012345678n)
    .u64("ki_wchan", 0xfffffe0000abcdefn)
    .i32("ki_pid", p.pid)
    .i32("ki_ppid", p.ppid)
    .i32("ki_pgid", p.pgid ?? p.pid)
    .i32("ki_tpgid", p.tpgid ?? -1)
    .i32("ki_sid", 77)
    .i32("ki_tsid", 78)
    .u32("ki_tdev_freebsd11", 0xffffffff)
    .noise("ki_siglist", 64)
    .u32("ki_uid", 1001)
    .u32("ki_ruid", 1001)
    .i16("ki_ngroups", 2)
    .u64("ki_size", p.vsz ?? 0)
    .i64("ki_rssize", p.rssPages ?? 0)
    .i64("ki_swrss", 999)
    .i64("ki_tsize", 111)
    .i64("ki_dsize", 222)
    .i64("ki_ssize", 333)
    .u64("ki_runtime", 1_234_567)
    .i64("ki_start", p.startSec)
    .i64("ki_start", p.startUsec, 8)
    .i64("ki_childtime", 5)
    .u8("ki_stat", p.stat ?? 2)
    .u8("ki_nice", 0)
    .noise("ki_tdname", TDNAMLEN + 1)
    .text("ki_tdname", `${p.comm}-thread`.slice(0, TDNAMLEN), TDNAMLEN + 1)
    .noise("ki_login", 18)
    .noise("ki_comm", COMMLEN + 1)
    .text("ki_comm", p.comm, COMMLEN + 1)
    .text("ki_emul", "FreeBSD ELF64", 17)
    .i32("ki_jid", 0)
    .i32("ki_numthreads", p.threads ?? 1)
    .i32("ki_tid", 100_000 + p.pid)
    .noise("ki_pri", 4, 0x78)
    .i64("ki_rusage", 3, rusage.offsets.ru_utime as number)
    .i64("ki_rusage", p.maxRssKiB ?? 0, rusage.offsets.ru_maxrss as number)
    .i64("ki_rusage", 4242, rusage.offsets.ru_ixrss as number)
    .i64("ki_rusage_ch", 7777, rusage.offsets.ru_maxrss as number);
  return f.bytes;
}

/** The array KERN_PROC_PROC returns: records back to back. */
export function kinfoListBytes(procs: KinfoFixture[], capacity = procs.length): Uint8Array {
  const bytes = new Uint8Array(capacity * kinfoProc.size);
  procs.forEach((p, i) => kinfoBytes(p, bytes, i * kinfoProc.size));
  return bytes;
}
