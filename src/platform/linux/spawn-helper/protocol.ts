// What the spawn helper (spawn-*.S) writes, and its decoding. Why a helper: the command's
// own ru_maxrss, with Bun as its parent, can never be below Bun's: Bun spawns with vfork,
// and at exec the kernel keeps the spawner's RSS high-water mark in the child (fs/exec.c,
// setmax_mm_hiwater_rss). A tiny helper forks the command itself, so the floor is the
// helper's few pages, and reports the rusage of what it reaped (GNU time's design).
//
// Two pipes, records fixed-size, little-endian int32s, each record one write (atomic):
//   fd 3, exec status: nothing (EOF) once the command has exec'd; else one record
//     [stage: 1 fork | 2 exec, errno]. The helper then exits 125 (fork) or its child 127.
//   fd 4, result: [pid, 0] as soon as the command is forked, then, once it is reaped,
//     [wait status, 0, struct rusage (144 bytes)], and the helper exits 0.
// The helper ignores every signal it can once the command runs (SIGKILL aside), so that
// it outlives the command to report.

export const EXEC_STATUS_BYTES = 8;
export const PID_RECORD_BYTES = 8;
export const END_RECORD_BYTES = 8 + 144;

const STAGES = { 1: "fork", 2: "exec" } as const;

export type ExecStatus = { failed: false } | { failed: true; stage: "fork" | "exec"; errno: number };

/** The exec-status pipe's contents, read up to EOF: `length` bytes of `bytes`. */
export function decodeExecStatus(bytes: Uint8Array, length: number): ExecStatus {
  if (length === 0) return { failed: false };
  if (length !== EXEC_STATUS_BYTES) throw new Error(`spawn helper: ${length}-byte exec status, expected 0 or ${EXEC_STATUS_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const stage = STAGES[view.getInt32(0, true) as keyof typeof STAGES];
  if (!stage) throw new Error(`spawn helper: unknown stage ${view.getInt32(0, true)}`);
  return { failed: true, stage, errno: view.getInt32(4, true) };
}

/**
 * The result pipe's first record, `length` bytes read of it: the command's pid, or
 * undefined when there is none (the fork failed, or the helper died before it).
 */
export function decodePid(bytes: Uint8Array, length: number): number | undefined {
  if (length < PID_RECORD_BYTES) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, length).getInt32(0, true);
}

/** What the helper reaped: the command's end. */
export interface Reaped {
  /** The raw wait status: see waitStatus. */
  status: number;
  /** ru_maxrss (KiB) in bytes: the command's peak RSS, or a waited-for descendant's. */
  maxRssBytes: number;
  userMs: number;
  systemMs: number;
}

// struct rusage (include/uapi/linux/resource.h): ru_utime, ru_stime (struct timeval:
// 64-bit tv_sec, tv_usec), then long ru_maxrss in KiB; after the record's status and 0.
const RU_UTIME = 8;
const RU_STIME = 8 + 16;
const RU_MAXRSS = 8 + 32;

/**
 * The result pipe's second record, read after the pid record (`length` bytes of it):
 * undefined when short, as when the helper was killed (SIGKILL) before the command ended.
 */
export function decodeEnd(bytes: Uint8Array, length: number): Reaped | undefined {
  if (length < END_RECORD_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const long = (offset: number) => Number(view.getBigInt64(offset, true));
  const ms = (offset: number) => long(offset) * 1000 + long(offset + 8) / 1000;
  return { status: view.getInt32(0, true), maxRssBytes: long(RU_MAXRSS) * 1024, userMs: ms(RU_UTIME), systemMs: ms(RU_STIME) };
}

/**
 * A wait status as WIFEXITED / WEXITSTATUS / WTERMSIG / WCOREDUMP read it (glibc
 * bits/waitstatus.h; built in kernel/exit.c): low 7 bits the signal, 0 for an exit, whose
 * code is bits 8-15; bit 7 a core dump. wait4 without WUNTRACED never reports a stop.
 */
export function waitStatus(status: number): { exitCode: number } | { signal: number; coreDumped: boolean } {
  const signal = status & 0x7f;
  if (signal === 0) return { exitCode: (status >> 8) & 0xff };
  if (signal === 0x7f) throw new Error(`spawn helper: stop status ${status}, not an end`);
  return { signal, coreDumped: (status & 0x80) !== 0 };
}

/**
 * errno names by number, the same on x86_64 and arm64 (include/uapi/asm-generic/
 * errno-base.h and errno.h): those fork and execve report.
 */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  5: "EIO",
  7: "E2BIG",
  8: "ENOEXEC",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  26: "ETXTBSY",
  36: "ENAMETOOLONG",
  40: "ELOOP",
};

/** "ENOENT", or "errno 99" for one the table lacks. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}
