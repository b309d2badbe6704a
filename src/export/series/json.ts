import type { CommandSeries, SeriesReport, SeriesRun, SeriesStop } from "../../model/series.ts";
import type { Ratio, Statistics } from "../../model/statistics.ts";
import { reportJson } from "../json.ts";
import { comparisonJson } from "../views/comparison.ts";

// A series as one JSON object: always a `commands` array (one element for one command), each
// with its `runs` (each the single run's JSON object, whole but for the process list and what
// the series says once, plus `run`) and the `statistics` of every figure; then how the series
// went. Byte sizes are whole bytes, durations in ms to 0.1.

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
  return {
    command: command.command,
    runs: command.runs.map(runJson),
    ...(command.statistics && {
      statistics: Object.fromEntries(command.statistics.map(({ figure, statistics }) => [figure.key, statisticsJson(statistics, figure.unit === "bytes" ? 0 : 1)])),
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

function runJson(run: SeriesRun) {
  const { version: _version, platform: _platform, ...report } = reportJson(run.report, false);
  return { run: run.run, ...report, ...(run.interrupted && { interrupted: true }) };
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
