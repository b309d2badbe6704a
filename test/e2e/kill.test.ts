// --kill-on-threshold: the whole tree, orphans included, is stopped soon after the crossing.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, MiB, peakMem, peakMemJson, tempDir } from "../helpers.ts";

/** A Bun one-liner that writes its pid to `file`, then grows by 20 MiB every 50 ms, forever. */
function hog(file: string, ignoreTerm = false): string {
  const script = `${ignoreTerm ? 'process.on("SIGTERM", () => {});' : ""}
    require("fs").writeFileSync(${JSON.stringify(file)}, String(process.pid));
    const a = []; for (;;) { a.push(Buffer.alloc(20 * 1048576, 1)); await Bun.sleep(50); }`;
  return `'${BUN}' -e '${script.replaceAll("'", `'\\''`)}'`;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");

test("the tree, a double-forked orphan included, is gone soon after the crossing", async () => {
  const dir = tempDir();
  const pidFile = join(dir, "orphan.pid");
  // The hog is orphaned at once: (…&) — only the subreaper keeps it in the tree.
  const { code, report } = await peakMemJson(["-t", "150M", "--kill-on-threshold", "--", "sh", "-c", `(${hog(pidFile)} &); sleep 30`]);
  expect(code).not.toBe(0);
  expect(report.stopped_by_threshold).toBe(true);
  expect(report.threshold_exceeded).toBe(true);
  expect(report.peak_rss_bytes as number).toBeGreaterThan(150e6);
  // peak-mem returned only after the whole tree was gone, within ~1 s of stopping.
  expect(report.duration_ms as number).toBeLessThan((report.stopped_at_ms as number) + 3000);
  const orphan = Number(readFileSync(pidFile, "utf8"));
  expect(alive(orphan)).toBe(false);
}, 30_000);

test("a process that ignores SIGTERM gets SIGKILL after the grace period", async () => {
  const dir = tempDir();
  const pidFile = join(dir, "stubborn.pid");
  const { code, stdout } = await peakMem(["-t", "100M", "--kill-on-threshold", "--", "sh", "-c", hog(pidFile, true)]);
  expect(code).not.toBe(0);
  expect(stdout).toMatch(/^STOPPED: the process tree was stopped at .+ \(SIGTERM, then SIGKILL\)$/m);
  expect(alive(Number(readFileSync(pidFile, "utf8")))).toBe(false);
}, 30_000);

test("a command that exits 0 on SIGTERM still fails the run", async () => {
  const script = `process.on("SIGTERM", () => process.exit(0)); const a = []; for (;;) { a.push(Buffer.alloc(20 * 1048576, 1)); await Bun.sleep(50); }`;
  const { code, report } = await peakMemJson(["-t", "80M", "--kill-on-threshold", "--", BUN, "-e", script]);
  expect(report.exit_code).toBe(0);
  expect(code).toBe(1);
}, 30_000);

test("under the threshold nothing is stopped", async () => {
  const { code, report } = await peakMemJson(["-t", "1G", "--kill-on-threshold", "--", "sleep", "0.2"]);
  expect(code).toBe(0);
  expect(report.stopped_by_threshold).toBeUndefined();
  expect(report.peak_rss_bytes as number).toBeLessThan(50 * MiB);
});

test("--kill-on-threshold without --threshold is bad usage", async () => {
  const { code, stderr } = await peakMem(["--kill-on-threshold", "--", "true"]);
  expect(code).toBe(2);
  expect(stderr).toMatch(/^peak-mem: [^\n]*--threshold[^\n]*\n$/);
});
