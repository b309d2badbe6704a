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
  unit: "bytes" | "ms";
  of(report: Report): number | undefined;
  /** Shown in the terminal and Markdown only when some run's value is above 0 (the swap of most runs is 0). */
  quietAtZero?: boolean;
}

/** One counted run, as the series keeps it: the report's figures, not its processes. */
export interface RunFigures {
  /** 1, 2, … within its command's series. */
  run: number;
  peakRssBytes: number;
  peakVszBytes: number;
  durationMs: number;
  /** The command's status as peak-mem passes it on (128 + N for signal N). */
  exitCode: number;
  signal?: string;
  /** --threshold: this run's peak crossed it. */
  thresholdExceeded: boolean;
  /** --pss: the tree's peak PSS, when it was read at least once. */
  peakPssBytes?: number;
  /** When the run started, RFC 3339 UTC. */
  timestamp: string;
  /** A signal reached peak-mem during this run (Ctrl-C): listed, but not in the statistics. */
  interrupted?: boolean;
  /** Measuring stopped early on an internal error: the peaks may be low. */
  fault?: string;
}

export interface MetricStatistics {
  peakRss: Statistics;
  peakVsz: Statistics;
  duration: Statistics;
  /** --pss: over the runs whose PSS was read. */
  peakPss?: Statistics;
}

export interface CommandSeries {
  /** As a POSIX shell would need it typed (JSON, CSV, baselines). */
  command: string;
  /** As given, for the formats that show it escaped. */
  argv: string[];
  runs: RunFigures[];
  /** Over the runs that were not interrupted; absent when there are none. */
  statistics?: MetricStatistics;
  /** The largest peak RSS of its runs is over --threshold (decides the exit status). */
  thresholdExceeded: boolean;
  /** With several commands, for the second and later: their medians over the first's. */
  ratio?: { peakRss?: Ratio; duration?: Ratio };
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

/** The figures the series keeps of one run's report. */
export function runFigures(report: Report, run: number, interrupted: boolean): RunFigures {
  const pss = report.pss && report.pss.readings > 0 ? report.pss.peakPssBytes : undefined;
  return {
    run,
    peakRssBytes: report.peaks.rss.bytes,
    peakVszBytes: report.peaks.vsz.bytes,
    durationMs: report.durationMs,
    exitCode: report.exitCode,
    ...(report.signal !== undefined && { signal: report.signal }),
    thresholdExceeded: report.threshold?.exceeded === true,
    ...(pss !== undefined && { peakPssBytes: pss }),
    timestamp: report.timestamp,
    ...(interrupted && { interrupted: true }),
    ...(report.sampling.fault && { fault: report.sampling.fault.message }),
  };
}

export interface SeriesInput {
  commands: { command: string; argv: string[]; runs: RunFigures[] }[];
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

export function seriesReport(input: SeriesInput): SeriesReport {
  const commands: CommandSeries[] = input.commands.map((each) => {
    const counted = each.runs.filter((run) => !run.interrupted);
    const stats = metricStatistics(counted);
    const largest = Math.max(0, ...counted.map((run) => run.peakRssBytes));
    return {
      command: each.command,
      argv: each.argv,
      runs: each.runs,
      ...(stats && { statistics: stats }),
      thresholdExceeded: input.thresholdBytes !== undefined && counted.length > 0 && largest > input.thresholdBytes,
    };
  });
  const first = commands[0]?.statistics;
  if (commands.length > 1 && first) {
    for (const each of commands.slice(1)) {
      if (!each.statistics) continue;
      const rss = ratio(each.statistics.peakRss, first.peakRss);
      const duration = ratio(each.statistics.duration, first.duration);
      each.ratio = { ...(rss && { peakRss: rss }), ...(duration && { duration }) };
    }
  }
  const failedRuns = input.commands.reduce((sum, each) => sum + each.runs.filter((run) => run.exitCode !== 0 && !run.interrupted).length, 0);
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

function metricStatistics(runs: RunFigures[]): MetricStatistics | undefined {
  const peakRss = statistics(runs.map((run) => run.peakRssBytes));
  const peakVsz = statistics(runs.map((run) => run.peakVszBytes));
  const duration = statistics(runs.map((run) => run.durationMs));
  if (!peakRss || !peakVsz || !duration) return undefined;
  const peakPss = statistics(runs.flatMap((run) => (run.peakPssBytes === undefined ? [] : [run.peakPssBytes])));
  return { peakRss, peakVsz, duration, ...(peakPss && { peakPss }) };
}
