// The NVML stand-in (nvml-stub.c) and its workload (gpu-hold.c), compiled with the system's cc
// once per test process, and the state directories that drive them. nvml-stub.c's opening
// comment is the stand-in's whole control interface.
import { dlopen, FFIType } from "bun:ffi";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface NvmlStub {
  /** A directory holding libnvidia-ml.so.1 with every entry point. */
  dir: string;
  /** A directory holding libnvidia-ml.so.1 as an old driver's: no _v2/_v3 process lists, no nvmlDeviceGetMemoryInfo_v2. */
  oldDir: string;
  /** The gpu-hold program. */
  hold: string;
}

export const STUB_LIBRARY = "libnvidia-ml.so.1";
const SOURCES = import.meta.dir;

let built: Promise<NvmlStub | undefined> | undefined;

/** Both library variants and gpu-hold in a fresh temporary directory; undefined where there is no cc. */
export function buildNvmlStub(): Promise<NvmlStub | undefined> {
  built ??= build();
  return built;
}

async function build(): Promise<NvmlStub | undefined> {
  const cc = Bun.which("cc");
  if (!cc) {
    console.log("no C compiler (cc): NVML stand-in tests skipped");
    return undefined;
  }
  const root = mkdtempSync(join(tmpdir(), "peak-mem-nvml-stub-"));
  const dir = join(root, "current");
  const oldDir = join(root, "old");
  mkdirSync(dir);
  mkdirSync(oldDir);
  const hold = join(root, "gpu-hold");
  const library = join(SOURCES, "nvml-stub.c");
  compile(cc, ["-shared", "-fPIC", "-O2", "-o", join(dir, STUB_LIBRARY), library]);
  compile(cc, ["-shared", "-fPIC", "-O2", "-DSTUB_OLD_DRIVER", "-o", join(oldDir, STUB_LIBRARY), library]);
  compile(cc, ["-O2", "-o", hold, join(SOURCES, "gpu-hold.c")]);
  return { dir, oldDir, hold };
}

function compile(cc: string, args: string[]): void {
  const result = Bun.spawnSync([cc, ...args], { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`cc ${args.join(" ")} failed: ${result.stderr.toString()}`);
}

export interface StubDevice {
  total: number;
  name: string;
  accounting?: boolean;
  baseUsed?: number;
}

/** A fresh NVML_STUB_DIR: a config describing `devices` (and a slow start of `initMs`), an empty use/. */
export function stubState(devices: StubDevice[], initMs?: number): string {
  const dir = mkdtempSync(join(tmpdir(), "peak-mem-nvml-state-"));
  mkdirSync(join(dir, "use"));
  const lines = devices.flatMap((device, index) => [
    `device ${index} ${device.total} ${device.name}`,
    `accounting ${index} ${device.accounting ? 1 : 0}`,
    ...(device.baseUsed ? [`base_used ${index} ${device.baseUsed}`] : []),
  ]);
  if (initMs !== undefined) lines.push(`init_ms ${initMs}`);
  writeFileSync(join(dir, "config"), `${lines.join("\n")}\n`);
  return dir;
}

// Bun keeps process.env to itself: a change to it reaches spawned children but not getenv()
// in this process, which is where a library loaded here reads NVML_STUB_DIR. So an in-process
// caller sets it in libc's environment too.
const LIBC_NAMES = process.platform === "darwin" ? ["/usr/lib/libSystem.B.dylib"] : ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`, "libc.so"];
const ENV_SYMBOLS = {
  setenv: { args: [FFIType.cstring, FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
  unsetenv: { args: [FFIType.cstring], returns: FFIType.i32 },
} as const;
let libc: ReturnType<typeof dlopen<typeof ENV_SYMBOLS>>["symbols"] | undefined;

const cString = (text: string) => Buffer.from(`${text}\0`);

/** Points a stand-in loaded in this process (and children spawned from here) at `dir`; undefined unsets it. */
export function useStubDir(dir: string | undefined): void {
  if (!libc) {
    for (const name of LIBC_NAMES) {
      try {
        libc = dlopen(name, ENV_SYMBOLS).symbols;
        break;
      } catch {
        // Not this libc's name: try the next.
      }
    }
    if (!libc) throw new Error("libc could not be loaded to set NVML_STUB_DIR");
  }
  if (dir === undefined) {
    delete process.env.NVML_STUB_DIR;
    libc.unsetenv(cString("NVML_STUB_DIR"));
  } else {
    process.env.NVML_STUB_DIR = dir;
    libc.setenv(cString("NVML_STUB_DIR"), cString(dir), 1);
  }
}
