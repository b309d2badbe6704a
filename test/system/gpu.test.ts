// Needs root: it runs peak-mem inside a new pid namespace (unshare), as a container would.
// GPU memory there: NVML names processes by the host's pids, which the tree's are not, so the
// figures are each device's rise in use over the run, said to be device-wide. The stand-in
// NVML (test/gpu/stub/) counts its own namespace's pids as "the host's" here, which is what
// makes the rise the tree's: the test checks the label and the sum, not the namespace's pids.
import { beforeAll, describe, expect, test } from "bun:test";
import { buildNvmlStub, stubState, type NvmlStub } from "../gpu/stub/build.ts";
import { BINARY, runArgv } from "../helpers.ts";

const GiB = 1024 ** 3;
const root = process.platform === "linux" && process.getuid?.() === 0 && Boolean(Bun.which("unshare"));
let stub: NvmlStub | undefined;

beforeAll(async () => {
  if (root) stub = await buildNvmlStub();
});

describe.if(root)("GPU memory in a pid namespace", () => {
  test("device-wide: the rise of the device's use, every process's, labelled so; the outsider's base use left out", async () => {
    if (!stub) return;
    const state = stubState([{ total: 80 * GiB, name: "Stub H100", baseUsed: 5 * GiB }]);
    const env = { LD_LIBRARY_PATH: stub.dir, NVML_STUB_DIR: state };
    // A moment's wait first: the rise counts from when the driver answers, after the spawn.
    const line = `sleep 0.2; ${stub.hold} ${state} 0 ${GiB} 800 & ${stub.hold} ${state} 0 ${2 * GiB} 800 & wait`;
    const r = await runArgv(["unshare", "--pid", "--fork", "--mount-proc", BINARY, "--gpu", "--json", "--interval", "20", "--", "sh", "-c", line], { env });
    expect(r.code).toBe(0);
    const gpu = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf("\n{\n") + 1)).gpu;
    expect(gpu.scope).toBe("device");
    expect(gpu.scope_why).toContain("pid namespace");
    expect(gpu.peak_bytes).toBe(3 * GiB);
    expect(gpu.exact).toBe(false);
    expect(gpu.devices[0].source).toBe("nvml-device");
    expect(gpu.processes).toEqual([]);
    const human = await runArgv(["unshare", "--pid", "--fork", "--mount-proc", BINARY, "--gpu", "--interval", "20", "--", "sh", "-c", line], { env });
    expect(human.stdout).toContain("GPU memory: rose by 3.00 GiB on GPU 0 (Stub H100), 3.8% of 80.0 GiB: device-wide, every process's (peak-mem runs in a pid namespace");
  });
});
