import { formatDuration } from "../../core/text/duration.ts";
import { statisticsOf, type CommandSeries, type Figure, type SeriesReport, type SeriesRun } from "../../model/series.ts";
import type { Ratio, Statistics } from "../../model/statistics.ts";
import { runNotes, type Show } from "../views/index.ts";
import { exitText } from "../views/outcome.ts";
import { thresholdText } from "../views/threshold.ts";

// A series described once as cells and sentences, which the terminal and Markdown each lay out
// their own way. Its figures are those the views declare (src/export/views/), so a figure a
// view adds shows in the statistics and the runs' table with no change here. Text from outside
// (the command) is left to the layout to escape.

type Format = (value: number) => string;

export const STATISTICS_HEADER = ["", "Min", "Median", "Mean", "Max", "Std dev"];

/** How a figure's values show: sizes, durations, or counts (a mean to one decimal). */
function formatOf(figure: Figure, show: Show): Format {
  if (figure.unit === "count") return (value) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  return figure.unit === "ms" ? formatDuration : show.size;
}

/** The figures a series shows: those with statistics in any command, and those with a floor only when some run's value is above it. */
export function shownFigures(series: SeriesReport): Figure[] {
  const present: Figure[] = [];
  for (const command of series.commands) for (const each of command.statistics ?? []) if (!present.some((f) => f.key === each.figure.key)) present.push(each.figure);
  return present.filter((figure) => figure.shownAbove === undefined || series.commands.some((command) => (statisticsOf(command, figure.key)?.max ?? 0) > (figure.shownAbove as number)));
}

/** A row per figure: min, median, mean, max, standard deviation ("–" with one run). */
export function statisticsRows(series: SeriesReport, command: CommandSeries, show: Show): string[][] {
  const counted = command.runs.filter((run) => !run.interrupted).length;
  return shownFigures(series).flatMap((figure) => {
    const s = statisticsOf(command, figure.key);
    if (!s) return [];
    const format = formatOf(figure, show);
    const spread = figure.unit === "ms" ? durationSpread : format;
    const label = s.count === counted ? figure.label : `${figure.label} (${plural(s.count, "run")})`;
    return [[label, format(s.min), format(s.median), format(s.mean), format(s.max), s.stddev === null ? "–" : spread(s.stddev)]];
  });
}

/** Each run's figures: a header and a row per run; a Note column only when a run has one. */
export function runsTable(series: SeriesReport, command: CommandSeries, show: Show): { header: string[]; rows: string[][] } {
  const figures = shownFigures(series);
  const notes = command.runs.map((run) => runNote(run, series, show));
  const noted = notes.some((note) => note !== "");
  return {
    header: ["Run", ...figures.map((figure) => figure.label), "Exit code", ...(noted ? ["Note"] : [])],
    rows: command.runs.map((run, i) => [
      String(run.run),
      ...figures.map((figure) => {
        const value = figure.of(run.report);
        return value === undefined ? "–" : formatOf(figure, show)(value);
      }),
      exitText(run.report),
      ...(noted ? [notes[i] ?? ""] : []),
    ]),
  };
}

/** A spread of durations: below a second in whole ms, where formatDuration would show 0.00s. */
function durationSpread(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms);
}

function runNote(run: SeriesRun, series: SeriesReport, show: Show): string {
  const notes = [];
  if (run.interrupted) notes.push("interrupted: not counted");
  notes.push(...runNotes(run.report, show));
  if (run.report.exitCode !== 0 && !run.interrupted && series.ignoreFailure) notes.push("failed (--ignore-failure)");
  return notes.join("; ");
}

/** "5 runs after 1 warm-up run, all exited 0", "3 of 5 runs, 1 failed, 1 killed by the OOM killer". */
export function runsSentence(series: SeriesReport, command: CommandSeries): string {
  const counted = command.runs.filter((run) => !run.interrupted);
  const asked = series.runsRequested;
  const runs = counted.length === asked ? plural(asked, "run") : `${counted.length} of ${plural(asked, "run")}`;
  const warmup = series.warmupRuns > 0 ? ` after ${plural(series.warmupRuns, "warm-up run")}` : "";
  const failed = counted.filter((run) => run.report.exitCode !== 0).length;
  const exits = counted.length === 0 ? "" : failed === 0 ? (counted.length === 1 ? ", exited 0" : ", all exited 0") : `, ${failed} failed`;
  const oom = counted.filter((run) => run.report.memory?.oom?.treeKilled).length;
  return `${runs}${warmup}${exits}${oom > 0 ? `, ${oom} killed by the kernel's OOM killer` : ""}`;
}

/** The memory limit the runs ran under, once, with the largest peak's share of it (the runs of a series share one). */
export function limitSentence(command: CommandSeries, show: Show): string | undefined {
  const counted = command.runs.filter((run) => !run.interrupted && run.report.memory?.limit);
  const largest = counted.reduce<SeriesRun | undefined>((a, b) => (!a || b.report.peaks.rss.bytes > a.report.peaks.rss.bytes ? b : a), undefined);
  const limit = largest?.report.memory?.limit;
  if (!largest || !limit || limit.source.startsWith("physical memory") || limit.bytes <= 0) return undefined;
  const share = Math.round((largest.report.peaks.rss.bytes / limit.bytes) * 100);
  return `${show.size(limit.bytes)} (${limit.source}), the largest peak at ${share}%`;
}

/** Why the series ended early, or undefined when it ran to its end. */
export function stopSentence(series: SeriesReport): string | undefined {
  const stop = series.stop;
  if (!stop) return undefined;
  const several = series.commands.length > 1;
  const which = (command: number | undefined, run: number | undefined, warmup: boolean | undefined) =>
    `${warmup ? "warm-up run" : "run"} ${run}${several && command !== undefined ? ` of command ${command + 1}` : ""}`;
  switch (stop.reason) {
    case "failed": {
      const how = stop.signal ? `was killed by ${stop.signal} (exit code ${stop.exitCode})` : `exited with ${stop.exitCode}`;
      return `${which(stop.command, stop.run, stop.warmup)} ${how}: the series stopped there (--ignore-failure goes on)`;
    }
    case "interrupted":
      return stop.run === undefined
        ? `${stop.signal} reached peak-mem between runs: the series stopped there`
        : `${which(stop.command, stop.run, stop.warmup)} was interrupted by ${stop.signal}: the series stopped there${stop.warmup ? "" : ", and that run is listed but not counted"}`;
    case "error":
      return `${which(stop.command, stop.run, stop.warmup)} could not run (${stop.message}): the series stopped there`;
  }
}

/** --threshold crossed by a command's largest peak: which run, and the threshold. */
export function thresholdSentence(series: SeriesReport, command: CommandSeries, show: Show): string | undefined {
  if (!command.thresholdExceeded || series.thresholdBytes === undefined) return undefined;
  const counted = command.runs.filter((run) => !run.interrupted);
  const largest = counted.reduce((a, b) => (b.report.peaks.rss.bytes > a.report.peaks.rss.bytes ? b : a));
  const over = counted.filter((run) => run.report.threshold?.exceeded).length;
  return `the largest peak RSS, ${show.size(largest.report.peaks.rss.bytes)} in run ${largest.run}, is over the threshold of ${thresholdText(series.thresholdBytes, series.thresholdPercent, show.size, largest.report.threshold?.given)}; ${over} of ${plural(counted.length, "run")} over it`;
}

export const COMPARISON_HEADER = ["#", "Peak RSS (median)", "Ratio", "Duration (median)", "Ratio", "Command"];

/** Several commands: each one's medians and ratios to the first; the command is the last cell (the layout escapes it). */
export function comparisonRows<C = string>(series: SeriesReport, show: Show, command: (each: CommandSeries) => C): (string | C)[][] {
  return series.commands.map((each, i) => {
    const rss = statisticsOf(each, "peak_rss_bytes");
    const duration = statisticsOf(each, "duration_ms");
    const spread = (s: Statistics, format: Format) => (s.stddev === null ? format(s.median) : `${format(s.median)} ± ${format(s.stddev)}`);
    return [
      String(i + 1),
      rss ? spread(rss, show.size) : "no counted run",
      i === 0 ? (rss ? "1.00" : "–") : ratioText(each.ratio?.peakRss),
      duration ? formatDuration(duration.median) : "–",
      i === 0 ? (duration ? "1.00" : "–") : ratioText(each.ratio?.duration),
      command(each),
    ];
  });
}

/** "1.98 ± 0.02", "1.98" without a spread, "–" when there is no ratio. */
export function ratioText(ratio: Ratio | undefined): string {
  if (!ratio) return "–";
  return ratio.uncertainty === null ? ratio.value.toFixed(2) : `${ratio.value.toFixed(2)} ± ${ratio.uncertainty.toFixed(2)}`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
