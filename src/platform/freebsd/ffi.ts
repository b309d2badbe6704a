import { dlopen, FFIType } from "bun:ffi";

// FreeBSD's libc through bun:ffi, loaded once, on first use: importing this module dlopens
// nothing, so it is safe to import anywhere (the tests import it on Linux).
//
// NOT RUN ANYWHERE YET. Bun has no FreeBSD build target today (and bun:ffi relies on
// TinyCC, which FreeBSD builds lack). This file is written against the
// FreeBSD headers and kept ready for when Bun can target FreeBSD; what it does is tested
// through src/platform/freebsd/reader.ts with a fake in place of it.
//
// Signatures (FreeBSD libc, libc.so.7; sysctl(3), getpagesize(3), isatty(3)):
//   int sysctl(const int *name, u_int namelen, void *oldp, size_t *oldlenp,
//              const void *newp, size_t newlen);
//       0 on success, with *oldlenp set to the bytes written; with oldp NULL, *oldlenp is
//       set to the size needed. -1 with errno on failure (ENOMEM: oldp too small;
//       ESRCH: no such process for KERN_PROC_PID).
//   int getpagesize(void);
//   int isatty(int fd);

const LIBC = "libc.so.7";

const SYMBOLS = {
  sysctl: {
    args: [FFIType.ptr, FFIType.u32, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64],
    returns: FFIType.i32,
  },
  getpagesize: { args: [], returns: FFIType.i32 },
  isatty: { args: [FFIType.i32], returns: FFIType.i32 },
} as const;

type Libc = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

/** What the FreeBSD reader needs from the system; a fake stands in for it in tests. */
export interface FreebsdBindings {
  /** Loads libc now; throws an Error naming what failed. */
  load(): void;
  /**
   * sysctl(mib) reading into `buffer` (its whole length offered), or asking the size
   * needed when `buffer` is null: the bytes written (or needed), -1 on failure.
   */
  sysctl(mib: Int32Array, buffer: Uint8Array | null): number;
  pageSize(): number;
  /** isatty(3); undefined when libc could not be loaded. */
  isatty(fd: number): boolean | undefined;
}

let loaded: Libc | undefined;
let loadError: string | undefined;

function libc(): Libc {
  if (loaded) return loaded;
  if (loadError === undefined) {
    try {
      loaded = dlopen(LIBC, SYMBOLS).symbols;
      return loaded;
    } catch (error) {
      loadError = `${LIBC}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  throw new Error(`cannot load libc (${loadError})`);
}

/** size_t *oldlenp, reused by every call (calls are synchronous). */
const lengthCell = new BigUint64Array(1);

export const freebsdBindings: FreebsdBindings = {
  load() {
    libc();
  },
  sysctl(mib, buffer) {
    lengthCell[0] = BigInt(buffer?.byteLength ?? 0);
    const result = libc().sysctl(mib, mib.length, buffer, lengthCell, null, 0);
    return result === 0 ? Number(lengthCell[0]) : -1;
  },
  pageSize: () => libc().getpagesize(),
  isatty(fd) {
    try {
      return libc().isatty(fd) === 1;
    } catch {
      return undefined;
    }
  },
};
