import type { Config, SeriesSettings } from "../cli/config.ts";
import { displayCommand } from "../core/text/display-command.ts";
import { SignalForwarder } from "../command/signals.ts";
import { commandPath, spawnError } from "../platform/spawn.ts";
import { describe, EXIT_FAILED, PeakMemError } from "../core/errors.ts";
import { commandStatus, seriesExitCode } from "../core/exit-code.ts";
import { PLAIN, loadPalette } from "../export/palette.ts";
import { renderSeries } from "../export/series/index.ts";
import { annotations } from "../output/annotations.ts";
import { deliverReport, openOutputs, openTimeline, saveBaselineNoting, useColor, writeExports } from "../output/deliver.ts";
import { OptionalOutput, optionalTimeline } from "../output/optional.ts";
import { stdSink } from "../io/sink.ts";
import { warn, writeRaw } from "../io/stderr.ts";
import { platformCgroup, type PeakCgroup } from "../platform/index.ts";
import type { ProcessReader } from "../platform/types.ts";
import { rfc3339, type Report } from "../model/report.ts";
import { ReportFault, run } from "../run.ts";
import { runTimelinePath } from "../timeline/run-paths.ts";
import type { TimelineWriter } from "../timeline/writers.ts";
import { VERSION } from "../core/version.ts";
import { baselineFromSeries, seriesMedians } from "./baseline.ts";
import { runLoop, type Attempt, type LoopStop, type Outcome } from "./loop.ts";
import { seriesReport, seriesRun, type SeriesRun, type SeriesStop } from "../model/series.ts";
import { FIGURES } from "../export/views/index.ts";
import { SeriesProgress } from "./progress.ts";
import { statistics } from "../model/statistics.ts";

// A series (--runs, --warmup, several commands): what src/main.ts does for one run, around a
// loop of run(), one Report per run. Loaded only for a series, so that a single run pays
// nothing for it. Everything that can be wrong is found before the first run, as for one.

export async function runSeries(
  config: Config,
  settings: SeriesSettings,
  reader: ProcessReader,
  env: Record<string, string | undefined> | undefined,
  /** Tells src/main.ts the status to exit with should an internal error follow. */
  known: (status: number) => void,
): Promise<number> {
  const several = settings.commands.length > 1;
  // A later command that cannot be found would stop the series after others ran: refused first.
  for (const argv of settings.commands.slice(1)) {
    const name = argv[0] ?? "";
    if (commandPath(name, env) === undefined) throw spawnError(name, "ENOENT");
  }
  const baselines = config.baseline ? (await import("../baseline/session.ts")).openBaselines(config.baseline) : undefined;
  const timelinePath = (command: number, runNumber: number) => runTimelinePath(config.timelinePath ?? "", runNumber, several ? command + 1 : undefined);
  const timelines: string[] = [];
  if (config.timelinePath !== undefined) {
    for (let runNumber = 1; runNumber <= settings.runs; runNumber++) for (let command = 0; command < settings.commands.length; command++) timelines.push(timelinePath(command, runNumber));
  }
  const { report, stdoutClosed, exports } = openOutputs(config, reader, timelines, baselines?.savePath);
  // The first run's timeline is opened now, so that an unwritable one is bad usage before
  // anything runs; the others as their runs start (a failure then is a warning).
  let firstTimeline = timelines[0] !== undefined ? await openTimeline(timelines[0]) : undefined;
  const plan = { commands: settings.commands.length, runs: settings.runs, warmup: settings.warmup, ignoreFailure: settings.ignoreFailure };
  const progress =
    config.format === "quiet"
      ? undefined
      : new SeriesProgress(
          stdSink(2, reader.isTerminal(2) && process.env.TERM !== "dumb"),
          (plan.runs + plan.warmup) * plan.commands,
          plan,
          config.units,
          () => process.stderr.columns,
          new OptionalOutput("the progress on stderr"),
        );

  // As for one run: signals are caught before the (first) cgroup exists, and stay caught
  // between runs, so that a Ctrl-C there stops the series instead of peak-mem.
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
      result = await run({ ...config, command: argv }, { reader, signals: signals.lease(), timeline, adopterPid, cgroup, ...(env && { env }) });
    } catch (error) {
      if (error instanceof ReportFault) known(error.status);
      throw error;
    } finally {
      cgroup?.remove();
    }
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

  let loop: Awaited<ReturnType<typeof runLoop<SeriesRun>>>;
  try {
    loop = await runLoop(plan, runOnce, {
      signalBetweenRuns: () => (signals.caught.length > caughtSeen ? signals.caught[caughtSeen] : undefined),
    });
  } finally {
    nextCgroup?.remove();
    signals.dispose();
    progress?.finish();
  }

  const series = seriesReport({
    commands: settings.commands.map((argv, i) => ({ command: displayCommand(argv), argv, runs: loop.results[i] ?? [] })),
    runsRequested: settings.runs,
    warmupRuns: settings.warmup,
    ignoreFailure: settings.ignoreFailure,
    ...(loop.stop && { stop: seriesStop(loop.stop) }),
    ...(thresholdBytes !== undefined && { thresholdBytes }),
    ...(config.thresholdPercent !== undefined && { thresholdPercent: config.thresholdPercent }),
    timestamp: startedAt,
    intervalMs: config.intervalMs,
    version: VERSION,
    platform: `${process.platform}-${process.arch}`,
  }, FIGURES);
  if (series.stop?.reason === "error") warn(`the series stopped: ${series.stop.message}`);
  const medians = seriesMedians(series);
  const comparison = medians && baselines?.compareMedians(medians);
  if (comparison) series.comparison = comparison;
  const status = seriesExitCode(
    series.stop?.exitCode,
    series.commands.some((command) => command.thresholdExceeded),
    comparison?.regression,
  );
  known(status);
  if (baselines?.savePath !== undefined) {
    const baseline = baselineFromSeries(series);
    if (!baseline) warn("no counted run to save as a baseline; the report and the exit status are not affected");
    else saveBaselineNoting(() => baselines.saveBaseline(baseline), config.format !== "quiet");
  }
  writeExports(exports, (format) => renderSeries(series, format, { palette: PLAIN, verbose: config.verbose, units: config.units }));
  if (config.annotations && process.env.GITHUB_ACTIONS === "true") {
    // The series' comparison, by the median, stands for each run's own (a baseline is compared
    // with one command only).
    for (const each of worst) if (each) for (const line of annotations({ ...each, comparison })) writeRaw(`${line}\n`);
  }
  const palette = await loadPalette(config.format === "human" && useColor(report));
  return deliverReport(report, stdoutClosed, () => renderSeries(series, config.format, { palette, verbose: config.verbose, units: config.units }), status);
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
