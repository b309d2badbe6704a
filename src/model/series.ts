import type { Comparison, Report } from "./report.ts";
import { ratio, statistics, type Ratio, type Statistics } from "./statistics.ts";

// Everything a renderer may show about a series: each command's runs, their statistics and,
// with several commands, each one's ratio to the first. Built once from the runs' reports
// (seriesReport below); renderers are pure functions of it (src/export/series/).

/**
 * A figure of a run that a series keeps statistics of (its views declare them,
 * src/export/views/): its key in JSON, its label, its unit, and how to read it from a report
 * (undefined where this run has none: a PSS never read).
 */
export interface Figure {
  key: string;
  label: string;
  unit: "bytes" | "ms" | "count";
  of(report: Report): number | undefined;
  /**
   * Shown in the terminal and Markdown only when some run's value is above this (the swap of most
   * runs is 0, and most commands are one process at a time); JSON always has it.
   */
  shownAbove?: number;
}

/** One counted run: its whole report (without the process list, which a long series would pile up). */
export interface SeriesRun {
  /** 1, 2, … within its command's series. */
  run: number;
  report: Report;
  /** A signal reached peak-mem during this run (Ctrl-C): listed, but not in the statistics. */
  interrupted?: boolean;
}

/** A figure's statistics over a command's counted runs that have it. */
export interface FigureStatistics {
  figure: Figure;
  statistics: Statistics;
}

export interface CommandSeries {
  /** As a POSIX shell would need it typed (JSON, CSV, baselines). */
  command: string;
  /** As given, for the formats that show it escaped. */
  argv: string[];
  runs: SeriesRun[];
  /** Each figure's statistics over the runs that were not interrupted, in figure order; absent when there are none. */
  statistics?: FigureStatistics[];
  /** The largest peak RSS of its runs is over --threshold (decides the exit status). */
  thresholdExceeded: boolean;
  /** With several commands, for the second and later: their medians over the first's. */
  ratio?: { peakRss?: Ratio; duration?: Ratio };
}

/** The statistics of one figure, by its key ("peak_rss_bytes"). */
export function statisticsOf(command: CommandSeries, key: string): Statistics | undefined {
  return command.statistics?.find((each) => each.figure.key === key)?.statistics;
}

/** Why a series ended before all its runs. */
export type SeriesStop =
  | { reason: "failed"; command: number; run: number; warmup: boolean; exitCode: number; signal?: string }
  /** A signal reached peak-mem (Ctrl-C): during a run (`run` given), or between two. */
  | { reason: "interrupted"; signal: string; exitCode: number; command?: number; run?: number; warmup?: boolean }
  /** peak-mem could not start the next run (a message meant for a person). */
  | { reason: "error"; message: string; exitCode: number; command: number; run: number; warmup: boolean };

export interface SeriesReport {
  commands: CommandSeries[];
  /** --runs: counted runs asked of each command. */
  runsRequested: number;
  /** --warmup: runs of each command before those, not counted. */
  warmupRuns: number;
  ignoreFailure: boolean;
  stop?: SeriesStop;
  /** Counted runs that failed (more than one only with --ignore-failure). */
  failedRuns: number;
  thresholdBytes?: number;
  thresholdPercent?: number;
  /** --compare-baseline: the median against a saved baseline (one command only). */
  comparison?: Comparison;
  /** When the first run started, RFC 3339 UTC. */
  timestamp: string;
  intervalMs: number;
  version: string;
  platform: string;
}

/** A run as the series keeps it: the process list dropped (the programs stay). */
export function seriesRun(report: Report, run: number, interrupted: boolean): SeriesRun {
  return { run, report: { ...report, processes: [] }, ...(interrupted && { interrupted: true }) };
}

export interface SeriesInput {
  commands: { command: string; argv: string[]; runs: SeriesRun[] }[];
  runsRequested: number;
  warmupRuns: number;
  ignoreFailure: boolean;
  stop?: SeriesStop;
  thresholdBytes?: number;
  thresholdPercent?: number;
  timestamp: string;
  intervalMs: number;
  version: string;
  platform: string;
}

/** The series with its statistics: `figures`, those its views declare (src/export/views/). */
export function seriesReport(input: SeriesInput, figures: readonly Figure[]): SeriesReport {
  const commands: CommandSeries[] = input.commands.map((each) => {
    const counted = each.runs.filter((run) => !run.interrupted);
    const stats = figureStatistics(counted, figures);
    const largest = Math.max(0, ...counted.map((run) => run.report.peaks.rss.bytes));
    return {
      command: each.command,
      argv: each.argv,
      runs: each.runs,
      ...(stats && { statistics: stats }),
      // --gpu-threshold holds for every run: one over it is the series over it (its note says which).
      thresholdExceeded: (input.thresholdBytes !== undefined && counted.length > 0 && largest > input.thresholdBytes) || counted.some((run) => run.report.gpu?.threshold?.exceeded === true),
    };
  });
  const first = commands[0];
  if (commands.length > 1 && first?.statistics) {
    for (const each of commands.slice(1)) {
      if (!each.statistics) continue;
      const rss = ratioOf(each, first, "peak_rss_bytes");
      const duration = ratioOf(each, first, "duration_ms");
      each.ratio = { ...(rss && { peakRss: rss }), ...(duration && { duration }) };
    }
  }
  const failedRuns = input.commands.reduce((sum, each) => sum + each.runs.filter((run) => run.report.exitCode !== 0 && !run.interrupted).length, 0);
  return {
    commands,
    runsRequested: input.runsRequested,
    warmupRuns: input.warmupRuns,
    ignoreFailure: input.ignoreFailure,
    ...(input.stop && { stop: input.stop }),
    failedRuns,
    ...(input.thresholdBytes !== undefined && { thresholdBytes: input.thresholdBytes }),
    ...(input.thresholdPercent !== undefined && { thresholdPercent: input.thresholdPercent }),
    timestamp: input.timestamp,
    intervalMs: input.intervalMs,
    version: input.version,
    platform: input.platform,
  };
}

function ratioOf(command: CommandSeries, first: CommandSeries, key: string): Ratio | undefined {
  const of = statisticsOf(command, key);
  const to = statisticsOf(first, key);
  return of && to ? ratio(of, to) : undefined;
}

/** Undefined without a counted run; a figure no run has is left out. */
function figureStatistics(runs: SeriesRun[], figures: readonly Figure[]): FigureStatistics[] | undefined {
  if (runs.length === 0) return undefined;
  return figures.flatMap((figure) => {
    const values = runs.flatMap((run) => {
      const value = figure.of(run.report);
      return value === undefined ? [] : [value];
    });
    const stats = statistics(values);
    return stats ? [{ figure, statistics: stats }] : [];
  });
}
