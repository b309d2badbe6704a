// The NVML stand-in (stub/nvml-stub.c) called as peak-mem calls a driver, through bun:ffi, so
// that the GPU tests built on it test peak-mem and not the stand-in. Every test loads its own
// copy of the library: a copy is a separate library to the loader, with its own nvmlInit
// count and its own load-time marker.
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { buildNvmlStub, STUB_LIBRARY, stubState, useStubDir } from "./stub/build.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const SUCCESS = 0;
const UNINITIALIZED = 1;
const INVALID_ARGUMENT = 2;
const NOT_SUPPORTED = 3;
const NOT_FOUND = 6;
const INSUFFICIENT_SIZE = 7;
const DRIVER_NOT_LOADED = 9;
const ARGUMENT_VERSION_MISMATCH = 25;
const MEMORY_V2 = 40 | (2 << 24);
const NOT_MIG = 0xffffffff;

const { i32, u32, ptr, cstring } = FFIType;
const BASE = {
  nvmlInit_v2: { args: [], returns: i32 },
  nvmlInit: { args: [], returns: i32 },
  nvmlShutdown: { args: [], returns: i32 },
  nvmlErrorString: { args: [i32], returns: cstring },
  nvmlSystemGetDriverVersion: { args: [ptr, u32], returns: i32 },
  nvmlDeviceGetCount_v2: { args: [ptr], returns: i32 },
  nvmlDeviceGetHandleByIndex_v2: { args: [u32, ptr], returns: i32 },
  nvmlDeviceGetName: { args: [ptr, ptr, u32], returns: i32 },
  nvmlDeviceGetUUID: { args: [ptr, ptr, u32], returns: i32 },
  nvmlDeviceGetMemoryInfo: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetComputeRunningProcesses: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetGraphicsRunningProcesses: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetAccountingMode: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetAccountingStats: { args: [ptr, u32, ptr], returns: i32 },
  nvmlDeviceGetAccountingPids: { args: [ptr, ptr, ptr], returns: i32 },
} as const;
const NEWER = {
  nvmlDeviceGetMemoryInfo_v2: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetComputeRunningProcesses_v2: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetGraphicsRunningProcesses_v2: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetComputeRunningProcesses_v3: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetGraphicsRunningProcesses_v3: { args: [ptr, ptr, ptr], returns: i32 },
} as const;
const ALL = { ...BASE, ...NEWER };

const stub = await buildNvmlStub();
const originalDir = process.env.NVML_STUB_DIR;
const copies = mkdtempSync(join(tmpdir(), "peak-mem-nvml-copies-"));
let copyCount = 0;

/** A private copy of the library in `dir`, loaded with `symbols`. */
function load<S extends Record<string, { args: readonly FFIType[]; returns: FFIType }>>(dir: string, symbols: S) {
  const path = join(copies, `libnvidia-ml-${++copyCount}.so`);
  copyFileSync(join(dir, STUB_LIBRARY), path);
  return dlopen(path, symbols);
}

function loadCurrent() {
  return load((stub as NonNullable<typeof stub>).dir, ALL);
}
type Nvml = ReturnType<typeof loadCurrent>["symbols"];

function handle(nvml: Nvml, index: number): Pointer {
  const out = new BigUint64Array(1);
  expect(nvml.nvmlDeviceGetHandleByIndex_v2(index, out)).toBe(SUCCESS);
  expect(out[0]).not.toBe(0n);
  return Number(out[0]) as Pointer;
}

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString();
}

interface Entry {
  pid: number;
  used: number;
  gpuInstance?: number;
  computeInstance?: number;
}

/** A process list read in one call with room for 16, its structs decoded at their offsets. */
function list(call: (device: Pointer, count: Uint32Array, infos: Uint8Array | null) => number, device: Pointer, size: 16 | 24): Entry[] {
  const count = new Uint32Array([16]);
  const infos = new Uint8Array(16 * size);
  expect(call(device, count, infos)).toBe(SUCCESS);
  const view = new DataView(infos.buffer);
  return Array.from({ length: count[0] as number }, (_, i) => {
    const at = i * size;
    const entry: Entry = { pid: view.getUint32(at, true), used: Number(view.getBigUint64(at + 8, true)) };
    if (size === 24) {
      entry.gpuInstance = view.getUint32(at + 16, true);
      entry.computeInstance = view.getUint32(at + 20, true);
    }
    return entry;
  });
}

interface Memory {
  total: number;
  free: number;
  used: number;
  reserved?: number;
}

function memoryV1(nvml: Nvml, device: Pointer): Memory {
  const view = new DataView(new ArrayBuffer(24));
  expect(nvml.nvmlDeviceGetMemoryInfo(device, new Uint8Array(view.buffer))).toBe(SUCCESS);
  return { total: Number(view.getBigUint64(0, true)), free: Number(view.getBigUint64(8, true)), used: Number(view.getBigUint64(16, true)) };
}

function memoryV2(nvml: Nvml, device: Pointer): Memory {
  const view = new DataView(new ArrayBuffer(40));
  view.setUint32(0, MEMORY_V2, true);
  expect(nvml.nvmlDeviceGetMemoryInfo_v2(device, new Uint8Array(view.buffer))).toBe(SUCCESS);
  return {
    total: Number(view.getBigUint64(8, true)),
    reserved: Number(view.getBigUint64(16, true)),
    free: Number(view.getBigUint64(24, true)),
    used: Number(view.getBigUint64(32, true)),
  };
}

interface Stats {
  result: number;
  maxMemoryUsage?: number;
  isRunning?: number;
}

function accounting(nvml: Nvml, device: Pointer, pid: number): Stats {
  const view = new DataView(new ArrayBuffer(56));
  const result = nvml.nvmlDeviceGetAccountingStats(device, pid, new Uint8Array(view.buffer));
  if (result !== SUCCESS) return { result };
  return { result, maxMemoryUsage: Number(view.getBigUint64(8, true)), isRunning: view.getUint32(32, true) };
}

function calls(state: string): string[] {
  const path = join(state, "calls");
  return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n") : [];
}

/** Waits for `ready`, bounded only so that a broken stand-in fails with a reason before the test's timeout. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    if (ready()) return;
    await Bun.sleep(10);
  }
  throw new Error(`never happened: ${what}`);
}

const useFile = (state: string, device: number, pid: number) => join(state, "use", `${device}.${pid}`);

/** gpu-hold with `args` after DIR, started once its use file says `first` ("<used> <max>"). */
async function startHold(state: string, args: (string | number)[], first: string) {
  const child = Bun.spawn([(stub as NonNullable<typeof stub>).hold, state, ...args.map(String)], { stdout: "pipe", stderr: "pipe" });
  const file = useFile(state, Number(args[0]), child.pid);
  await until(() => existsSync(file) && readFileSync(file, "utf8").startsWith(`${first} `), `gpu-hold's ${file} saying ${first}`);
  return child;
}

/** A pid that has surely exited: a child that ran and was reaped. */
async function deadPid(): Promise<number> {
  const child = Bun.spawn(["true"]);
  await child.exited;
  return child.pid;
}

afterAll(() => {
  if (stub) useStubDir(originalDir);
});

describe.skipIf(!stub)("the NVML stand-in", () => {
  test("without NVML_STUB_DIR the driver is not loaded; before nvmlInit, and after the last nvmlShutdown, every call is UNINITIALIZED", () => {
    useStubDir(undefined);
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(DRIVER_NOT_LOADED);
    expect(nvml.nvmlDeviceGetCount_v2(new Uint32Array(1))).toBe(UNINITIALIZED);

    useStubDir(stubState([{ total: GiB, name: "Stub" }]));
    const count = new Uint32Array([77]);
    expect(nvml.nvmlDeviceGetCount_v2(count)).toBe(UNINITIALIZED);
    expect(count[0]).toBe(77);
    expect(nvml.nvmlDeviceGetHandleByIndex_v2(0, new BigUint64Array(1))).toBe(UNINITIALIZED);
    expect(nvml.nvmlSystemGetDriverVersion(new Uint8Array(80), 80)).toBe(UNINITIALIZED);
    expect(nvml.nvmlShutdown()).toBe(UNINITIALIZED);

    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const device = handle(nvml, 0);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    expect(nvml.nvmlDeviceGetCount_v2(count)).toBe(UNINITIALIZED);
    expect(nvml.nvmlDeviceGetMemoryInfo(device, new Uint8Array(24))).toBe(UNINITIALIZED);
    expect(nvml.nvmlDeviceGetComputeRunningProcesses_v3(device, new Uint32Array(1), null)).toBe(UNINITIALIZED);
    expect(nvml.nvmlDeviceGetAccountingMode(device, new Int32Array(1))).toBe(UNINITIALIZED);
    expect(String(nvml.nvmlErrorString(UNINITIALIZED))).toBe("Uninitialized");
    close();
  });

  test("loading, each nvmlInit and each nvmlShutdown leave a marker with the caller's pid; inits are counted", () => {
    const state = stubState([{ total: GiB, name: "Stub" }]);
    useStubDir(state);
    const { symbols: nvml, close } = loadCurrent();
    expect(calls(state)).toEqual([`loaded ${process.pid}`]);
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    expect(nvml.nvmlInit()).toBe(SUCCESS);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    // One init is still open: calls still work.
    expect(nvml.nvmlDeviceGetCount_v2(new Uint32Array(1))).toBe(SUCCESS);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    expect(nvml.nvmlDeviceGetCount_v2(new Uint32Array(1))).toBe(UNINITIALIZED);
    expect(nvml.nvmlShutdown()).toBe(UNINITIALIZED);
    const pid = process.pid;
    expect(calls(state)).toEqual([`loaded ${pid}`, `init ${pid}`, `init ${pid}`, `shutdown ${pid}`, `shutdown ${pid}`]);
    close();
  });

  test("init_ms holds nvmlInit after its marker is written; without it the same caller finishes", async () => {
    const script = join(copies, "init.ts");
    writeFileSync(
      script,
      `import { dlopen, FFIType } from "bun:ffi";
       const nvml = dlopen(process.argv[2], { nvmlInit_v2: { args: [], returns: FFIType.i32 } }).symbols;
       console.log("init " + nvml.nvmlInit_v2());`,
    );
    const library = join((stub as NonNullable<typeof stub>).dir, STUB_LIBRARY);

    const quick = stubState([{ total: GiB, name: "Stub" }]);
    useStubDir(quick);
    const done = Bun.spawn([process.execPath, script, library], { stdout: "pipe" });
    expect(await new Response(done.stdout).text()).toBe("init 0\n");
    expect(calls(quick)).toEqual([`loaded ${done.pid}`, `init ${done.pid}`]);

    const slow = stubState([{ total: GiB, name: "Stub" }], 60_000);
    useStubDir(slow);
    const held = Bun.spawn([process.execPath, script, library], { stdout: "pipe" });
    await until(() => calls(slow).includes(`init ${held.pid}`), "the slow init's marker");
    // The quick caller above exits as soon as nvmlInit returns; this one must still be inside it.
    await Bun.sleep(500);
    expect(held.exitCode).toBeNull();
    held.kill("SIGKILL");
    await held.exited;
  });

  test("devices: count, names with spaces, UUIDs, the driver version, the size and index checks", () => {
    useStubDir(stubState([{ total: 80 * GiB, name: "NVIDIA Stub H100 80GB HBM3" }, { total: 16 * GiB, name: "Stub T4" }]));
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const count = new Uint32Array(1);
    expect(nvml.nvmlDeviceGetCount_v2(count)).toBe(SUCCESS);
    expect(count[0]).toBe(2);

    const name = new Uint8Array(96);
    expect(nvml.nvmlDeviceGetName(handle(nvml, 0), name, 96)).toBe(SUCCESS);
    expect(text(name)).toBe("NVIDIA Stub H100 80GB HBM3");
    expect(nvml.nvmlDeviceGetName(handle(nvml, 1), name, 96)).toBe(SUCCESS);
    expect(text(name)).toBe("Stub T4");
    // "Stub T4" and its terminator need 8 bytes.
    expect(nvml.nvmlDeviceGetName(handle(nvml, 1), name, 7)).toBe(INSUFFICIENT_SIZE);
    expect(nvml.nvmlDeviceGetName(handle(nvml, 1), name, 8)).toBe(SUCCESS);

    const uuid = new Uint8Array(96);
    expect(nvml.nvmlDeviceGetUUID(handle(nvml, 1), uuid, 96)).toBe(SUCCESS);
    expect(text(uuid)).toBe("GPU-stub-0000-1");
    expect(handle(nvml, 0)).not.toBe(handle(nvml, 1));

    const version = new Uint8Array(80);
    expect(nvml.nvmlSystemGetDriverVersion(version, 80)).toBe(SUCCESS);
    expect(text(version)).toBe("999.99.99");

    expect(nvml.nvmlDeviceGetHandleByIndex_v2(2, new BigUint64Array(1))).toBe(INVALID_ARGUMENT);
    expect(nvml.nvmlDeviceGetName(12345 as Pointer, name, 96)).toBe(INVALID_ARGUMENT);
    expect(String(nvml.nvmlErrorString(INSUFFICIENT_SIZE))).toBe("Insufficient Size");
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("memory: base_used plus the live processes' bytes, in both structs; a wrong version is refused", async () => {
    const state = stubState([{ total: 8 * GiB, name: "Stub", baseUsed: 100 * MiB }]);
    useStubDir(state);
    writeFileSync(useFile(state, 0, process.pid), `${300 * MiB} ${500 * MiB}\n`);
    writeFileSync(useFile(state, 0, await deadPid()), `${GiB} ${GiB}\n`);
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const device = handle(nvml, 0);
    expect(memoryV1(nvml, device)).toEqual({ total: 8 * GiB, used: 400 * MiB, free: 8 * GiB - 400 * MiB });
    expect(memoryV2(nvml, device)).toEqual({ total: 8 * GiB, reserved: 0, used: 400 * MiB, free: 8 * GiB - 400 * MiB });

    const older = new DataView(new ArrayBuffer(40));
    older.setUint32(0, 40 | (1 << 24), true);
    expect(nvml.nvmlDeviceGetMemoryInfo_v2(device, new Uint8Array(older.buffer))).toBe(ARGUMENT_VERSION_MISMATCH);
    expect(older.getBigUint64(8, true)).toBe(0n);

    // Read at every call: the process gives its memory back.
    writeFileSync(useFile(state, 0, process.pid), `0 ${500 * MiB}\n`);
    expect(memoryV1(nvml, device).used).toBe(100 * MiB);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("process lists keep the driver's size protocol, in all three struct versions", () => {
    const state = stubState([{ total: 8 * GiB, name: "Stub" }, { total: 8 * GiB, name: "Idle" }]);
    useStubDir(state);
    // pid 1 lives as long as the machine does; this one as long as the test.
    writeFileSync(useFile(state, 0, 1), `${64 * MiB} ${64 * MiB}\n`);
    writeFileSync(useFile(state, 0, process.pid), `${128 * MiB} ${128 * MiB} compute\n`);
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const device = handle(nvml, 0);
    const expected = [
      { pid: 1, used: 64 * MiB },
      { pid: process.pid, used: 128 * MiB },
    ].sort((a, b) => a.pid - b.pid);

    for (const [call, size] of [
      [nvml.nvmlDeviceGetComputeRunningProcesses, 16],
      [nvml.nvmlDeviceGetComputeRunningProcesses_v2, 24],
      [nvml.nvmlDeviceGetComputeRunningProcesses_v3, 24],
    ] as const) {
      const count = new Uint32Array([0]);
      expect(call(device, count, null)).toBe(INSUFFICIENT_SIZE);
      expect(count[0]).toBe(2);
      count[0] = 1;
      const infos = new Uint8Array(4 * size);
      expect(call(device, count, infos)).toBe(INSUFFICIENT_SIZE);
      expect(count[0]).toBe(2);
      expect(infos.every((byte) => byte === 0)).toBe(true);
      count[0] = 4;
      expect(call(device, count, infos)).toBe(SUCCESS);
      expect(count[0]).toBe(2);
      const mig = size === 24 ? { gpuInstance: NOT_MIG, computeInstance: NOT_MIG } : {};
      expect(list(call, device, size)).toEqual(expected.map((entry) => ({ ...entry, ...mig })));
    }

    // An idle device: no entries is success with a count of 0, buffer or not.
    const idle = handle(nvml, 1);
    const count = new Uint32Array([0]);
    expect(nvml.nvmlDeviceGetComputeRunningProcesses_v3(idle, count, null)).toBe(SUCCESS);
    expect(count[0]).toBe(0);
    count[0] = 5;
    expect(nvml.nvmlDeviceGetComputeRunningProcesses(idle, count, new Uint8Array(80))).toBe(SUCCESS);
    expect(count[0]).toBe(0);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("a live gpu-hold is listed with its bytes and dropped when it exits; accounting still answers for it", async () => {
    const state = stubState([{ total: 8 * GiB, name: "Stub", accounting: true }]);
    useStubDir(state);
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const device = handle(nvml, 0);

    const child = await startHold(state, [0, 256 * MiB, 1500], `${256 * MiB}`);
    expect(list(nvml.nvmlDeviceGetComputeRunningProcesses_v3, device, 24)).toEqual([
      { pid: child.pid, used: 256 * MiB, gpuInstance: NOT_MIG, computeInstance: NOT_MIG },
    ]);
    expect(memoryV2(nvml, device).used).toBe(256 * MiB);
    expect(accounting(nvml, device, child.pid)).toEqual({ result: SUCCESS, maxMemoryUsage: 256 * MiB, isRunning: 1 });

    expect(await child.exited).toBe(0);
    expect(await new Response(child.stdout).text()).toBe("");
    expect(readFileSync(useFile(state, 0, child.pid), "utf8")).toBe(`${256 * MiB} ${256 * MiB} compute\n`);
    expect(list(nvml.nvmlDeviceGetComputeRunningProcesses_v3, device, 24)).toEqual([]);
    expect(memoryV2(nvml, device).used).toBe(0);
    expect(accounting(nvml, device, child.pid)).toEqual({ result: SUCCESS, maxMemoryUsage: 256 * MiB, isRunning: 0 });
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("after a burst the list shows the lower use and accounting the burst, before and after the exit", async () => {
    const state = stubState([{ total: 8 * GiB, name: "Stub", accounting: true }]);
    useStubDir(state);
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const device = handle(nvml, 0);

    const child = await startHold(state, [0, 100 * MiB, 60_000, 700 * MiB, 300], `${100 * MiB} ${700 * MiB}`);
    expect(list(nvml.nvmlDeviceGetComputeRunningProcesses_v2, device, 24)).toEqual([
      { pid: child.pid, used: 100 * MiB, gpuInstance: NOT_MIG, computeInstance: NOT_MIG },
    ]);
    expect(accounting(nvml, device, child.pid)).toEqual({ result: SUCCESS, maxMemoryUsage: 700 * MiB, isRunning: 1 });

    child.kill("SIGKILL");
    await child.exited;
    expect(list(nvml.nvmlDeviceGetComputeRunningProcesses_v2, device, 24)).toEqual([]);
    expect(accounting(nvml, device, child.pid)).toEqual({ result: SUCCESS, maxMemoryUsage: 700 * MiB, isRunning: 0 });
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("graphics, compute and both land in their lists", async () => {
    const state = stubState([{ total: 8 * GiB, name: "Stub" }]);
    useStubDir(state);
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const device = handle(nvml, 0);
    const compute = await startHold(state, [0, 1 * MiB, 60_000], `${MiB}`);
    const graphics = await startHold(state, [0, 2 * MiB, 60_000, "graphics"], `${2 * MiB}`);
    const both = await startHold(state, [0, 4 * MiB, 60_000, 8 * MiB, 10, "both"], `${4 * MiB} ${8 * MiB}`);
    const pids = (entries: Entry[]) => entries.map((entry) => entry.pid).sort((a, b) => a - b);
    const sorted = (...values: number[]) => values.sort((a, b) => a - b);

    expect(pids(list(nvml.nvmlDeviceGetComputeRunningProcesses_v3, device, 24))).toEqual(sorted(compute.pid, both.pid));
    expect(pids(list(nvml.nvmlDeviceGetComputeRunningProcesses, device, 16))).toEqual(sorted(compute.pid, both.pid));
    expect(pids(list(nvml.nvmlDeviceGetGraphicsRunningProcesses_v3, device, 24))).toEqual(sorted(graphics.pid, both.pid));
    expect(pids(list(nvml.nvmlDeviceGetGraphicsRunningProcesses_v2, device, 24))).toEqual(sorted(graphics.pid, both.pid));
    expect(pids(list(nvml.nvmlDeviceGetGraphicsRunningProcesses, device, 16))).toEqual(sorted(graphics.pid, both.pid));
    // A process in both lists is counted once in the device's use.
    expect(memoryV1(nvml, device).used).toBe(7 * MiB);

    for (const child of [compute, graphics, both]) child.kill("SIGKILL");
    await Promise.all([compute.exited, graphics.exited, both.exited]);
    expect(list(nvml.nvmlDeviceGetGraphicsRunningProcesses_v3, device, 24)).toEqual([]);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("accounting: off is NOT_SUPPORTED, on answers for pids it has seen and NOT_FOUND for others; its pid list keeps the size protocol", async () => {
    const state = stubState([
      { total: 8 * GiB, name: "Off" },
      { total: 8 * GiB, name: "On", accounting: true },
    ]);
    useStubDir(state);
    const gone = await deadPid();
    writeFileSync(useFile(state, 0, process.pid), `${MiB} ${2 * MiB}\n`);
    writeFileSync(useFile(state, 1, process.pid), `${MiB} ${3 * MiB}\n`);
    writeFileSync(useFile(state, 1, gone), `${5 * MiB} ${9 * MiB}\n`);
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const [off, on] = [handle(nvml, 0), handle(nvml, 1)];

    const mode = new Int32Array([7]);
    expect(nvml.nvmlDeviceGetAccountingMode(off, mode)).toBe(SUCCESS);
    expect(mode[0]).toBe(0);
    expect(nvml.nvmlDeviceGetAccountingMode(on, mode)).toBe(SUCCESS);
    expect(mode[0]).toBe(1);

    expect(accounting(nvml, off, process.pid)).toEqual({ result: NOT_SUPPORTED });
    expect(nvml.nvmlDeviceGetAccountingPids(off, new Uint32Array([4]), new Uint32Array(4))).toBe(NOT_SUPPORTED);
    expect(accounting(nvml, on, process.pid)).toEqual({ result: SUCCESS, maxMemoryUsage: 3 * MiB, isRunning: 1 });
    expect(accounting(nvml, on, gone)).toEqual({ result: SUCCESS, maxMemoryUsage: 9 * MiB, isRunning: 0 });
    expect(accounting(nvml, on, 1)).toEqual({ result: NOT_FOUND });

    const count = new Uint32Array([0]);
    expect(nvml.nvmlDeviceGetAccountingPids(on, count, null)).toBe(INSUFFICIENT_SIZE);
    expect(count[0]).toBe(2);
    const pids = new Uint32Array(4);
    count[0] = 1;
    expect(nvml.nvmlDeviceGetAccountingPids(on, count, pids)).toBe(INSUFFICIENT_SIZE);
    expect(count[0]).toBe(2);
    count[0] = 4;
    expect(nvml.nvmlDeviceGetAccountingPids(on, count, pids)).toBe(SUCCESS);
    expect(count[0]).toBe(2);
    expect([...pids.subarray(0, 2)]).toEqual([process.pid, gone].sort((a, b) => a - b));
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("unparsable config lines and use files are ignored, and a file renamed in is read at the next call", () => {
    const state = stubState([]);
    useStubDir(state);
    writeFileSync(
      join(state, "config"),
      ["device 0 4096 Good One", "device x 1 Bad", "device 1", "accounting", "base_used 0 12x", "nonsense", "device 1 2048 Second", ""].join("\n"),
    );
    writeFileSync(join(state, "use", `0.${process.pid}`), "12");
    writeFileSync(join(state, "use", "0.abc"), "1 1\n");
    writeFileSync(join(state, "use", `.0.${process.pid}.tmp`), "1 1\n");
    writeFileSync(join(state, "use", "0.1"), "1 1 sideways\n");
    const { symbols: nvml, close } = loadCurrent();
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const count = new Uint32Array(1);
    expect(nvml.nvmlDeviceGetCount_v2(count)).toBe(SUCCESS);
    expect(count[0]).toBe(2);
    const device = handle(nvml, 0);
    expect(memoryV1(nvml, device)).toEqual({ total: 4096, used: 0, free: 4096 });
    expect(list(nvml.nvmlDeviceGetComputeRunningProcesses_v3, device, 24)).toEqual([]);

    const temp = join(state, "use", "incoming");
    writeFileSync(temp, "1024 2048\n");
    renameSync(temp, useFile(state, 0, process.pid));
    expect(list(nvml.nvmlDeviceGetComputeRunningProcesses, device, 16)).toEqual([{ pid: process.pid, used: 1024 }]);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("the old-driver build lacks the _v2/_v3 lists and MemoryInfo_v2; its older calls work", () => {
    const { oldDir } = stub as NonNullable<typeof stub>;
    for (const [name, signature] of Object.entries(NEWER)) {
      expect(() => load(oldDir, { [name]: signature })).toThrow(name);
    }
    const state = stubState([{ total: GiB, name: "Old" }]);
    useStubDir(state);
    writeFileSync(useFile(state, 0, process.pid), `${MiB} ${MiB}\n`);
    const { symbols: nvml, close } = load(oldDir, BASE);
    expect(nvml.nvmlInit_v2()).toBe(SUCCESS);
    const out = new BigUint64Array(1);
    expect(nvml.nvmlDeviceGetHandleByIndex_v2(0, out)).toBe(SUCCESS);
    const device = Number(out[0]) as Pointer;
    const count = new Uint32Array([4]);
    const infos = new Uint8Array(64);
    expect(nvml.nvmlDeviceGetComputeRunningProcesses(device, count, infos)).toBe(SUCCESS);
    expect(count[0]).toBe(1);
    const view = new DataView(infos.buffer);
    expect([view.getUint32(0, true), Number(view.getBigUint64(8, true))]).toEqual([process.pid, MiB]);
    expect(nvml.nvmlShutdown()).toBe(SUCCESS);
    close();
  });

  test("gpu-hold refuses bad arguments, silently", async () => {
    const state = stubState([]);
    for (const args of [[], [state, "0", "1"], [state, "0", "x", "10"], [state, "0", "1", "10", "sideways"], [state, "0", "1", "10", "5"]]) {
      const child = Bun.spawn([(stub as NonNullable<typeof stub>).hold, ...args], { stdout: "pipe", stderr: "pipe" });
      expect(await child.exited).toBe(2);
      expect(await new Response(child.stdout).text()).toBe("");
    }
  });

  test.skipIf(process.platform !== "linux" || !Bun.which("readelf"))("the library needs nothing but libc", () => {
    const { dir } = stub as NonNullable<typeof stub>;
    const dynamic = Bun.spawnSync(["readelf", "-d", join(dir, STUB_LIBRARY)], { stdout: "pipe" }).stdout.toString();
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((match) => match[1]);
    expect(needed.length).toBeGreaterThan(0);
    expect(needed.every((name) => /^libc\.(so\.6|musl-[a-z0-9_]+\.so\.1)$/.test(name ?? ""))).toBe(true);
  });
});
