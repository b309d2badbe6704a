// The tree's breakdown by process and program describes the reported peak, or says which
// moment it shows: on the compiled binary, with real processes. Machine-speed independent:
// whichever moment a sample caught, the figures must agree with what the report says of it.
import { describe, expect, test } from "bun:test";
import { allocate, MiB, peakMem, peakMemJson } from "../helpers.ts";

interface Process {
  name: string;
  peak_rss_bytes: number;
  rss_at_peak_bytes: number | null;
}
interface Breakdown {
  rss_bytes: number;
  at_ms: number | null;
  is_peak: boolean;
}

describe.skipIf(process.platform !== "linux")("the breakdown", () => {
  test("one process: it is the breakdown, at the peak, whatever set the peak", async () => {
    for (let i = 0; i < 3; i++) {
      const { code, report } = await peakMemJson(["-v", "--", ...allocate(60, 0)]);
      expect(code).toBe(0);
      const breakdown = report.breakdown as Breakdown;
      const [only] = report.processes as Process[];
      expect(breakdown.is_peak).toBe(true);
      expect(breakdown.rss_bytes).toBe(report.peak_rss_bytes as number);
      expect(only?.rss_at_peak_bytes).toBe(report.peak_rss_bytes as number);
    }
  });

  test("a parent and a child: the processes at the moment add up to it, and it says whether that moment is the peak", async () => {
    const [bun, ...args] = allocate(60, 0);
    const { code, report } = await peakMemJson(["-v", "--", "sh", "-c", `'${bun}' ${args.map((a) => `'${a}'`).join(" ")}; true`]);
    expect(code).toBe(0);
    const breakdown = report.breakdown as Breakdown;
    const processes = report.processes as Process[];
    const sum = processes.reduce((total, p) => total + (p.rss_at_peak_bytes ?? 0), 0);
    expect(sum).toBe(breakdown.rss_bytes);
    expect(breakdown.is_peak).toBe(breakdown.rss_bytes >= (report.peak_rss_bytes as number));
    expect(Math.max(...processes.map((p) => p.peak_rss_bytes))).toBeGreaterThanOrEqual(60 * MiB);
  });

  test("the terminal's table says the same moment", async () => {
    const [bun, ...args] = allocate(60, 0);
    const { stdout, stderr } = await peakMem(["-v", "--", "sh", "-c", `'${bun}' ${args.map((a) => `'${a}'`).join(" ")}; true`]);
    const title = `${stdout}${stderr}`.split("\n").find((line) => line.startsWith("At the "));
    expect(title).toMatch(/^At the (peak: the tree when its RSS peaked, at [\d.]+s|largest sample: [\d.]+ MiB at [\d.]+s; the peak of [\d.]+ MiB \(.+\) fell between samples)$/);
  });
});
