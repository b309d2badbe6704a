import { dlopen, FFIType } from "bun:ffi";

// prctl(2) through libc. PR_SET_CHILD_SUBREAPER makes orphans of the measured tree
// (double-forked daemons, `(cmd &)`) come to peak-mem instead of init, so they stay
// in the tree (GUIDE §2). glibc calls libc "libc.so.6"; musl names it after the
// architecture. Where no libc loads, or prctl fails, peak-mem carries on without it.

const PR_SET_CHILD_SUBREAPER = 36; // include/uapi/linux/prctl.h

const LIBC_NAMES = ["libc.so.6", `libc.musl-${muslArch()}.so.1`, `/lib/ld-musl-${muslArch()}.so.1`, "libc.so"];

function muslArch(): string {
  return process.arch === "arm64" ? "aarch64" : "x86_64";
}

/** Makes this process a child subreaper; false if the system would not. */
export function becomeChildSubreaper(): boolean {
  for (const name of LIBC_NAMES) {
    try {
      const libc = dlopen(name, {
        prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
      });
      try {
        return libc.symbols.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0;
      } finally {
        libc.close();
      }
    } catch {
      // Not this libc: try the next name.
    }
  }
  return false;
}
