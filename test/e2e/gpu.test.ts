// GPU memory on the compiled binary, through the real FFI path: NVML is a stand-in
// libnvidia-ml.so.1 built from C in this test run (test/gpu/stub/), found by peak-mem through
// LD_LIBRARY_PATH as the real one would be. Its devices are filled by the tree's own processes
// (gpu-hold: "this pid holds so many bytes on that device"), so the truth is what the test
// made. No real GPU is used here; scripts/gpu-check.sh is the same check on a machine with one.
// Inside a pid namespace (device-wide figures): test/system/gpu.test.ts.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildNvmlStub, stubState, type NvmlStub } from "../gpu/stub/build.ts";
import { parseCsv } from "../export/csv-reader.ts";
import { peakMem, tempDir } from "../helpers.ts";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const H100 = { total: 80 * GiB, name: "Stub H100 80GB HBM3" };

let stub: NvmlStub | undefined;
const linux = process.platform === "linux";
/** A real GPU driver or device here: the tests of a machine without one do not apply. */
const gpuHere = ["/dev/nvidiactl", "/proc/driver/nvidia/version", "/dev/dri", "/dev/accel"].some((path) => existsSync(path));

beforeAll(async () => {
  if (linux) stub = await buildNvmlStub();
});

/** peak-mem with the stand-in on its library path and `state` as its devices. */
function withStub(args: string[], state: string, dir = stub?.dir ?? "") {
  return peakMem(args, { env: { LD_LIBRARY_PATH: dir, NVML_STUB_DIR: state } });
}

/** A shell line running gpu-hold: `bytes` on `device` for `holdMs` (and a burst first). */
const hold = (state: string, device: number, bytes: number, holdMs: number, burst?: [number, number]) =>
  `${stub?.hold} ${state} ${device} ${bytes} ${holdMs}${burst ? ` ${burst[0]} ${burst[1]}` : ""}`;

function json(stdout: string): Record<string, unknown> & { gpu?: Record<string, unknown> & { devices: Record<string, unknown>[]; processes: Record<string, unknown>[] } } {
  return JSON.parse(stdout.slice(stdout.lastIndexOf("\n{\n") + 1));
}

const calls = (state: string) => (existsSync(join(state, "calls")) ? readFileSync(join(state, "calls"), "utf8") : "");

describe.if(linux)("GPU memory through NVML (a stand-in library)", () => {
  test("two processes of the tree at once: their sum, each its own, the device named with its memory", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const r = await withStub(["--gpu", "--json", "--interval", "20", "--", "sh", "-c", `${hold(state, 0, GiB, 800)} & ${hold(state, 0, 2 * GiB, 800)} & wait`], state);
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report.peak_gpu_bytes).toBe(3 * GiB);
    const gpu = report.gpu;
    expect(gpu).toMatchObject({ peak_bytes: 3 * GiB, exact: false, scope: "tree", source: "nvml" });
    expect(gpu?.devices).toEqual([expect.objectContaining({ index: 0, name: H100.name, total_bytes: 80 * GiB, peak_bytes: 3 * GiB, percent_of_total: 3.75, processes: 2, source: "nvml" })]);
    expect(gpu?.processes.map((p) => p.peak_bytes)).toEqual([2 * GiB, GiB]);
    expect(gpu?.processes.every((p) => p.name === "gpu-hold")).toBe(true);
    // The driver was started, and shut down at the end.
    expect(calls(state)).toMatch(/init \d+\n(.|\n)*shutdown \d+/);

    const human = await withStub(["--gpu", "--interval", "20", "--", "sh", "-c", `${hold(state, 0, GiB, 600)} & ${hold(state, 0, 2 * GiB, 600)} & wait`], state);
    expect(human.stdout).toContain(`GPU memory: 3.00 GiB peak over 2 processes on GPU 0 (${H100.name}), 3.8% of 80.0 GiB`);
    expect(human.stdout).toMatch(/GPU peak bound: at least 3\.00 GiB: the devices were read about every \d+ ms/);
  });

  test("one after the other: the larger, not the sum", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const r = await withStub(["--gpu", "--json", "--interval", "20", "--", "sh", "-c", `${hold(state, 0, GiB, 400)}; ${hold(state, 0, 2 * GiB, 400)}`], state);
    expect(r.code).toBe(0);
    expect(json(r.stdout).peak_gpu_bytes).toBe(2 * GiB);
  });

  test("a process outside the tree on the same device is not counted; the device's whole use at the peak is shown beside", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const outsider = Bun.spawn(["sh", "-c", hold(state, 0, 5 * GiB, 3000)], { stdout: "ignore", stderr: "ignore" });
    try {
      await Bun.sleep(100);
      const r = await withStub(["--gpu", "--json", "--interval", "20", "--", "sh", "-c", hold(state, 0, GiB, 600)], state);
      const gpu = json(r.stdout).gpu;
      expect(gpu?.peak_bytes).toBe(GiB);
      expect(gpu?.devices[0]?.used_at_peak_bytes).toBe(6 * GiB);
      expect(gpu?.processes).toHaveLength(1);
    } finally {
      outsider.kill();
    }
  });

  test("two devices: each its own peak, and the total over both at one reading", async () => {
    if (!stub) return;
    const state = stubState([H100, { total: 24 * GiB, name: "Stub L4" }]);
    const r = await withStub(["--gpu", "--json", "--interval", "20", "--", "sh", "-c", `${hold(state, 0, GiB, 800)} & ${hold(state, 1, 2 * GiB, 800)} & wait`], state);
    const gpu = json(r.stdout).gpu;
    expect(gpu?.peak_bytes).toBe(3 * GiB);
    expect(gpu?.devices.map((d) => [d.index, d.name, d.peak_bytes])).toEqual([
      [0, H100.name, GiB],
      [1, "Stub L4", 2 * GiB],
    ]);
    const human = await withStub(["--gpu", "--interval", "20", "--", "sh", "-c", `${hold(state, 0, GiB, 600)} & ${hold(state, 1, 2 * GiB, 600)} & wait`], state);
    expect(human.stdout).toContain("GPU memory: 3.00 GiB peak in total over 2 processes on 2 GPUs");
    expect(human.stdout).toContain("GPU 1: 2.00 GiB peak over 1 process (Stub L4), 8.3% of 24.0 GiB");
  });

  test("accounting mode: a burst between readings is caught, and the peak is exact", async () => {
    if (!stub) return;
    const state = stubState([{ ...H100, accounting: true }]);
    // 2 GiB for 2 ms, then 100 MiB: readings every 100 ms all but surely miss the burst; the driver's own peak does not.
    const r = await withStub(["--gpu", "--json", "--", "sh", "-c", `sleep 0.3; ${hold(state, 0, 100 * MiB, 400, [2 * GiB, 2])}`], state);
    const gpu = json(r.stdout).gpu;
    expect(gpu).toMatchObject({ peak_bytes: 2 * GiB, exact: true, source: "nvml-accounting" });
    expect(gpu?.processes[0]).toMatchObject({ peak_bytes: 2 * GiB, exact: true });
    // Without accounting the same run is a lower bound, said to be.
    const plain = stubState([H100]);
    const sampled = json((await withStub(["--gpu", "--json", "--", "sh", "-c", `sleep 0.3; ${hold(plain, 0, 100 * MiB, 400, [2 * GiB, 2])}`], plain)).stdout).gpu;
    expect(sampled?.exact).toBe(false);
    expect(sampled?.peak_bytes as number).toBeGreaterThanOrEqual(100 * MiB);
  });

  test("an old driver without the newer calls: the first process list, the same figures", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const r = await withStub(["--gpu", "--json", "--interval", "20", "--", "sh", "-c", `${hold(state, 0, GiB, 600)} & ${hold(state, 0, GiB, 600)} & wait`], state, stub.oldDir);
    expect(r.code).toBe(0);
    expect(json(r.stdout).peak_gpu_bytes).toBe(2 * GiB);
    expect(json(r.stdout).gpu?.devices[0]?.total_bytes).toBe(80 * GiB);
  });

  test("--gpu-threshold: over it exits 1 and says so loudly; a share of the device's memory too; within it exits 0", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const over = await withStub(["--gpu-threshold", "2G", "--interval", "20", "--", "sh", "-c", hold(state, 0, 3 * GiB, 500)], state);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain("GPU THRESHOLD EXCEEDED: the tree's GPU memory peak of 3.00 GiB on GPU 0");
    expect(over.stdout).toContain("over the GPU threshold of 2G (1.86 GiB, 2000000000 bytes)");
    const share = await withStub(["--gpu-threshold", "3%", "--json", "--interval", "20", "--", "sh", "-c", hold(state, 0, 3 * GiB, 500)], state);
    expect(share.code).toBe(1);
    expect(json(share.stdout)).toMatchObject({ threshold_exceeded: true, gpu: { threshold: { percent: 3, exceeded: true, devices: [0] } } });
    const within = await withStub(["--gpu-threshold", "4GiB", "--interval", "20", "--", "sh", "-c", hold(state, 0, 3 * GiB, 500)], state);
    expect(within.code).toBe(0);
    expect(within.stdout).not.toContain("THRESHOLD");
    // The command's own failure still wins.
    const failing = await withStub(["--gpu-threshold", "2G", "--interval", "20", "--", "sh", "-c", `${hold(state, 0, 3 * GiB, 500)}; exit 5`], state);
    expect(failing.code).toBe(5);
  });

  test("a driver slower to start than the command: said, not zero", async () => {
    if (!stub) return;
    const state = stubState([H100], 1500);
    const r = await withStub(["--gpu", "--json", "--", "sh", "-c", "exit 3"], state);
    expect(r.code).toBe(3);
    const report = json(r.stdout);
    expect(report.peak_gpu_bytes).toBeUndefined();
    expect(report.gpu).toMatchObject({ unread: "the command ended before the GPU driver had started" });
    const human = await withStub(["--gpu", "--", "true"], state);
    expect(human.stdout).toContain("GPU memory: not read: the command ended before the GPU driver had started");
  });

  test("timelines carry the GPU figure, the chart draws it, CSV has its columns, a series its statistics", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const dir = tempDir();
    const line = hold(state, 0, GiB, 500);
    const r = await withStub(["--gpu", "--interval", "20", "--timeline", join(dir, "t.jsonl"), "--export-csv", join(dir, "r.csv"), "--", "sh", "-c", line], state);
    expect(r.code).toBe(0);
    const samples = readFileSync(join(dir, "t.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((o) => "t_ms" in o);
    expect(samples.some((s) => s.gpu_bytes === GiB)).toBe(true);
    const summary = readFileSync(join(dir, "t.jsonl"), "utf8").trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(summary).summary).toMatchObject({ peak_gpu_bytes: GiB, peak_gpu_exact: false });
    const [header, row] = parseCsv(readFileSync(join(dir, "r.csv"), "utf8"));
    expect(row?.[header?.indexOf("peak_gpu_bytes") ?? -1]).toBe(String(GiB));
    expect(row?.[header?.indexOf("gpu_source") ?? -1]).toBe("nvml");

    const chart = await peakMem(["--chart", join(dir, "t.jsonl"), "-o", join(dir, "c.html")]);
    expect(chart.code).toBe(0);
    const html = readFileSync(join(dir, "c.html"), "utf8");
    expect(html).toContain(`<polyline class="gpu"`);
    expect(html).toContain(">GPU memory</text>");
    expect(html).toMatch(/Peak GPU memory<\/dt>\s*<dd>1\.00 GiB/);

    const series = await withStub(["--gpu", "--runs", "2", "--interval", "20", "--json", "--", "sh", "-c", line], state);
    const stats = JSON.parse(series.stdout) as { commands: { statistics: Record<string, { max: number }> }[] };
    expect(stats.commands[0]?.statistics.peak_gpu_bytes?.max).toBe(GiB);
  });
});

describe.if(linux && !gpuHere)("when GPU memory is read at all (a machine without a GPU)", () => {
  test("no driver present: nothing loaded, no line, no JSON group, even with the library on the path", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const r = await withStub(["--json", "--", "sh", "-c", hold(state, 0, GiB, 200)], state);
    expect(r.code).toBe(0);
    expect(json(r.stdout).gpu).toBeUndefined();
    expect(calls(state)).toBe(""); // never loaded
    const human = await withStub(["-v", "--", "true"], state);
    expect(human.stdout).not.toContain("GPU");
  });

  test("--no-gpu: not even with --gpu's library there", async () => {
    if (!stub) return;
    const state = stubState([H100]);
    const r = await withStub(["--no-gpu", "--json", "--", "true"], state);
    expect(json(r.stdout).gpu).toBeUndefined();
    expect(calls(state)).toBe("");
  });

  test("--gpu where no source can load: one line, exit 2, and the command never runs", async () => {
    const dir = tempDir();
    const marker = join(dir, "ran");
    for (const args of [["--gpu"], ["--gpu-threshold", "1G"]]) {
      const r = await peakMem([...args, "--", "sh", "-c", `touch ${marker}`], { env: { LD_LIBRARY_PATH: join(dir, "none") } });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("--gpu is not available on this system: no GPU memory can be read: the NVIDIA management library could not be loaded (libnvidia-ml.so.1");
      expect(existsSync(marker)).toBe(false);
    }
    writeFileSync(marker, "");
  });
});
