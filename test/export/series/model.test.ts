import { describe, expect, test } from "bun:test";
import { baselineFromSeries } from "../../../src/series/baseline.ts";
import { makeRun, makeSeries, MiB } from "./fixture.ts";

describe("seriesReport", () => {
  test("each metric's statistics over the runs", () => {
    const series = makeSeries([[["app"], [40, 80, 40, 80, 60]]]);
    const stats = series.commands[0]!.statistics!;
    expect(stats.peakRss).toMatchObject({ count: 5, min: 40 * MiB, median: 60 * MiB, mean: 60 * MiB, max: 80 * MiB });
    expect(stats.peakVsz.median).toBe(120 * MiB);
    expect(stats.duration).toMatchObject({ min: 201, max: 205, median: 203 });
    expect(stats.peakPss).toBeUndefined();
  });

  test("an interrupted run is kept but not counted", () => {
    const series = makeSeries([[["app"], [50, 52, makeRun(3, 1, { interrupted: true, exitCode: 130, signal: "SIGINT" })]]]);
    expect(series.commands[0]!.runs).toHaveLength(3);
    expect(series.commands[0]!.statistics!.peakRss).toMatchObject({ count: 2, min: 50 * MiB, max: 52 * MiB });
    expect(series.failedRuns).toBe(0);
  });

  test("the threshold is decided on the largest peak", () => {
    const over = makeSeries([[["app"], [40, 81, 40]]], { thresholdBytes: 80 * MiB });
    const under = makeSeries([[["app"], [40, 80, 40]]], { thresholdBytes: 80 * MiB });
    expect(over.commands[0]!.thresholdExceeded).toBe(true);
    expect(under.commands[0]!.thresholdExceeded).toBe(false);
  });

  test("several commands: each one's ratio to the first, none for the first", () => {
    const series = makeSeries([
      [["a"], [50, 50, 50]],
      [["b"], [99, 100, 101]],
    ]);
    expect(series.commands[0]!.ratio).toBeUndefined();
    expect(series.commands[1]!.ratio!.peakRss).toEqual({ value: 2, uncertainty: 2 * (1 / 100) });
  });

  test("as a baseline: the medians, and each counted run's figures", () => {
    const series = makeSeries([[["app"], [40, 60, 50, makeRun(4, 99, { interrupted: true })]]]);
    const baseline = baselineFromSeries(series)!;
    expect(baseline).toMatchObject({ command: "app", peakRssBytes: 50 * MiB, peakVszBytes: 100 * MiB, exitCode: 0 });
    expect(baseline.runs!.map((run) => run.peakRssBytes / MiB)).toEqual([40, 60, 50]);
    expect(baselineFromSeries(makeSeries([[["app"], []]]))).toBeUndefined();
  });
});
