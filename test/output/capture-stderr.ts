import { dlopen, FFIType } from "bun:ffi";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// What a synchronous function writes to file descriptor 2 (peak-mem's warnings go there with
// writeSync(2, …), past anything process.stderr could intercept): fd 2 is pointed at a
// temporary file with dup2 for the call, then put back. Nothing else can write in between.

const SYMBOLS = {
  dup: { args: [FFIType.i32], returns: FFIType.i32 },
  dup2: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
} as const;

function libc() {
  const arch = process.arch === "arm64" ? "aarch64" : "x86_64";
  for (const name of ["libc.so.6", `libc.musl-${arch}.so.1`, `/lib/ld-musl-${arch}.so.1`, "libc.so"]) {
    try {
      return dlopen(name, SYMBOLS).symbols;
    } catch {
      // Not this libc: try the next name.
    }
  }
  throw new Error("no libc to capture stderr with");
}

const symbols = libc();

/** Runs `fn` with fd 2 captured; returns what was written there, and what `fn` returned. */
export function captureStderr<T>(fn: () => T): { stderr: string; result: T } {
  const dir = mkdtempSync(join(tmpdir(), "peak-mem-stderr-"));
  const file = join(dir, "stderr");
  const fd = openSync(file, "w");
  const saved = symbols.dup(2);
  if (saved < 0) throw new Error("dup(2) failed");
  let result: T;
  try {
    if (symbols.dup2(fd, 2) !== 2) throw new Error("dup2 failed");
    result = fn();
  } finally {
    symbols.dup2(saved, 2);
    closeSync(saved);
    closeSync(fd);
  }
  const stderr = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true, force: true });
  return { stderr, result };
}
