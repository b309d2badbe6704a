import { dlopen, FFIType, ptr } from "bun:ffi";

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
// one's exact peak (ru_maxrss). execve re-executes peak-mem when the runtime's options must
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
