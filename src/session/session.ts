import type { Config, Format, SeriesSettings } from "../cli/config.ts";
import { displayCommand } from "../core/text/display-command.ts";
import { SignalForwarder } from "../command/signals.ts";
import { commandPath, spawnError } from "../platform/spawn.ts";
import { describe, EXIT_FAILED, PeakMemError, ReportFault } from "../core/errors.ts";
import { commandStatus, exitCodeFor, seriesExitCode } from "../core/exit-code.ts";
import { renderReport } from "../export/index.ts";
import { PLAIN, loadPalette, type Palette } from "../export/palette.ts";
import { FIGURES } from "../export/views/index.ts";
import { deliverReport, openOutputs, openTimeline, saveBaselineNoting, useColor, writeExports } from "../output/deliver.ts";
import { OptionalOutput, optionalTimeline } from "../output/optional.ts";
import { WatchLine } from "../output/watch.ts";
import { watchMixedStdout } from "../output/mixed-stdout.ts";
import { stdSink } from "../io/sink.ts";
import { warn, writeRaw } from "../io/stderr.ts";
import { platformCgroup, type PeakCgroup } from "../platform/index.ts";
import type { ProcessReader } from "../platform/types.ts";
import { rfc3339, thresholdExceeded, type Report } from "../model/report.ts";
import { seriesReport, seriesRun, type SeriesReport, type SeriesRun, type SeriesStop } from "../model/series.ts";
import { statistics } from "../model/statistics.ts";
import { runTimelinePath } from "../timeline/run-paths.ts";
import type { TimelineWriter } from "../timeline/writers.ts";
import { VERSION } from "../core/version.ts";
import { runLoop, type Attempt, type LoopStop, type Outcome } from "./loop.ts";
import { run } from "./run.ts";

// For src/command-line.ts, which loads the run's code in one import of this module.
export { unavailableMonitor } from "../monitor/registry.ts";

// One session: the command run once, or a series of runs (--runs, --warmup, several commands
// separated by ---), through one path. A single run is a series of one run inside: the same
// outputs opened before anything runs, the same signals and cgroups, the same run, exports,
// annotations and delivery; only what is reported differs, the run's own report or the
// series' statistics. What only a series needs (its progress, its renderers, its baseline) is
// loaded only for one, so that a single run pays nothing for it.

/** The runs a session makes when the command line asked for no series: one. */
const ONE_RUN = (config: Config): SeriesSettings => ({ commands: [config.command], runs: 1, warmup: 0, ignoreFailure: false });

export async function runSession(
  config: Config,
  reader: ProcessReader,
  env: Record<string, string | undefined> | undefined,
  /** Tells src/command-line.ts the status to exit with should an internal error follow. */
  known: (status: number) => void,
): Promise<number> {
  const single = config.series === undefined;
  const settings = config.series ?? ONE_RUN(config);
  const several = settings.commands.length > 1;
  // A later command that cannot be found would stop the series after others ran: refused first.
  for (const argv of settings.commands.slice(1)) {
    const name = argv[0] ?? "";
    if (commandPath(name, env) === undefined) throw spawnError(name, "ENOENT");
  }
  // The baseline to compare with is loaded (and the one to save made room for) before
  // anything is opened or run: a missing or corrupt one is bad usage.
  const baselines = config.baseline ? (await import("../baseline/session.ts")).openBaselines(config.baseline) : undefined;
  const timelinePath = (command: number, runNumber: number) =>
    single ? (config.timelinePath ?? "") : runTimelinePath(config.timelinePath ?? "", runNumber, several ? command + 1 : undefined);
  const timelines: string[] = [];
  if (config.timelinePath !== undefined) {
    for (let runNumber = 1; runNumber <= settings.runs; runNumber++) for (let command = 0; command < settings.commands.length; command++) timelines.push(timelinePath(command, runNumber));
  }
  // Every output is opened before the command starts: an unwritable path is bad usage.
  const { report: sink, stdoutClosed, exports } = openOutputs(config, reader, timelines, baselines?.savePath);
  const mixedStdout = watchMixedStdout(config.format, config.outputPath === undefined && !stdoutClosed);
  // The first run's timeline is opened now, so that an unwritable one is bad usage before
  // anything runs; the others as their runs start (a failure then is a warning).
  let firstTimeline = timelines[0] !== undefined ? await openTimeline(timelines[0]) : undefined;
  // TERM=dumb: a terminal that cannot erase a line gets the plain lines used off a terminal.
  const live = config.watch && reader.isTerminal(2) && process.env.TERM !== "dumb";
  const watch = config.watch ? new WatchLine(stdSink(2, live), config.units, () => process.stderr.columns, new OptionalOutput("--watch (stderr)"), () => process.stderr.rows) : undefined;
  const plan = { commands: settings.commands.length, runs: settings.runs, warmup: settings.warmup, ignoreFailure: settings.ignoreFailure };
  const progress =
    single || config.format === "quiet"
      ? undefined
      : new (await import("./progress.ts")).SeriesProgress(
          stdSink(2, reader.isTerminal(2) && process.env.TERM !== "dumb"),
          (plan.runs + plan.warmup) * plan.commands,
          plan,
          config.units,
          () => process.stderr.columns,
          new OptionalOutput("the progress on stderr"),
          () => process.stderr.rows,
        );

  // Signals are caught from before the (first) cgroup exists, which is made last, after every
  // check, so that neither bad usage nor a signal can leave it behind; in a series they stay
  // caught between runs, so that a Ctrl-C there stops the series instead of peak-mem.
  const signals = new SignalForwarder(reader);
  const wantCgroup = config.cgroup || config.limitBytes !== undefined;
  let nextCgroup: PeakCgroup | undefined;
  try {
    nextCgroup = wantCgroup ? platformCgroup(config.limitBytes) : undefined;
  } catch (error) {
    signals.dispose();
    throw error;
  }
  const adopterPid = config.children && reader.adoptOrphans() ? process.pid : undefined;
  const startedAt = rfc3339(new Date());
  let caughtSeen = 0;
  let thresholdBytes: number | undefined;
  /** Each command's run with the largest peak: its annotations stand for the series. */
  const worst: (Report | undefined)[] = settings.commands.map(() => undefined);
  const peaks: number[][] = settings.commands.map(() => []);
  /** The latest run's whole report, process list included: a single run's is the report. */
  let last: Report | undefined;

  const runOnce = async (attempt: Attempt): Promise<Outcome<SeriesRun>> => {
    const argv = settings.commands[attempt.command] ?? [];
    let timeline: TimelineWriter | undefined;
    if (!attempt.warmup && config.timelinePath !== undefined) {
      const path = timelinePath(attempt.command, attempt.run);
      const output = new OptionalOutput(`--timeline '${path}'`);
      try {
        const writer = firstTimeline ?? (await openTimeline(path));
        timeline = optionalTimeline(writer, output);
      } catch (error) {
        output.fail(error instanceof PeakMemError ? new Error(error.message) : error);
      }
      firstTimeline = undefined;
    }
    const cgroup = nextCgroup ?? (wantCgroup ? platformCgroup(config.limitBytes) : undefined);
    nextCgroup = undefined;
    progress?.started(attempt);
    const before = signals.caught.length;
    let result: Report;
    try {
      result = await run({ ...config, command: argv }, { reader, signals: signals.lease(), timeline, watch, adopterPid, cgroup, ...(env && { env }) });
    } catch (error) {
      if (error instanceof ReportFault) known(error.status);
      throw error;
    } finally {
      cgroup?.remove();
    }
    last = result;
    known(result.exitCode);
    const interrupted = signals.caught.length > before ? signals.caught[before] : undefined;
    caughtSeen = signals.caught.length;
    thresholdBytes ??= result.threshold?.bytes;
    let median: number | undefined;
    if (!attempt.warmup && !interrupted) {
      peaks[attempt.command]!.push(result.peaks.rss.bytes);
      median = statistics(peaks[attempt.command]!)?.median;
      const before = worst[attempt.command];
      if (!before || result.peaks.rss.bytes > before.peaks.rss.bytes) worst[attempt.command] = result;
    }
    progress?.ended({ attempt, peakRssBytes: result.peaks.rss.bytes, durationMs: result.durationMs, exitCode: result.exitCode, ...(median !== undefined && { medianRssBytes: median }) });
    return {
      result: seriesRun(result, attempt.run, interrupted !== undefined),
      status: result.exitCode,
      ...(result.signal && { signal: result.signal }),
      ...(interrupted && { interrupted }),
    };
  };

  let loop: Awaited<ReturnType<typeof runLoop<SeriesRun>>> | undefined;
  try {
    // One run: what goes wrong is that run's own (peak-mem's error, with its status), not a
    // series that stopped.
    if (single) await runOnce({ command: 0, run: 1, warmup: false });
    else loop = await runLoop(plan, runOnce, { signalBetweenRuns: () => (signals.caught.length > caughtSeen ? signals.caught[caughtSeen] : undefined) });
  } finally {
    nextCgroup?.remove();
    signals.dispose();
    progress?.finish();
  }

  const outcome = single ? oneRun(last as Report, baselines) : await aSeries(config, settings, loop as NonNullable<typeof loop>, { thresholdBytes, startedAt, baselines, worst }, known);
  writeExports(exports, (format) => outcome.render(format, PLAIN));
  // On GitHub Actions, what failed the job also becomes an annotation (a workflow command on stderr).
  if (config.annotations && process.env.GITHUB_ACTIONS === "true") for (const line of outcome.annotations()) writeRaw(`${line}\n`);
  mixedStdout?.();
  const palette = await loadPalette(config.format === "human" && useColor(sink));
  return deliverReport(sink, stdoutClosed, () => outcome.render(config.format, palette), outcome.status);

  /** What a session reports, whichever it was: its status, its text in each format, its annotations. */
  interface SessionOutcome {
    status: number;
    render(format: Format, palette: Palette): string;
    /** Made only where they are written (GitHub Actions): their code is loaded only there. */
    annotations: () => string[];
  }

  function oneRun(report: Report, saved: typeof baselines): SessionOutcome {
    const comparison = saved?.compare(report);
    if (comparison) report.comparison = comparison;
    const status = exitCodeFor(report.exitCode, thresholdExceeded(report), comparison?.regression);
    // Known before the baseline is saved: an internal error there still exits with it.
    known(status);
    if (saved) saveBaselineNoting(() => saved.save(report), config.format !== "quiet");
    return {
      status,
      render: (format, palette) => renderReport(report, format, { palette, verbose: config.verbose, units: config.units }),
      annotations: () => annotationsOf(report),
    };
  }
}

/** A series' outcome: its report with statistics, compared by its medians, saved as a baseline of its runs. */
async function aSeries(
  config: Config,
  settings: SeriesSettings,
  loop: { results: SeriesRun[][]; stop?: LoopStop },
  found: { thresholdBytes?: number; startedAt: string; baselines?: Awaited<ReturnType<typeof import("../baseline/session.ts").openBaselines>>; worst: (Report | undefined)[] },
  known: (status: number) => void,
) {
  const { renderSeries } = await import("../export/series/index.ts");
  const { baselineFromSeries, seriesMedians } = await import("./baseline.ts");
  const series: SeriesReport = seriesReport(
    {
      commands: settings.commands.map((argv, i) => ({ command: displayCommand(argv), argv, runs: loop.results[i] ?? [] })),
      runsRequested: settings.runs,
      warmupRuns: settings.warmup,
      ignoreFailure: settings.ignoreFailure,
      ...(loop.stop && { stop: seriesStop(loop.stop) }),
      ...(found.thresholdBytes !== undefined && { thresholdBytes: found.thresholdBytes }),
      ...(config.thresholdPercent !== undefined && { thresholdPercent: config.thresholdPercent }),
      timestamp: found.startedAt,
      intervalMs: config.intervalMs,
      version: VERSION,
      platform: `${process.platform}-${process.arch}`,
    },
    FIGURES,
  );
  if (series.stop?.reason === "error") warn(`the series stopped: ${series.stop.message}`);
  const medians = seriesMedians(series);
  const comparison = medians && found.baselines?.compareMedians(medians, series.commands[0]?.command);
  if (comparison) series.comparison = comparison;
  const status = seriesExitCode(
    series.stop?.exitCode,
    series.commands.some((command) => command.thresholdExceeded),
    comparison?.regression,
  );
  // Known before the baseline is saved: an internal error there still exits with it.
  known(status);
  const baselines = found.baselines;
  if (baselines?.savePath !== undefined) {
    const baseline = baselineFromSeries(series);
    if (!baseline) warn("no counted run to save as a baseline; the report and the exit status are not affected");
    else saveBaselineNoting(() => baselines.saveBaseline(baseline), config.format !== "quiet");
  }
  return {
    status,
    render: (format: Format, palette: Palette) => renderSeries(series, format, { palette, verbose: config.verbose, units: config.units }),
    // The series' comparison, by the median, stands for each run's own (a baseline is compared
    // with one command only).
    annotations: () => found.worst.flatMap((each) => (each ? annotationsOf({ ...each, comparison }) : [])),
  };
}

/** The loop's stop as the report tells it, with the status it gives peak-mem. */
function seriesStop(stop: LoopStop): SeriesStop {
  switch (stop.reason) {
    case "failed":
      return { reason: "failed", command: stop.attempt.command, run: stop.attempt.run, warmup: stop.attempt.warmup, exitCode: stop.status, ...(stop.signal && { signal: stop.signal }) };
    case "interrupted":
      return stop.attempt
        ? { reason: "interrupted", signal: stop.signal, exitCode: stop.status ?? commandStatus({ signal: stop.signal }), command: stop.attempt.command, run: stop.attempt.run, warmup: stop.attempt.warmup }
        : { reason: "interrupted", signal: stop.signal, exitCode: commandStatus({ signal: stop.signal }) };
    case "error": {
      const error = stop.error;
      const exitCode = error instanceof PeakMemError ? error.exitCode : error instanceof ReportFault ? error.status : EXIT_FAILED;
      const message = error instanceof ReportFault ? describe(error.cause) : describe(error);
      return { reason: "error", message, exitCode, command: stop.attempt.command, run: stop.attempt.run, warmup: stop.attempt.warmup };
    }
  }
}

/** A report's GitHub Actions annotations; their code (and the baseline's wording it uses) loaded on first use. */
function annotationsOf(report: Report): string[] {
  return (require("../output/annotations.ts") as typeof import("../output/annotations.ts")).annotations(report);
}
