// The NVML source in this process, through the real FFI path, against the stand-in library
// built from C in the test run (test/gpu/stub/): its start on a thread of its own, its devices,
// a process list longer than its first buffer (grown when the driver says it is too small), the
// oldest list call where a driver has no newer one, and accounting's own peaks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadNativeLibrary } from "../../../src/platform/linux/native-library.ts";
import { openNvml } from "../../../src/platform/nvml/source.ts";
import type { GpuSource } from "../../../src/platform/types.ts";
import { buildNvmlStub, STUB_LIBRARY, stubState, useStubDir, type NvmlStub } from "../../gpu/stub/build.ts";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
let stub: NvmlStub | undefined;
const sleepers: ReturnType<typeof Bun.spawn>[] = [];

beforeAll(async () => {
  if (process.platform === "linux") stub = await buildNvmlStub();
});

afterAll(() => {
  for (const sleeper of sleepers) sleeper.kill();
  useStubDir(undefined);
});

/** Waits (polling, as the monitor does at each sample) until the source has started. */
async function started(source: GpuSource): Promise<true | string> {
  for (let i = 0; i < 500; i++) {
    const ready = source.ready();
    if (ready !== undefined) return ready;
    await Bun.sleep(5);
  }
  throw new Error("NVML never finished starting");
}

function read(source: GpuSource): Map<string, number> {
  const seen = new Map<string, number>();
  source.read((device, pid, bytes) => seen.set(`${device}:${pid}`, bytes), []);
  return seen;
}

describe.if(process.platform === "linux")("the NVML source through bun:ffi", () => {
  test("starts beside the caller, lists its devices, reads a list longer than its first buffer", async () => {
    if (!stub) return;
    const state = stubState([{ total: 80 * GiB, name: "Stub H100", accounting: true }], 200);
    useStubDir(state);
    const library = loadNativeLibrary(join(stub.dir, STUB_LIBRARY));
    if (typeof library === "string") throw new Error(library);
    const source = openNvml(library, true);
    // The driver's start takes 200 ms here: the caller is not held up meanwhile.
    expect(source.ready()).toBeUndefined();
    expect(await started(source)).toBe(true);
    expect(source.setupMs as number).toBeGreaterThan(0);
    expect(source.devices()).toEqual([expect.objectContaining({ index: 0, name: "Stub H100", totalBytes: 80 * GiB, accounting: true, id: "GPU-stub-0000-0" })]);
    // 100 live processes on the device: more than the 64 entries the buffer starts with.
    for (let i = 0; i < 100; i++) sleepers.push(Bun.spawn(["sleep", "30"], { stdio: ["ignore", "ignore", "ignore"] }));
    sleepers.forEach((sleeper, i) => writeFileSync(join(state, "use", `0.${sleeper.pid}`), `${(i + 1) * MiB} ${(i + 2) * MiB} ${i % 3 === 0 ? "both" : "compute"}\n`));
    const seen = read(source);
    expect(seen.size).toBe(100);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(((100 * 101) / 2) * MiB);
    expect(source.deviceUsed?.(0)).toBe(((100 * 101) / 2) * MiB);
    // Accounting: the driver's own peak, for a process started during the run.
    const first = sleepers[0]?.pid as number;
    expect(source.processPeak?.(0, first, Date.now() - 60_000)).toBe(2 * MiB);
    // A record older than the run is another process's that had the same pid.
    expect(source.processPeak?.(0, first, Date.now() + 60_000)).toBeUndefined();
    source.close();
  });

  test("an old driver: the first process list (16-byte entries), the first memory call", async () => {
    if (!stub) return;
    const state = stubState([{ total: 24 * GiB, name: "Old" }]);
    useStubDir(state);
    const library = loadNativeLibrary(join(stub.oldDir, STUB_LIBRARY));
    if (typeof library === "string") throw new Error(library);
    expect(library.symbol("nvmlDeviceGetComputeRunningProcesses_v3")).toBeNull();
    const source = openNvml(library, true);
    expect(await started(source)).toBe(true);
    expect(source.devices()[0]?.totalBytes).toBe(24 * GiB);
    const sleeper = Bun.spawn(["sleep", "30"], { stdio: ["ignore", "ignore", "ignore"] });
    sleepers.push(sleeper);
    writeFileSync(join(state, "use", `0.${sleeper.pid}`), `${5 * GiB + 3} ${5 * GiB + 3}\n`);
    expect(read(source)).toEqual(new Map([[`0:${sleeper.pid}`, 5 * GiB + 3]]));
    source.close();
  });

  test("a library that is not there, or a driver that does not start: said, not thrown", async () => {
    if (!stub) return;
    expect(loadNativeLibrary("libnvidia-ml-absent.so.1")).toContain("libnvidia-ml-absent.so.1");
    useStubDir(undefined); // the stand-in's driver is then "not loaded"
    const library = loadNativeLibrary(join(stub.dir, STUB_LIBRARY));
    if (typeof library === "string") throw new Error(library);
    const source = openNvml(library, true);
    expect(await started(source)).toMatch(/^NVML did not start: /);
    expect(read(source).size).toBe(0);
  });
});
