// The breakdown (each process's and program's RSS "at tree peak") says which moment it shows:
// the peak, or the largest sample when the peak fell between samples.
import { describe, expect, test } from "bun:test";
import { render as renderHuman } from "../../src/export/human.ts";
import { reportJson } from "../../src/export/json.ts";
import { PLAIN } from "../../src/export/palette.ts";
import { makeReport } from "./fixture.ts";

const MiB = 2 ** 20;
const programs = { counts: "events" as const, list: [{ name: "rustc", processes: 1, maxProcessPeakBytes: 447 * MiB, rssAtPeakBytes: 447 * MiB, peakRssBytes: 447 * MiB, processSeconds: 13.7 }] };

describe("the breakdown's moment", () => {
  test("at the peak: said so, with when", () => {
    const text = renderHuman(makeReport({ peaks: { rss: { bytes: 487 * MiB }, breakdown: { bytes: 487 * MiB, atMs: 8_400, isPeak: true } }, programs }), { palette: PLAIN, verbose: true });
    expect(text).toContain("At the peak: the tree when its RSS peaked, at 8.40s\n");
    expect(text).not.toContain("largest sample");
  });

  test("below the peak: the largest sample, its size and when, and where the peak came from; the programs' title too", () => {
    const report = makeReport({ peaks: { rss: { bytes: 520 * MiB, source: "process-hwm" }, breakdown: { bytes: 487 * MiB, atMs: 8_400, isPeak: false } }, programs });
    const text = renderHuman(report, { palette: PLAIN, verbose: true });
    expect(text).toContain("At the largest sample: 487.0 MiB at 8.40s; the peak of 520.0 MiB (one process's own high-water mark) fell between samples\n");
    expect(text).toMatch(/^Programs: 1 \([^)]*\); at tree peak: at the largest sample, 487\.0 MiB$/m);
    expect(reportJson(report, true)).toMatchObject({ breakdown: { rss_bytes: 487 * MiB, at_ms: 8_400, is_peak: false } });
  });
});
