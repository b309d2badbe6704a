import { describe, expect, test } from "bun:test";
import { statisticsOf } from "../../../src/model/series.ts";
import { baselineFromSeries, seriesMedians } from "../../../src/session/baseline.ts";
import { makeRun, makeSeries, MiB } from "./fixture.ts";

describe("seriesReport", () => {
  test("each figure's statistics over the runs, in figure order; a figure no run has is left out", () => {
    const series = makeSeries([[["app"], [40, 80, 40, 80, 60]]]);
    const command = series.commands[0]!;
    expect(statisticsOf(command, "peak_rss_bytes")).toMatchObject({ count: 5, min: 40 * MiB, median: 60 * MiB, mean: 60 * MiB, max: 80 * MiB });
    expect(statisticsOf(command, "peak_vsz_bytes")?.median).toBe(120 * MiB);
    expect(statisticsOf(command, "duration_ms")).toMatchObject({ min: 201, max: 205, median: 203 });
    expect(statisticsOf(command, "peak_pss_bytes")).toBeUndefined();
    expect(statisticsOf(command, "cgroup_peak_bytes")).toBeUndefined();
    expect(command.statistics!.map((each) => each.figure.key)).toEqual(["peak_rss_bytes", "peak_vsz_bytes", "duration_ms"]);
  });

  test("a figure only some runs have: its statistics over those runs", () => {
    const pss = (mib: number) => ({ peakPssBytes: mib * MiB, source: "smaps_rollup", readings: 3, effectiveIntervalMs: 250, meanReadMs: 1, budgetPercent: 5, unreadable: 0 });
    // The second run's PSS was never read (readings 0): no figure, not a 0.
    const runs = [makeRun(1, 50, { pss: pss(30) }), makeRun(2, 50, { pss: { ...pss(99), readings: 0 } }), makeRun(3, 50, { pss: pss(40) })];
    const stats = statisticsOf(makeSeries([[["app"], runs]]).commands[0]!, "peak_pss_bytes");
    expect(stats).toMatchObject({ count: 2, min: 30 * MiB, max: 40 * MiB, median: 35 * MiB });
  });

  test("a run is its whole report without the process list", () => {
    const run = makeRun(2, 50);
    expect(run.run).toBe(2);
    expect(run.report.processes).toEqual([]);
    expect(run.report.peaks.rss.bytes).toBe(50 * MiB);
    expect(run).not.toHaveProperty("interrupted");
    expect(makeRun(3, 50, { interrupted: true }).interrupted).toBe(true);
  });

  test("an interrupted run is kept but not counted", () => {
    const series = makeSeries([[["app"], [50, 52, makeRun(3, 1, { interrupted: true, exitCode: 130, signal: "SIGINT" })]]]);
    expect(series.commands[0]!.runs).toHaveLength(3);
    expect(statisticsOf(series.commands[0]!, "peak_rss_bytes")).toMatchObject({ count: 2, min: 50 * MiB, max: 52 * MiB });
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
    // Only interrupted runs: nothing counted, nothing to save or compare.
    expect(baselineFromSeries(makeSeries([[["app"], [makeRun(1, 50, { interrupted: true })]]]))).toBeUndefined();
    expect(seriesMedians(series)).toEqual({ peakRssBytes: 50 * MiB, peakVszBytes: 100 * MiB, durationMs: 202 });
  });

  test("as a baseline: a failed run's exit code is kept", () => {
    const series = makeSeries([[["app"], [40, makeRun(2, 60, { exitCode: 3 }), 50]]], { ignoreFailure: true });
    expect(baselineFromSeries(series)?.exitCode).toBe(3);
    expect(series.failedRuns).toBe(1);
  });
});
