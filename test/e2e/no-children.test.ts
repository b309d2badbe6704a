// --no-children measures the command alone, and exactly as GNU time does: the kernel's
// ru_maxrss of the command, through the spawn helper, never a zero for a process that ran
// before the first sample could read it.
import { describe, expect, test } from "bun:test";
import { CC, cFixture, GNU_TIME, MiB, peakMem, peakMemJson, runArgv, tempDir } from "../helpers.ts";
const dir = tempDir();

describe.skipIf(process.platform !== "linux")("--no-children", () => {
  test("a command too short for any sample: never 0, and GNU time's figure give or take the page cache", async () => {
    const figures: number[] = [];
    for (let i = 0; i < 8; i++) {
      const { code, stdout } = await peakMem(["-q", "--no-children", "--", "true"]);
      expect(code).toBe(0);
      figures.push(Number(stdout.trim()));
    }
    for (const figure of figures) expect(figure).toBeGreaterThan(256 * 1024);
    if (!GNU_TIME) return;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { stderr } = await runArgv([GNU_TIME, "-f", "%M", "true"]);
      times.push(Number(stderr.trim().split("\n").at(-1)) * 1024);
    }
    // The same process's RSS moves by the file pages mapped around a fault (a few hundred KiB,
    // a large share of a 1 MiB process): the same order as GNU time's, not a floor or a zero.
    expect(Math.min(...figures)).toBeGreaterThanOrEqual(Math.min(...times) * 0.75);
  });

  test("a command whose child holds 100 MiB: its own peak, and the child only in the upper bound, if anywhere", async () => {
    const { code, report } = await peakMemJson(["--no-children", "--", "sh", "-c", `'${process.execPath}' -e 'Buffer.alloc(100 << 20, 1)'; true`]);
    expect(code).toBe(0);
    expect(report.peak_rss_bytes as number).toBeLessThan(20 * MiB);
    if (report.peak_rss_exact === false) expect(report.peak_rss_upper_bytes as number).toBeGreaterThanOrEqual(100 * MiB);
  });

  test.skipIf(!CC)("20 MiB touched: the peak is the command's ru_maxrss, and its one process in the list says the same", async () => {
    const alloc = await cFixture("alloc", dir);
    const { code, report } = await peakMemJson(["-v", "--no-children", "--", alloc, "20", "0"]);
    expect(code).toBe(0);
    expect(report.peak_rss_bytes as number).toBeGreaterThanOrEqual(20 * MiB);
    expect(report.peak_rss_bytes as number).toBeLessThan(40 * MiB);
    // Exact (its exit statistics, or ru_maxrss where it started no child), or ru_maxrss as the most it held.
    expect(report.peak_rss_exact === true || report.peak_rss_upper_bytes === report.peak_rss_bytes).toBe(true);
    const processes = report.processes as { peak_rss_bytes: number }[] | undefined;
    // -v lists the processes only where children were tracked; where it lists one, it agrees.
    if (processes) {
      expect(processes.length).toBe(1);
      expect(processes[0]?.peak_rss_bytes).toBe(report.peak_rss_bytes as number);
    }
  });
});
