import { describe, expect, test } from "bun:test";
import { change, compareRuns, formatChange, formatGrowth, grewBeyond } from "../../src/baseline/compare.ts";
import type { Baseline } from "../../src/baseline/store.ts";

const MiB = 2 ** 20;
const baseline: Baseline = {
  command: "make",
  peakRssBytes: 100 * MiB,
  peakVszBytes: 1000 * MiB,
  durationMs: 2000,
  exitCode: 0,
  timestamp: "2025-05-24T10:30:45Z",
  version: "0.1.0",
};

describe("change", () => {
  test("growth, shrinkage and no change in percent", () => {
    expect(change(100, 120)).toEqual({ baseline: 100, current: 120, changePercent: 20 });
    expect(change(200, 150)).toEqual({ baseline: 200, current: 150, changePercent: -25 });
    expect(change(100, 100).changePercent).toBe(0);
  });

  test("a zero baseline: 0 → 0 is no change, 0 → more has no percentage", () => {
    expect(change(0, 0).changePercent).toBe(0);
    expect(change(0, 5).changePercent).toBeNull();
  });
});

describe("grewBeyond", () => {
  test("strictly more than the threshold", () => {
    expect(grewBeyond(100, 110, 10)).toBe(false);
    expect(grewBeyond(100, 111, 10)).toBe(true);
    expect(grewBeyond(100, 90, 10)).toBe(false);
  });

  test("exact at the boundary, without floating-point residue", () => {
    // (1.1 - 1) * 100 is 10.000000000000009 in floating point: the integer test is not fooled.
    expect(grewBeyond(1_000_000_000, 1_100_000_000, 10)).toBe(false);
    expect(grewBeyond(1_000_000_000, 1_100_000_001, 10)).toBe(true);
    expect(grewBeyond(200, 205, 2.5)).toBe(false);
    expect(grewBeyond(200, 206, 2.5)).toBe(true);
  });

  test("threshold 0: any growth at all", () => {
    expect(grewBeyond(100, 100, 0)).toBe(false);
    expect(grewBeyond(100, 101, 0)).toBe(true);
  });

  test("a zero baseline: any growth is over any threshold, none is not", () => {
    expect(grewBeyond(0, 1, 10_000)).toBe(true);
    expect(grewBeyond(0, 0, 0)).toBe(false);
  });
});

describe("compareRuns", () => {
  test("the three metrics, and only peak RSS decides", () => {
    const current = { peakRssBytes: 120 * MiB, peakVszBytes: 1000 * MiB, durationMs: 2500 };
    expect(compareRuns("main", baseline, current, 10)).toEqual({
      baselineName: "main",
      baselineTimestamp: "2025-05-24T10:30:45Z",
      peakRss: { baseline: 100 * MiB, current: 120 * MiB, changePercent: 20 },
      peakVsz: { baseline: 1000 * MiB, current: 1000 * MiB, changePercent: 0 },
      duration: { baseline: 2000, current: 2500, changePercent: 25 },
      thresholdPercent: 10,
      regression: true,
    });
  });

  test("VSZ and duration growing far beyond the threshold are no regression", () => {
    const current = { peakRssBytes: 100 * MiB, peakVszBytes: 5000 * MiB, durationMs: 20_000 };
    expect(compareRuns("main", baseline, current, 10).regression).toBe(false);
  });

  test("within the threshold", () => {
    const current = { peakRssBytes: 105 * MiB, peakVszBytes: 1000 * MiB, durationMs: 2000 };
    expect(compareRuns("main", baseline, current, 10).regression).toBe(false);
    expect(compareRuns("main", baseline, current, 4.9).regression).toBe(true);
  });

  test("a zero baseline", () => {
    const zero = { ...baseline, peakRssBytes: 0, peakVszBytes: 0, durationMs: 0 };
    const result = compareRuns("z", zero, { peakRssBytes: MiB, peakVszBytes: 0, durationMs: 3 }, 10);
    expect(result.peakRss.changePercent).toBeNull();
    expect(result.peakVsz.changePercent).toBe(0);
    expect(result.duration.changePercent).toBeNull();
    expect(result.regression).toBe(true);
  });
});

describe("formatting", () => {
  test("changes carry their sign and one decimal", () => {
    expect(formatChange(20)).toBe("+20.0%");
    expect(formatChange(-3.46)).toBe("-3.5%");
    expect(formatChange(0)).toBe("0.0%");
    expect(formatChange(-0.01)).toBe("0.0%");
    expect(formatChange(null)).toBe("new (was 0)");
  });

  test("the growth on the regression line is never shown as not over the threshold", () => {
    expect(formatGrowth(20, 10)).toBe("20.0%");
    expect(formatGrowth(10.04, 10)).toBe("10.04%");
    expect(formatGrowth(10.0004, 10)).toBe("10.0004%");
  });
});

describe("compareRuns against a baseline saved from a series", () => {
  // Median 100 MiB, runs from 95 to 115 MiB.
  const series: Baseline = { ...baseline, runs: [95, 100, 115].map((mib) => ({ peakRssBytes: mib * MiB, peakVszBytes: 1000 * MiB, durationMs: 2000 })) };
  const at = (mib: number) => ({ peakRssBytes: mib * MiB, peakVszBytes: 1000 * MiB, durationMs: 2000 });

  test("beyond the threshold but within the spread: no regression, said so", () => {
    const comparison = compareRuns("main", series, at(112), 10, true);
    expect(comparison).toMatchObject({ regression: false, median: true, outsideSpread: false, spread: { runs: 3, minBytes: 95 * MiB, maxBytes: 115 * MiB } });
    expect(comparison.peakRss.changePercent).toBeCloseTo(12, 10);
  });

  test("beyond the threshold and above every run: a regression", () => {
    expect(compareRuns("main", series, at(116), 10, true)).toMatchObject({ regression: true, outsideSpread: true });
  });

  test("above the spread but within the threshold: no regression; below it: outside, no regression", () => {
    expect(compareRuns("main", { ...series, runs: [{ peakRssBytes: 100 * MiB, peakVszBytes: 0, durationMs: 0 }] }, at(105), 10)).toMatchObject({ regression: false, outsideSpread: true });
    expect(compareRuns("main", series, at(90), 10)).toMatchObject({ regression: false, outsideSpread: true });
  });

  test("a single run's baseline has no spread: the threshold alone decides, as before", () => {
    const comparison = compareRuns("main", baseline, at(112), 10, true);
    expect(comparison.regression).toBe(true);
    expect(comparison).not.toHaveProperty("spread");
    expect(comparison).not.toHaveProperty("outsideSpread");
  });
});
