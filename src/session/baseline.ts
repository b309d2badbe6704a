import type { BaselineFigures } from "../baseline/compare.ts";
import type { Baseline } from "../baseline/store.ts";
import { statisticsOf, type CommandSeries, type SeriesReport } from "../model/series.ts";

// A series as a baseline (--save-baseline with --runs): the medians where a single run's
// baseline has its figures, so that any peak-mem reads it fairly, and each counted run's
// figures, so that a later comparison knows the run-to-run spread (src/baseline/compare.ts).

/** Undefined when the series has no counted run to save. */
export function baselineFromSeries(series: SeriesReport): Baseline | undefined {
  const only: CommandSeries | undefined = series.commands[0];
  const medians = seriesMedians(series);
  if (!only || !medians) return undefined;
  const runs = only.runs.filter((run) => !run.interrupted);
  const failed = runs.find((run) => run.report.exitCode !== 0);
  return {
    command: only.command,
    ...medians,
    exitCode: failed?.report.exitCode ?? 0,
    timestamp: series.timestamp,
    version: series.version,
    platform: series.platform,
    runs: runs.map(({ report }) => ({ peakRssBytes: report.peaks.rss.bytes, peakVszBytes: report.peaks.vsz.bytes, durationMs: report.durationMs })),
  };
}

/** What a comparison of the series reads: its medians. */
export function seriesMedians(series: SeriesReport): BaselineFigures | undefined {
  const only = series.commands[0];
  const median = (key: string) => (only ? statisticsOf(only, key)?.median : undefined);
  const [rss, vsz, duration] = [median("peak_rss_bytes"), median("peak_vsz_bytes"), median("duration_ms")];
  if (rss === undefined || vsz === undefined || duration === undefined) return undefined;
  return { peakRssBytes: Math.round(rss), peakVszBytes: Math.round(vsz), durationMs: Math.round(duration) };
}
