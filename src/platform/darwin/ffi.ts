import { dlopen, FFIType } from "bun:ffi";

// libproc and libc on macOS through bun:ffi, loaded once, on first use: importing this
// module dlopens nothing, so it is safe to import on Linux (the tests do).
//
// The libproc functions are implemented in libsystem_kernel (libsyscall/wrappers/libproc)
// and re-exported by libSystem, which every process links. /usr/lib/libproc.dylib, the
// library's own name, is tried first, then libSystem. Since macOS 11 system libraries are not
// files on disk; dlopen finds them in the dyld shared cache. Not run here (Linux): which of
// the two names answers is for the macOS CI job to show.
//
// Signatures (libsyscall/wrappers/libproc/libproc.h in apple-oss-distributions/xnu):
//   int proc_pidinfo(int pid, int flavor, uint64_t arg, void *buffer, int buffersize);
//       bytes written; 0 on error (libproc.c turns the syscall's -1 into 0)
//   int proc_listallpids(void *buffer, int buffersize);
//   int proc_listchildpids(pid_t ppid, void *buffer, int buffersize);
//       a COUNT of pids (libproc.c divides the kernel's byte count by sizeof(int))
//   int proc_pid_rusage(int pid, int flavor, rusage_info_t *buffer);
//       0 on success, -1 with errno on failure; works on zombies too
//   int isatty(int fd);
//   int sysctlbyname(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
//       (sysctl(3), exported by libSystem) 0 on success, -1 with errno;
//       *oldlenp in: the room at oldp, out: the bytes written

const LIBPROC_CANDIDATES = ["/usr/lib/libproc.dylib", "/usr/lib/libSystem.B.dylib"];
const LIBC = "/usr/lib/libSystem.B.dylib";

const LIBPROC_SYMBOLS = {
  proc_pidinfo: { args: [FFIType.i32, FFIType.i32, FFIType.u64, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  proc_listallpids: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  proc_listchildpids: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  proc_pid_rusage: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
} as const;

const LIBC_SYMBOLS = {
  isatty: { args: [FFIType.i32], returns: FFIType.i32 },
  sysctlbyname: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64], returns: FFIType.i32 },
} as const;

type Libproc = ReturnType<typeof dlopen<typeof LIBPROC_SYMBOLS>>["symbols"];
type Libc = ReturnType<typeof dlopen<typeof LIBC_SYMBOLS>>["symbols"];

/**
 * What the Darwin reader needs from the system, as plain functions over byte buffers, so
 * that a fake can stand in for it in tests (test/platform/darwin/reader.test.ts).
 */
export interface DarwinBindings {
  /** Loads the libraries now; throws an Error naming what failed. */
  load(): void;
  /** proc_pidinfo into `buffer` (its whole length offered): bytes written, 0 on error. */
  pidinfo(pid: number, flavor: number, buffer: Uint8Array): number;
  /** proc_listallpids into `buffer`: the number of pids written, ≤ 0 on error. */
  listallpids(buffer: Uint8Array): number;
  /** proc_listchildpids into `buffer`: the number of pids written, ≤ 0 on error or none. */
  listchildpids(ppid: number, buffer: Uint8Array): number;
  /** proc_pid_rusage into `buffer` (large enough for the flavor): 0 on success. */
  pidRusage(pid: number, flavor: number, buffer: Uint8Array): number;
  /** isatty(3); undefined when libc could not be loaded. */
  isatty(fd: number): boolean | undefined;
  /**
   * sysctlbyname(3) read into `buffer` (its whole length offered): the bytes written, or
   * undefined when the call failed or libc could not be loaded. Never throws.
   */
  sysctl(name: string, buffer: Uint8Array): number | undefined;
}

let libprocLoaded: Libproc | undefined;
let libprocError: string | undefined;
let libcLoaded: Libc | null | undefined;
/** sysctlbyname's size_t *oldlenp. */
const sysctlLength = new BigUint64Array(1);

function libproc(): Libproc {
  if (libprocLoaded) return libprocLoaded;
  if (libprocError === undefined) {
    const failures: string[] = [];
    for (const name of LIBPROC_CANDIDATES) {
      try {
        libprocLoaded = dlopen(name, LIBPROC_SYMBOLS).symbols;
        return libprocLoaded;
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    libprocError = failures.join("; ");
  }
  throw new Error(`cannot load libproc (${libprocError})`);
}

function libc(): Libc | null {
  if (libcLoaded !== undefined) return libcLoaded;
  try {
    libcLoaded = dlopen(LIBC, LIBC_SYMBOLS).symbols;
  } catch {
    libcLoaded = null;
  }
  return libcLoaded;
}

export const macosBindings: DarwinBindings = {
  load() {
    libproc();
  },
  pidinfo: (pid, flavor, buffer) => libproc().proc_pidinfo(pid, flavor, 0, buffer, buffer.byteLength),
  listallpids: (buffer) => libproc().proc_listallpids(buffer, buffer.byteLength),
  listchildpids: (ppid, buffer) => libproc().proc_listchildpids(ppid, buffer, buffer.byteLength),
  pidRusage: (pid, flavor, buffer) => libproc().proc_pid_rusage(pid, flavor, buffer),
  isatty(fd) {
    const symbols = libc();
    return symbols ? symbols.isatty(fd) === 1 : undefined;
  },
  sysctl(name, buffer) {
    const symbols = libc();
    if (!symbols) return undefined;
    try {
      sysctlLength[0] = BigInt(buffer.byteLength);
      const nameBytes = Buffer.from(`${name}\0`, "utf8"); // a C string
      if (symbols.sysctlbyname(nameBytes, buffer, sysctlLength, null, 0) !== 0) return undefined;
      return Number(sysctlLength[0]);
    } catch {
      return undefined;
    }
  },
};
