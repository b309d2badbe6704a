// Real workloads under the compiled binary: are the numbers right?
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, BUN, MiB, peakMemJson, tempDir } from "../helpers.ts";

test("a steady allocation is reported within a few MiB of what the process itself saw", async () => {
  const file = join(tempDir(), "rss");
  // The workload touches 200 MiB, then records its own VmRSS, and holds it for several samples.
  const script = `const b = Buffer.alloc(200 * 1048576, 1);
    const rss = /VmRSS:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1] * 1024;
    require("fs").writeFileSync(${JSON.stringify(file)}, String(rss));
    await Bun.sleep(500); if (b[7] !== 1) process.exit(9);`;
  const { code, report } = await peakMemJson(["--", BUN, "-e", script]);
  expect(code).toBe(0);
  const selfRss = Number(readFileSync(file, "utf8"));
  const peak = report.peak_rss_bytes as number;
  expect(selfRss).toBeGreaterThan(200 * MiB);
  expect(peak).toBeGreaterThanOrEqual(selfRss);
  expect(peak - selfRss).toBeLessThan(8 * MiB);
  expect(report.peak_vsz_bytes as number).toBeGreaterThan(peak);
});

test("children are summed, and --no-children measures only the command", async () => {
  const worker = allocate(100, 900).map((word) => `'${word}'`).join(" ");
  const script = `${worker} & ${worker} & wait`;
  const tree = await peakMemJson(["--", "sh", "-c", script]);
  expect(tree.code).toBe(0);
  expect(tree.report.peak_rss_bytes as number).toBeGreaterThan(200 * MiB);
  expect(tree.report.processes_seen as number).toBeGreaterThanOrEqual(3);

  const alone = await peakMemJson(["--no-children", "--", "sh", "-c", script]);
  expect(alone.code).toBe(0);
  expect(alone.report.peak_rss_bytes as number).toBeLessThan(20 * MiB);
  expect(alone.report.processes_seen).toBe(1);
  expect(alone.report.children_tracked).toBe(false);
});

test("four concurrent children are summed", async () => {
  const child = allocate(60, 1000);
  const script = `const kids = Array.from({ length: 4 }, () => Bun.spawn(${JSON.stringify(child)}));
    const codes = await Promise.all(kids.map((k) => k.exited)); process.exit(codes.some(Boolean) ? 1 : 0);`;
  const { code, report } = await peakMemJson(["--", BUN, "-e", script]);
  expect(code).toBe(0);
  expect(report.peak_rss_bytes as number).toBeGreaterThan(4 * 60 * MiB);
  expect(report.processes_seen as number).toBeGreaterThanOrEqual(5);
});

test("400 short-lived children finish cleanly", async () => {
  const script = "i=0; while [ $i -lt 400 ]; do /bin/true & i=$((i+1)); done; wait; echo done";
  const { code, stdout, stderr, report } = await peakMemJson(["--interval", "5", "--", "sh", "-c", script]);
  expect(code).toBe(0);
  expect(stderr).toBe("");
  expect(stdout.startsWith("done\n")).toBe(true);
  expect(report.exit_code).toBe(0);
  expect(report.peak_rss_bytes as number).toBeGreaterThan(0);
});

test("an orphan left by a double fork stays in the tree", async () => {
  const worker = allocate(150, 800).map((word) => `'${word}'`).join(" ");
  const { code, report } = await peakMemJson(["--", "sh", "-c", `(${worker} &); sleep 1.5`]);
  expect(code).toBe(0);
  expect(report.peak_rss_bytes as number).toBeGreaterThan(150 * MiB);
});
