import { array, C, Fixture, layout } from "../c-layout.ts";

// The macOS structs as their headers declare them, field by field (LP64), for fixtures.
// apple-oss-distributions/xnu bsd/sys/proc_info.h and bsd/sys/resource.h; MAXCOMLEN = 16
// (bsd/sys/param.h). Offsets come from the C layout rules, not from the decoder.

const MAXCOMLEN = 16;

export const procBsdinfo = layout([
  ["pbi_flags", C.u32],
  ["pbi_status", C.u32],
  ["pbi_xstatus", C.u32],
  ["pbi_pid", C.u32],
  ["pbi_ppid", C.u32],
  ["pbi_uid", C.u32],
  ["pbi_gid", C.u32],
  ["pbi_ruid", C.u32],
  ["pbi_rgid", C.u32],
  ["pbi_svuid", C.u32],
  ["pbi_svgid", C.u32],
  ["rfu_1", C.u32],
  ["pbi_comm", array(C.char, MAXCOMLEN)],
  ["pbi_name", array(C.char, 2 * MAXCOMLEN)],
  ["pbi_nfiles", C.u32],
  ["pbi_pgid", C.u32],
  ["pbi_pjobc", C.u32],
  ["e_tdev", C.u32],
  ["e_tpgid", C.u32],
  ["pbi_nice", C.i32],
  ["pbi_start_tvsec", C.u64],
  ["pbi_start_tvusec", C.u64],
]);

export const procTaskinfo = layout([
  ["pti_virtual_size", C.u64],
  ["pti_resident_size", C.u64],
  ["pti_total_user", C.u64],
  ["pti_total_system", C.u64],
  ["pti_threads_user", C.u64],
  ["pti_threads_system", C.u64],
  ["pti_policy", C.i32],
  ["pti_faults", C.i32],
  ["pti_pageins", C.i32],
  ["pti_cow_faults", C.i32],
  ["pti_messages_sent", C.i32],
  ["pti_messages_received", C.i32],
  ["pti_syscalls_mach", C.i32],
  ["pti_syscalls_unix", C.i32],
  ["pti_csw", C.i32],
  ["pti_threadnum", C.i32],
  ["pti_numrunning", C.i32],
  ["pti_priority", C.i32],
]);

const RUSAGE_V4_U64 = [
  "ri_user_time",
  "ri_system_time",
  "ri_pkg_idle_wkups",
  "ri_interrupt_wkups",
  "ri_pageins",
  "ri_wired_size",
  "ri_resident_size",
  "ri_phys_footprint",
  "ri_proc_start_abstime",
  "ri_proc_exit_abstime",
  "ri_child_user_time",
  "ri_child_system_time",
  "ri_child_pkg_idle_wkups",
  "ri_child_interrupt_wkups",
  "ri_child_pageins",
  "ri_child_elapsed_abstime",
  "ri_diskio_bytesread",
  "ri_diskio_byteswritten",
  "ri_cpu_time_qos_default",
  "ri_cpu_time_qos_maintenance",
  "ri_cpu_time_qos_background",
  "ri_cpu_time_qos_utility",
  "ri_cpu_time_qos_legacy",
  "ri_cpu_time_qos_user_initiated",
  "ri_cpu_time_qos_user_interactive",
  "ri_billed_system_time",
  "ri_serviced_system_time",
  "ri_logical_writes",
  "ri_lifetime_max_phys_footprint",
  "ri_instructions",
  "ri_cycles",
  "ri_billed_energy",
  "ri_serviced_energy",
  "ri_interval_max_phys_footprint",
  "ri_runnable_time",
] as const;

export const rusageInfoV4 = layout([["ri_uuid", array(C.u8, 16)], ...RUSAGE_V4_U64.map((name) => [name, C.u64] as const)]);

export interface ProcessFixture {
  pid: number;
  ppid: number;
  comm: string;
  name?: string;
  status?: number;
  pgid?: number;
  tpgid?: number;
  startSec: number;
  startUsec: number;
  rss?: number;
  vsz?: number;
  threads?: number;
}

/** A proc_bsdinfo as the kernel fills it, with noise in the fields the decoder must skip. */
export function bsdinfoBytes(p: ProcessFixture, bytes?: Uint8Array, base = 0): Uint8Array {
  const f = new Fixture(procBsdinfo, procBsdinfo.size, base, bytes);
  f.u32("pbi_flags", 0x4010)
    .u32("pbi_status", p.status ?? 2)
    .u32("pbi_xstatus", 0xdead)
    .u32("pbi_pid", p.pid)
    .u32("pbi_ppid", p.ppid)
    .u32("pbi_uid", 501)
    .u32("pbi_gid", 20)
    .u32("rfu_1", 0xffffffff)
    .noise("pbi_comm", MAXCOMLEN)
    .noise("pbi_name", 2 * MAXCOMLEN)
    .text("pbi_comm", p.comm, MAXCOMLEN)
    .text("pbi_name", p.name ?? "", 2 * MAXCOMLEN)
    .u32("pbi_nfiles", 7)
    .u32("pbi_pgid", p.pgid ?? p.pid)
    .u32("pbi_pjobc", 0x77777777)
    .u32("e_tdev", 0x10000004)
    .u32("e_tpgid", p.tpgid ?? 0)
    .i32("pbi_nice", -5)
    .u64("pbi_start_tvsec", p.startSec)
    .u64("pbi_start_tvusec", p.startUsec);
  return f.bytes;
}

export function taskinfoBytes(p: Pick<ProcessFixture, "rss" | "vsz" | "threads">, bytes?: Uint8Array, base = 0): Uint8Array {
  const f = new Fixture(procTaskinfo, procTaskinfo.size, base, bytes);
  f.u64("pti_virtual_size", p.vsz ?? 0)
    .u64("pti_resident_size", p.rss ?? 0)
    .u64("pti_total_user", 123_456_789)
    .u64("pti_total_system", 98_765)
    .i32("pti_policy", 1)
    .i32("pti_faults", 4242)
    .i32("pti_csw", 99)
    .i32("pti_threadnum", p.threads ?? 1)
    .i32("pti_numrunning", 1)
    .i32("pti_priority", 31);
  return f.bytes;
}

/** struct proc_taskallinfo { proc_bsdinfo pbsd; proc_taskinfo ptinfo; } */
export const procTaskallinfo = layout([
  ["pbsd", { size: procBsdinfo.size, align: procBsdinfo.align }],
  ["ptinfo", { size: procTaskinfo.size, align: procTaskinfo.align }],
]);

export function taskallinfoBytes(p: ProcessFixture): Uint8Array {
  const bytes = new Uint8Array(procTaskallinfo.size);
  bsdinfoBytes(p, bytes, procTaskallinfo.offsets.pbsd);
  taskinfoBytes(p, bytes, procTaskallinfo.offsets.ptinfo);
  return bytes;
}

export function rusageV4Bytes(values: Partial<Record<(typeof RUSAGE_V4_U64)[number], number>>): Uint8Array {
  const f = new Fixture(rusageInfoV4);
  f.noise("ri_uuid", 16, 0x42);
  // Every field distinct, so a decoder off by one field reads a wrong, visible value.
  RUSAGE_V4_U64.forEach((name, i) => f.u64(name, values[name] ?? 1000 + i));
  return f.bytes;
}

/** An int array as proc_listallpids fills it. */
export function pidBytes(pids: number[], capacity = pids.length): Uint8Array {
  const bytes = new Uint8Array(capacity * 4);
  const view = new DataView(bytes.buffer);
  pids.forEach((pid, i) => view.setInt32(i * 4, pid, true));
  return bytes;
}
