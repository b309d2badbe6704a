import { dlopen, FFIType, ptr } from "bun:ffi";
import { samplingCode } from "../src/monitor/hot.ts";

// libc through bun:ffi, loaded once, on first use. glibc calls it "libc.so.6"; musl names
// it after the architecture. Where no libc loads, callers carry on without it.
//
// prctl(PR_SET_CHILD_SUBREAPER) makes orphans of the measured tree (double-forked daemons,
// `(cmd &)`) come to peak-mem instead of init, so they stay in the tree (GUIDE §2).
// isatty answers "is this a terminal" for a few microseconds, where node:tty (and anything
// touching process.stdout.isTTY) costs Bun about 20 ms and 8 MiB at start-up.

//
// waitid + wait4 reap the orphans a subreaper is handed (never the command, which Bun
// reaps by its pid), so they don't pile up as zombies against a pids limit, and give each
// one's exact peak (ru_maxrss). pread reads the held /proc files at each sample
// (src/platform/linux/proc-files.ts). execve re-executes peak-mem when the runtime's options must
// be set before it starts (src/platform/linux/runtime-threads.ts).

const PR_SET_CHILD_SUBREAPER = 36; // include/uapi/linux/prctl.h
// include/uapi/linux/wait.h
const P_ALL = 0;
const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
// siginfo_t is 128 bytes; for SIGCHLD si_pid sits at 16 on every 64-bit Linux ABI
// (si_signo, si_errno, si_code, padding to 8, then the union: include/uapi/asm-generic/siginfo.h).
const SIGINFO_SIZE = 128;
const SI_PID = 16;
// struct rusage: two struct timeval (16 bytes each), then long ru_maxrss in KiB (getrusage(2)).
const RUSAGE_SIZE = 144;
const RU_MAXRSS = 32;

const SYMBOLS = {
  prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  isatty: { args: [FFIType.i32], returns: FFIType.i32 },
  waitid: { args: [FFIType.i32, FFIType.u32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  wait4: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  memfd_create: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  pread: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i64], returns: FFIType.i64_fast },
  ppoll: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  syscall: { args: [FFIType.i64, FFIType.i64, FFIType.i64], returns: FFIType.i64_fast },
} as const;

type Libc = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let loaded: Libc | null | undefined;

function libc(): Libc | null {
  if (loaded !== undefined) return loaded;
  const arch = process.arch === "arm64" ? "aarch64" : "x86_64";
  for (const name of ["libc.so.6", `libc.musl-${arch}.so.1`, `/lib/ld-musl-${arch}.so.1`, "libc.so"]) {
    try {
      loaded = dlopen(name, SYMBOLS).symbols;
      return loaded;
    } catch {
      // Not this libc: try the next name.
    }
  }
  loaded = null;
  return loaded;
}

/** Makes this process a child subreaper; false if the system would not. */
export function becomeChildSubreaper(): boolean {
  return libc()?.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0;
}

/** isatty(3); undefined when libc could not be loaded. */
export function isatty(fd: number): boolean | undefined {
  const symbols = libc();
  return symbols ? symbols.isatty(fd) === 1 : undefined;
}

/**
 * pread(2) of `buffer.length` bytes at offset 0: the bytes read, -1 on failure, or
 * undefined when libc is not there (then use node:fs). The sampler's one read per process
 * per sample: a quarter of what fs.readSync costs the runtime around the same system call.
 */
export function preadHead(fd: number, buffer: Uint8Array): number | undefined {
  const symbols = libc();
  // i64_fast: a number, as any count this small is.
  return symbols ? (symbols.pread(fd, buffer, buffer.length, 0) as number) : undefined;
}

// pidfd_open(2) has one number on every architecture (include/uapi/asm-generic/unistd.h,
// shared since Linux 5.1); libc may have no wrapper for it (musl), so it is called by number.
const SYS_PIDFD_OPEN = 434;

/** A pidfd for `pid` (Linux 5.3+): readable once the process has exited. Undefined where there is none. */
export function pidfdOpen(pid: number): number | undefined {
  const symbols = libc();
  if (!symbols) return undefined;
  const fd = symbols.syscall(SYS_PIDFD_OPEN, pid, 0);
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

// struct pollfd { int fd; short events; short revents; }: 8 bytes (poll(2)).
const POLLIN = 1;
const POLLFD_SIZE = 8;
/** struct timespec { time_t tv_sec; long tv_nsec; }: two 64-bit words, little-endian on every Bun target. */
const timespec = new Int32Array(4);

/** pollfd entries for `fds`, each waiting to be readable, for pollFor. */
export function pollSet(fds: readonly number[]): Int32Array {
  const set = new Int32Array((fds.length * POLLFD_SIZE) / 4);
  fds.forEach((fd, i) => {
    set[i * 2] = fd;
    set[i * 2 + 1] = POLLIN; // events in the low half, revents (0) in the high half
  });
  return set;
}

/**
 * Blocks for up to `ms` (fractions of a millisecond included) until one of the set's
 * descriptors is ready or a signal arrives (ppoll(2)): the count of ready ones, 0 when
 * the time ran out, -1 on a signal or an error; undefined where libc is not there.
 */
export function pollFor(set: Int32Array, ms: number): number | undefined {
  const symbols = libc();
  if (!symbols) return undefined;
  // Set as two 32-bit halves each: a BigInt per call would be garbage at every sample.
  const ns = Math.max(0, Math.round(ms * 1e6));
  timespec[0] = Math.floor(ns / 1e9);
  timespec[2] = ns % 1e9;
  return symbols.ppoll(set, set.length / 2, timespec, null);
}

const siginfo = new Uint8Array(SIGINFO_SIZE);
const siginfoView = new DataView(siginfo.buffer);
const statusCell = new Int32Array(1);
const rusage = new Uint8Array(RUSAGE_SIZE);
const rusageView = new DataView(rusage.buffer);

/**
 * The pid of a child of ours that has exited and is not yet reaped, without reaping it
 * (waitid WNOWAIT); 0 when there is none; undefined when libc is not there.
 */
export function exitedChild(): number | undefined {
  const symbols = libc();
  if (!symbols) return undefined;
  siginfoView.setInt32(SI_PID, 0, true);
  if (symbols.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) !== 0) return 0; // ECHILD: no children
  return siginfoView.getInt32(SI_PID, true);
}

samplingCode(libc, preadHead, pollFor, exitedChild);

/**
 * Reaps child `pid` if it has exited (wait4 WNOHANG): its ru_maxrss in bytes, the signal
 * that killed it (0 if none) and its exit code, or undefined when it is still running or not ours to reap.
 */
export function reapChild(pid: number): { maxRss: number; signal: number; exitCode: number } | undefined {
  const symbols = libc();
  if (!symbols || symbols.wait4(pid, statusCell, WNOHANG, rusage) !== pid) return undefined;
  // The wait status: the low 7 bits are the terminating signal, 0 for a normal exit
  // (WTERMSIG), then the exit code (WEXITSTATUS).
  const status = statusCell[0] ?? 0;
  const termination = status & 0x7f;
  return { maxRss: Number(rusageView.getBigInt64(RU_MAXRSS, true)) * 1024, signal: termination === 0x7f ? 0 : termination, exitCode: (status >> 8) & 0xff };
}

/**
 * Replaces this process with `path` run with `argv` and `env` (raw bytes, each without its
 * NUL). Returns only if execve failed.
 */
export function execve(path: Uint8Array, argv: Uint8Array[], env: Uint8Array[]): void {
  const symbols = libc();
  if (!symbols) return;
  const keep: Uint8Array[] = [];
  const cString = (bytes: Uint8Array) => {
    const copy = new Uint8Array(bytes.length + 1);
    copy.set(bytes);
    keep.push(copy);
    return copy;
  };
  const pointers = (items: Uint8Array[]) => {
    const array = new BigUint64Array(items.length + 1);
    items.forEach((item, i) => (array[i] = BigInt(ptr(cString(item)))));
    keep.push(new Uint8Array(array.buffer));
    return array;
  };
  symbols.execve(cString(path), pointers(argv), pointers(env));
  keep.length = 0;
}

// include/uapi/linux/memfd.h; MFD_EXEC is Linux 6.3+ (older kernels refuse it: EINVAL).
const MFD_CLOEXEC = 1;
const MFD_EXEC = 0x10;
const O_CLOEXEC = 0o2000000;

/**
 * A new, empty, executable in-memory file (memfd_create): its fd, or undefined where the
 * system has none. Close-on-exec: only peak-mem holds it.
 */
export function memoryFile(name: string): number | undefined {
  const symbols = libc();
  if (!symbols) return undefined;
  const cName = new TextEncoder().encode(`${name}\0`);
  let fd = symbols.memfd_create(cName, MFD_CLOEXEC | MFD_EXEC);
  if (fd < 0) fd = symbols.memfd_create(cName, MFD_CLOEXEC);
  if (fd < 0) return undefined;
  return fd;
}

const pipeCells = new Int32Array(2);

/** A close-on-exec pipe: [read end, write end], or undefined when none can be made. */
export function pipe(): [number, number] | undefined {
  const symbols = libc();
  if (!symbols || symbols.pipe2(pipeCells, O_CLOEXEC) !== 0) return undefined;
  return [pipeCells[0] as number, pipeCells[1] as number];
}
