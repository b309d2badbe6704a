import type { Baseline } from "../baseline/store.ts";
import type { CommandSeries, SeriesReport } from "../model/series.ts";

// A series as a baseline (--save-baseline with --runs): the medians where a single run's
// baseline has its figures, so that any peak-mem reads it fairly, and each counted run's
// figures, so that a later comparison knows the run-to-run spread (src/baseline/compare.ts).

/** Undefined when the series has no counted run to save. */
export function baselineFromSeries(series: SeriesReport): Baseline | undefined {
  const only: CommandSeries | undefined = series.commands[0];
  const stats = only?.statistics;
  if (!only || !stats) return undefined;
  const runs = only.runs.filter((run) => !run.interrupted);
  const failed = runs.find((run) => run.exitCode !== 0);
  return {
    command: only.command,
    peakRssBytes: Math.round(stats.peakRss.median),
    peakVszBytes: Math.round(stats.peakVsz.median),
    durationMs: Math.round(stats.duration.median),
    exitCode: failed?.exitCode ?? 0,
    timestamp: series.timestamp,
    version: series.version,
    platform: series.platform,
    runs: runs.map((run) => ({ peakRssBytes: run.peakRssBytes, peakVszBytes: run.peakVszBytes, durationMs: run.durationMs })),
  };
}

/** What a comparison of the series reads: its medians. */
export function seriesMedians(series: SeriesReport): { peakRssBytes: number; peakVszBytes: number; durationMs: number } | undefined {
  const stats = series.commands[0]?.statistics;
  return stats && { peakRssBytes: Math.round(stats.peakRss.median), peakVszBytes: Math.round(stats.peakVsz.median), durationMs: Math.round(stats.duration.median) };
}
