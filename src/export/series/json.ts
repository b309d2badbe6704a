import type { CommandSeries, RunFigures, SeriesReport, SeriesStop } from "../../model/series.ts";
import type { Ratio, Statistics } from "../../model/statistics.ts";
import { comparisonJson } from "../json.ts";

// A series as one JSON object: always a `commands` array (one element for one command), each
// with its `runs` (the single run's field names, plus `run`) and its `statistics`; then how
// the series went. Byte sizes are whole bytes, durations in ms to 0.1.

export function render(series: SeriesReport): string {
  const object = {
    commands: series.commands.map(commandJson),
    runs_requested: series.runsRequested,
    warmup_runs: series.warmupRuns,
    ignore_failure: series.ignoreFailure,
    interleaved: series.commands.length > 1,
    failed_runs: series.failedRuns,
    ...(series.stop && { stopped: stopJson(series.stop) }),
    ...(series.thresholdBytes !== undefined && { threshold_bytes: series.thresholdBytes }),
    ...(series.thresholdPercent !== undefined && { threshold_percent: series.thresholdPercent }),
    ...(series.comparison && { comparison: comparisonJson(series.comparison) }),
    timestamp: series.timestamp,
    interval_ms: series.intervalMs,
    version: series.version,
    platform: series.platform,
  };
  return `${JSON.stringify(object, null, 2)}\n`;
}

function commandJson(command: CommandSeries) {
  const stats = command.statistics;
  return {
    command: command.command,
    runs: command.runs.map(runJson),
    ...(stats && {
      statistics: {
        peak_rss_bytes: statisticsJson(stats.peakRss, 0),
        peak_vsz_bytes: statisticsJson(stats.peakVsz, 0),
        duration_ms: statisticsJson(stats.duration, 1),
        ...(stats.peakPss && { peak_pss_bytes: statisticsJson(stats.peakPss, 0) }),
      },
    }),
    threshold_exceeded: command.thresholdExceeded,
    ...(command.ratio && {
      ratio_to_first: {
        ...(command.ratio.peakRss && { peak_rss: ratioJson(command.ratio.peakRss) }),
        ...(command.ratio.duration && { duration: ratioJson(command.ratio.duration) }),
      },
    }),
  };
}

function runJson(run: RunFigures) {
  return {
    run: run.run,
    peak_rss_bytes: run.peakRssBytes,
    peak_vsz_bytes: run.peakVszBytes,
    ...(run.peakPssBytes !== undefined && { peak_pss_bytes: run.peakPssBytes }),
    duration_ms: run.durationMs,
    exit_code: run.exitCode,
    threshold_exceeded: run.thresholdExceeded,
    timestamp: run.timestamp,
    ...(run.signal !== undefined && { signal: run.signal }),
    ...(run.interrupted && { interrupted: true }),
    ...(run.fault !== undefined && { measurement_error: run.fault }),
  };
}

/** `count` runs; stddev null with one. */
function statisticsJson(s: Statistics, decimals: number) {
  const round = (value: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
  return { count: s.count, min: s.min, median: round(s.median), mean: round(s.mean), max: s.max, stddev: s.stddev === null ? null : round(s.stddev) };
}

function ratioJson(ratio: Ratio) {
  return { value: Math.round(ratio.value * 1e4) / 1e4, uncertainty: ratio.uncertainty === null ? null : Math.round(ratio.uncertainty * 1e4) / 1e4 };
}

/** Commands and runs 1-based, as the human report numbers them. */
function stopJson(stop: SeriesStop) {
  const where = "command" in stop && stop.command !== undefined ? { command: stop.command + 1, run: stop.run, warmup: stop.warmup === true } : {};
  return {
    reason: stop.reason,
    exit_code: stop.exitCode,
    ...where,
    ...("signal" in stop && stop.signal !== undefined && { signal: stop.signal }),
    ...(stop.reason === "error" && { message: stop.message }),
  };
}
