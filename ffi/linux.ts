import { dlopen, FFIType } from "bun:ffi";

// libc through bun:ffi, loaded once, on first use. glibc calls it "libc.so.6"; musl names
// it after the architecture. Where no libc loads, callers carry on without it.
//
// prctl(PR_SET_CHILD_SUBREAPER) makes orphans of the measured tree (double-forked daemons,
// `(cmd &)`) come to peak-mem instead of init, so they stay in the tree (GUIDE §2).
// isatty answers "is this a terminal" for a few microseconds, where node:tty (and anything
// touching process.stdout.isTTY) costs Bun about 20 ms and 8 MiB at start-up.

const PR_SET_CHILD_SUBREAPER = 36; // include/uapi/linux/prctl.h

const SYMBOLS = {
  prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  isatty: { args: [FFIType.i32], returns: FFIType.i32 },
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
