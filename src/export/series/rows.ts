import type { CommandSeries, RunFigures, SeriesReport } from "../../model/series.ts";
import type { Ratio, Statistics } from "../../model/statistics.ts";
import { formatDuration } from "../../core/text/duration.ts";
import { thresholdText } from "../notes.ts";

// A series described once as cells and sentences, which the human report and Markdown each
// lay out their own way (as src/export/memory-rows.ts does for one run). Text from outside
// (the command) is left to the layout to escape.

type Show = (value: number) => string;

export const STATISTICS_HEADER = ["", "Min", "Median", "Mean", "Max", "Std dev"];

/** A row per metric: min, median, mean, max, standard deviation ("–" with one run). */
export function statisticsRows(command: CommandSeries, size: Show): string[][] {
  const stats = command.statistics;
  if (!stats) return [];
  const row = (label: string, s: Statistics, show: Show, spread = show) => [label, show(s.min), show(s.median), show(s.mean), show(s.max), s.stddev === null ? "–" : spread(s.stddev)];
  return [
    row("Peak RSS", stats.peakRss, size),
    row("Peak VSZ", stats.peakVsz, size),
    row("Duration", stats.duration, formatDuration, durationSpread),
    ...(stats.peakPss ? [row(stats.peakPss.count === stats.peakRss.count ? "Peak PSS" : `Peak PSS (${stats.peakPss.count} runs)`, stats.peakPss, size)] : []),
  ];
}

/** Each run's figures: a header and a row per run; a Note column only when a run has one. */
export function runsTable(series: SeriesReport, command: CommandSeries, size: Show): { header: string[]; rows: string[][] } {
  const pss = series.commands.some((each) => each.runs.some((run) => run.peakPssBytes !== undefined));
  const notes = command.runs.map((run) => runNote(run, series));
  const noted = notes.some((note) => note !== "");
  return {
    header: ["Run", "Peak RSS", "Peak VSZ", ...(pss ? ["Peak PSS"] : []), "Duration", "Exit code", ...(noted ? ["Note"] : [])],
    rows: command.runs.map((run, i) => [
      String(run.run),
      size(run.peakRssBytes),
      size(run.peakVszBytes),
      ...(pss ? [run.peakPssBytes === undefined ? "–" : size(run.peakPssBytes)] : []),
      formatDuration(run.durationMs),
      exitText(run),
      ...(noted ? [notes[i] ?? ""] : []),
    ]),
  };
}

/** A spread of durations: below a second in whole ms, where formatDuration would show 0.00s. */
function durationSpread(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms);
}

function exitText(run: RunFigures): string {
  return run.signal ? `${run.exitCode} (${run.signal})` : String(run.exitCode);
}

function runNote(run: RunFigures, series: SeriesReport): string {
  const notes = [];
  if (run.interrupted) notes.push("interrupted: not counted");
  if (run.thresholdExceeded) notes.push("over the threshold");
  if (run.fault) notes.push("measuring stopped early: peaks may be low");
  if (run.exitCode !== 0 && !run.interrupted && series.ignoreFailure) notes.push("failed (--ignore-failure)");
  return notes.join("; ");
}

/** "5 runs after 1 warm-up run, all exited 0", "3 of 5 runs, 1 failed". */
export function runsSentence(series: SeriesReport, command: CommandSeries): string {
  const counted = command.runs.filter((run) => !run.interrupted).length;
  const asked = series.runsRequested;
  const runs = counted === asked ? plural(asked, "run") : `${counted} of ${plural(asked, "run")}`;
  const warmup = series.warmupRuns > 0 ? ` after ${plural(series.warmupRuns, "warm-up run")}` : "";
  const failed = command.runs.filter((run) => run.exitCode !== 0 && !run.interrupted).length;
  const exits = counted === 0 ? "" : failed === 0 ? (counted === 1 ? ", exited 0" : ", all exited 0") : `, ${failed} failed`;
  return `${runs}${warmup}${exits}`;
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

/** --threshold crossed by a command's largest peak: which run, and the limit. */
export function thresholdSentence(series: SeriesReport, command: CommandSeries, size: Show): string | undefined {
  if (!command.thresholdExceeded || series.thresholdBytes === undefined) return undefined;
  const counted = command.runs.filter((run) => !run.interrupted);
  const largest = counted.reduce((a, b) => (b.peakRssBytes > a.peakRssBytes ? b : a));
  const over = counted.filter((run) => run.thresholdExceeded).length;
  return `the largest peak RSS, ${size(largest.peakRssBytes)} in run ${largest.run}, is over the limit of ${thresholdText(series.thresholdBytes, series.thresholdPercent, size)} (${over} of ${plural(counted.length, "run")} over it)`;
}

export const COMPARISON_HEADER = ["#", "Peak RSS (median)", "Ratio", "Duration (median)", "Ratio", "Command"];

/** Several commands: each one's medians and ratios to the first; the command is the last cell (the layout escapes it). */
export function comparisonRows<C = string>(series: SeriesReport, size: Show, command: (each: CommandSeries) => C): (string | C)[][] {
  return series.commands.map((each, i) => {
    const stats = each.statistics;
    const spread = (s: Statistics, show: Show) => (s.stddev === null ? show(s.median) : `${show(s.median)} ± ${show(s.stddev)}`);
    return [
      String(i + 1),
      stats ? spread(stats.peakRss, size) : "no counted run",
      i === 0 ? (stats ? "1.00" : "–") : ratioText(each.ratio?.peakRss),
      stats ? formatDuration(stats.duration.median) : "–",
      i === 0 ? (stats ? "1.00" : "–") : ratioText(each.ratio?.duration),
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
