import { CString, dlopen, FFIType, ptr, toArrayBuffer, type Pointer } from "bun:ffi";
import { samplingCode } from "../../runtime/hot.ts";

// libc through bun:ffi, loaded once, on first use. glibc calls it "libc.so.6"; musl names
// it after the architecture. Where no libc loads, callers carry on without it.
//
// prctl(PR_SET_CHILD_SUBREAPER) makes orphans of the measured tree (double-forked daemons,
// `(cmd &)`) come to peak-mem instead of init, so they stay in the tree and are measured.
// isatty answers "is this a terminal" for a few microseconds, where node:tty (and anything
// touching process.stdout.isTTY) costs Bun about 20 ms and 8 MiB at start-up.

//
// waitid + wait4 reap the orphans a subreaper is handed (never the command, which Bun
// reaps by its pid), so they don't pile up as zombies against a pids limit, and give each
// one's exact peak (ru_maxrss). pread reads the held /proc files at each sample
// (src/platform/linux/proc-files.ts). execve re-executes peak-mem when the runtime's options must
// be set before it starts (src/platform/linux/runtime/threads.ts).
//
// open/pread/read/write/close/readlink/access/opendir/readdir read /proc and write the
// report without node:fs, which costs Bun about 1.5 ms and 2 MiB to load at every start
// (src/platform/files.ts).

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
  syscall: { args: [FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64], returns: FFIType.i64_fast },
  open: { args: [FFIType.ptr, FFIType.i32, FFIType.u32], returns: FFIType.i32 },
  read: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64_fast },
  write: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64_fast },
  pwrite: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i64], returns: FFIType.i64_fast },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  readlink: { args: [FFIType.ptr, FFIType.ptr, FFIType.u64], returns: FFIType.i64_fast },
  access: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  opendir: { args: [FFIType.ptr], returns: FFIType.ptr },
  readdir: { args: [FFIType.ptr], returns: FFIType.ptr },
  closedir: { args: [FFIType.ptr], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

type Libc = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let loaded: Libc | null | undefined;

/** What libc is called here: glibc's name first, then musl's, then the development link. */
export function libcNames(): string[] {
  const arch = process.arch === "arm64" ? "aarch64" : "x86_64";
  return ["libc.so.6", `libc.musl-${arch}.so.1`, `/lib/ld-musl-${arch}.so.1`, "libc.so"];
}

/** `symbols` bound from the first of `names` that loads and has them all, else undefined. */
export function dlopenFirst<T extends Record<string, { args: readonly FFIType[]; returns: FFIType }>>(names: readonly string[], symbols: T): ReturnType<typeof dlopen<T>>["symbols"] | undefined {
  for (const name of names) {
    try {
      return dlopen(name, symbols).symbols;
    } catch {
      // Not in this one: the next.
    }
  }
  return undefined;
}

function libc(): Libc | null {
  if (loaded === undefined) loaded = dlopenFirst(libcNames(), SYMBOLS) ?? null;
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
  const fd = rawSyscall(SYS_PIDFD_OPEN, pid);
  return fd !== undefined && fd >= 0 ? fd : undefined;
}

/**
 * syscall(2) with up to five arguments (pointers as numbers: ptr()): the calls peak-mem needs
 * rarely go through the one symbol already compiled at start-up, where a symbol each would
 * cost start-up time (a TinyCC trampoline each). -1 with errno set on failure (lastErrno);
 * undefined where libc is not there.
 */
export function rawSyscall(number: number, a = 0, b = 0, c = 0, d = 0, e = 0): number | undefined {
  const symbols = libc();
  return symbols ? (symbols.syscall(number, a, b, c, d, e) as number) : undefined;
}

// clock_gettime(2) by number (asm/unistd_64.h 228; asm-generic/unistd.h 113 for arm64):
// once a run, to put the kernel's process events (stamped with CLOCK_MONOTONIC) on the run's clock.
const SYS_CLOCK_GETTIME = process.arch === "arm64" ? 113 : 228;
const CLOCK_MONOTONIC = 1;

/** CLOCK_MONOTONIC in ms (the clock the kernel stamps process events with); undefined without libc. */
export function monotonicMs(): number | undefined {
  const cell = new BigInt64Array(2);
  if (rawSyscall(SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, Number(ptr(cell))) !== 0) return undefined;
  return Number(cell[0]) * 1000 + Number(cell[1]) / 1e6;
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

// ---- raw descriptor calls, for the netlink sockets (./netlink-socket.ts) --------------------
// Failures come back as -errno, not as Errors: EAGAIN is every empty drain of a
// non-blocking socket, and must cost no allocation.

/** This thread's errno, read through the cell __errno_location points to. */
function currentErrno(symbols: Libc): number {
  errnoCell ??= new Int32Array(toArrayBuffer(symbols.__errno_location() as Pointer, 0, 4));
  return errnoCell[0] ?? 0;
}

/** read(2) of up to `buffer.length` bytes: the count, -errno on failure, undefined without libc. */
export function readRaw(fd: number, buffer: Uint8Array): number | undefined {
  const symbols = libc();
  if (!symbols) return undefined;
  const n = symbols.read(fd, buffer, buffer.length) as number;
  return n >= 0 ? n : -currentErrno(symbols);
}

/** write(2) of `buffer[0, length)`: the count, -errno on failure, undefined without libc. */
export function writeRaw(fd: number, buffer: Uint8Array, length: number): number | undefined {
  const symbols = libc();
  if (!symbols) return undefined;
  const n = symbols.write(fd, buffer, length) as number;
  return n >= 0 ? n : -currentErrno(symbols);
}

/** close(2), failures ignored (there is nothing to do about them). */
export function closeRaw(fd: number): void {
  libc()?.close(fd);
}

/** errno after a call made through another symbol set (./netlink-socket.ts): the same libc, the same thread. */
export function lastErrno(): number {
  const symbols = libc();
  return symbols ? currentErrno(symbols) : 0;
}

// ---- files, as node:fs would do them ----------------------------------------------------

/** What src/platform/files.ts needs of a file system; failures throw errors shaped as node:fs's. */
export interface SyncFiles {
  /** A read-only, close-on-exec descriptor. */
  openRead(path: string): number;
  /** Bytes read into `buffer` from `position`. */
  pread(fd: number, buffer: Uint8Array, position: number): number;
  /** Bytes read into `buffer[offset, offset + length)` from where the descriptor is (a pipe). */
  read(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  close(fd: number): void;
  /** The whole file; the bytes are `buffer`'s (a shared one, valid until the next call) up to `length`. */
  readAll(path: string): { buffer: Buffer; length: number };
  /** The same, or undefined when it cannot be read, without the cost of an error. */
  tryReadAll(path: string): { buffer: Buffer; length: number } | undefined;
  exists(path: string): boolean;
  readlink(path: string): string;
  /** The names in a directory but "." and "..", in the kernel's order (as Bun's readdirSync). */
  list(path: string): string[];
  /** Bytes written of `data[offset, offset + length)`, at `position` when given. */
  write(fd: number, data: Uint8Array, offset: number, length: number, position?: number): number;
  /** The size of `fd` when it is a regular file; undefined otherwise (a terminal, a pipe, closed). */
  regularFileSize(fd: number): number | undefined;
}

// statx(2) of a descriptor (an empty path with AT_EMPTY_PATH): its struct is the same on every
// architecture (include/uapi/linux/stat.h), where struct stat is not. Linux 4.11 and later; where
// it is refused (older kernels, a seccomp filter) node:fs answers instead.
const SYS_STATX = process.arch === "arm64" ? 291 : 332;
const AT_EMPTY_PATH = 0x1000;
const STATX_TYPE = 0x1;
const STATX_SIZE = 0x200;
const STATX_BYTES = 256;
const STX_MODE = 28; // __u16
const STX_SIZE = 40; // __u64
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

// include/uapi/asm-generic/fcntl.h (x86-64 and arm64 alike): O_RDONLY | O_NOCTTY | O_CLOEXEC, as node:fs opens.
const OPEN_FOR_READING = 0o2000400;
const EINTR = 4;
/** struct dirent's d_name, glibc and musl, 64-bit: after d_ino, d_off (8 each), d_reclen (2), d_type (1). */
const DIRENT_NAME = 19;

/** errno → [code, message] as node:fs (libuv) words them; include/uapi/asm-generic/errno*.h. */
const ERRNO: Record<number, [string, string]> = {
  1: ["EPERM", "operation not permitted"],
  2: ["ENOENT", "no such file or directory"],
  3: ["ESRCH", "no such process"],
  4: ["EINTR", "interrupted system call"],
  5: ["EIO", "i/o error"],
  6: ["ENXIO", "no such device or address"],
  9: ["EBADF", "bad file descriptor"],
  11: ["EAGAIN", "resource temporarily unavailable"],
  12: ["ENOMEM", "not enough memory"],
  13: ["EACCES", "permission denied"],
  14: ["EFAULT", "bad address in system call argument"],
  16: ["EBUSY", "resource busy or locked"],
  17: ["EEXIST", "file already exists"],
  19: ["ENODEV", "no such device"],
  20: ["ENOTDIR", "not a directory"],
  21: ["EISDIR", "illegal operation on a directory"],
  22: ["EINVAL", "invalid argument"],
  23: ["ENFILE", "file table overflow"],
  24: ["EMFILE", "too many open files"],
  26: ["ETXTBSY", "text file is busy"],
  27: ["EFBIG", "file too large"],
  28: ["ENOSPC", "no space left on device"],
  29: ["ESPIPE", "invalid seek"],
  30: ["EROFS", "read-only file system"],
  32: ["EPIPE", "broken pipe"],
  36: ["ENAMETOOLONG", "name too long"],
  40: ["ELOOP", "too many symbolic links encountered"],
  75: ["EOVERFLOW", "value too large for defined data type"],
  95: ["ENOTSUP", "operation not supported on socket"],
  104: ["ECONNRESET", "connection reset by peer"],
  122: ["EDQUOT", "disk quota exceeded"],
};

/** This thread's errno (peak-mem calls libc from its main thread only). */
let errnoCell: Int32Array | undefined;

function errnoError(symbols: Libc, syscall: string, path?: string): NodeJS.ErrnoException {
  errnoCell ??= new Int32Array(toArrayBuffer(symbols.__errno_location() as Pointer, 0, 4));
  const errno = errnoCell[0] ?? 0;
  const [code, text] = ERRNO[errno] ?? ["UNKNOWN", `unknown error ${errno}`];
  // As Bun's node:fs: the path is named when there is one (an empty one is not).
  const named = path !== undefined && path !== "";
  const error: NodeJS.ErrnoException = new Error(`${code}: ${text}, ${syscall}${named ? ` '${path}'` : ""}`);
  error.code = code;
  if (named) error.path = path;
  error.syscall = syscall;
  error.errno = -errno;
  return error;
}

let pathBuffer: Buffer | undefined;
/** Whole files are read into this one, grown as needed. */
let scratch: Buffer | undefined;

/** `path` as a NUL-terminated C string, UTF-8 as node:fs encodes it, in a shared buffer. */
function cPath(path: string): Buffer {
  if (!pathBuffer || path.length * 3 + 1 > pathBuffer.length) pathBuffer = Buffer.allocUnsafe(Math.max(4096, path.length * 3 + 1));
  pathBuffer[pathBuffer.write(path, 0, "utf8")] = 0;
  return pathBuffer;
}

let files: SyncFiles | null | undefined;

/**
 * libc's file calls, or undefined where libc could not be loaded. A path with a NUL in it
 * (which a C string would end at, and node:fs refuses) is handed to `others` instead.
 */
export function libcFiles(others: () => SyncFiles): SyncFiles | undefined {
  if (files !== undefined) return files ?? undefined;
  const symbols = libc();
  if (!symbols) {
    files = null;
    return undefined;
  }
  const openRead = (path: string): number => {
    if (path.includes("\0")) return others().openRead(path);
    for (;;) {
      const fd = symbols.open(cPath(path), OPEN_FOR_READING, 0);
      if (fd >= 0) return fd;
      const error = errnoError(symbols, "open", path);
      if (error.errno !== -EINTR) throw error;
    }
  };
  const close = (fd: number): void => {
    if (symbols.close(fd) !== 0) throw errnoError(symbols, "close");
  };
  /** Reads `fd` to its end into the scratch buffer, growing it, and closes it. */
  const readToEnd = (fd: number): { buffer: Buffer; length: number } => {
    scratch ??= Buffer.allocUnsafe(16384);
    let length = 0;
    try {
      for (;;) {
        if (length === scratch.length) {
          const bigger = Buffer.allocUnsafe(scratch.length * 2);
          bigger.set(scratch);
          scratch = bigger;
        }
        const n = Number(symbols.read(fd, scratch.subarray(length), scratch.length - length));
        if (n === 0) break;
        if (n > 0) length += n;
        else {
          const error = errnoError(symbols, "read");
          if (error.errno !== -EINTR) throw error;
        }
      }
    } finally {
      symbols.close(fd);
    }
    return { buffer: scratch, length };
  };
  files = {
    openRead,
    pread(fd, buffer, position) {
      for (;;) {
        const n = Number(symbols.pread(fd, buffer, buffer.length, position));
        if (n >= 0) return n;
        const error = errnoError(symbols, "read");
        if (error.errno !== -EINTR) throw error;
      }
    },
    read(fd, buffer, offset, length) {
      for (;;) {
        const n = Number(symbols.read(fd, buffer.subarray(offset, offset + length), length));
        if (n >= 0) return n;
        const error = errnoError(symbols, "read");
        if (error.errno !== -EINTR) throw error;
      }
    },
    close,
    readAll: (path) => readToEnd(openRead(path)),
    tryReadAll(path) {
      if (path.includes("\0")) return others().tryReadAll(path);
      const fd = symbols.open(cPath(path), OPEN_FOR_READING, 0);
      if (fd < 0) return undefined;
      try {
        return readToEnd(fd);
      } catch {
        return undefined;
      }
    },
    exists: (path) => (path.includes("\0") ? others().exists(path) : symbols.access(cPath(path), 0) === 0),
    regularFileSize(fd) {
      const bytes = new Uint8Array(STATX_BYTES);
      if (Number(symbols.syscall(SYS_STATX, fd, Number(ptr(cPath(""))), AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, Number(ptr(bytes)))) !== 0) return others().regularFileSize(fd);
      const stx = new DataView(bytes.buffer);
      return (stx.getUint16(STX_MODE, true) & S_IFMT) === S_IFREG ? Number(stx.getBigUint64(STX_SIZE, true)) : undefined;
    },
    readlink(path) {
      if (path.includes("\0")) return others().readlink(path);
      scratch ??= Buffer.allocUnsafe(16384);
      const n = Number(symbols.readlink(cPath(path), scratch, scratch.length));
      if (n < 0) throw errnoError(symbols, "readlink", path);
      return scratch.toString("utf8", 0, n);
    },
    list(path) {
      if (path.includes("\0")) return others().list(path);
      const dir = symbols.opendir(cPath(path));
      if (!dir) throw errnoError(symbols, "scandir", path);
      const names: string[] = [];
      errnoCell ??= new Int32Array(toArrayBuffer(symbols.__errno_location() as Pointer, 0, 4));
      try {
        for (;;) {
          // readdir returns null at the end and on an error: only errno tells them apart.
          errnoCell[0] = 0;
          const entry = symbols.readdir(dir);
          if (!entry) {
            if (errnoCell[0] !== 0) throw errnoError(symbols, "scandir", path);
            break;
          }
          const name = new CString(entry, DIRENT_NAME).toString();
          if (name !== "." && name !== "..") names.push(name);
        }
      } finally {
        symbols.closedir(dir);
      }
      return names;
    },
    write(fd, data, offset, length, position) {
      for (;;) {
        const chunk = data.subarray(offset, offset + length);
        const n = Number(position === undefined ? symbols.write(fd, chunk, length) : symbols.pwrite(fd, chunk, length, position));
        if (n >= 0) return n;
        const error = errnoError(symbols, "write");
        if (error.errno !== -EINTR) throw error;
      }
    },
  };
  return files;
}
