import { toAction } from "./cli/config.ts";
import { helpText } from "./cli/help.ts";
import { scanArgv } from "./cli/scan.ts";
import { EXIT_FAILED, PeakMemError, UsageError, describe } from "./core/errors.ts";
import { exitCodeFor } from "./core/exit-code.ts";
import { renderReport } from "./export/index.ts";
import { loadPalette, PLAIN } from "./export/palette.ts";
import { annotations } from "./output/annotations.ts";
import { fileSink, stdSink } from "./io/sink.ts";
import { chartRenderer, deliverReport, openOutputs, openTimeline, saveBaselineNoting, useColor, writeExports } from "./output/deliver.ts";
import { OptionalOutput, optionalTimeline } from "./output/optional.ts";
import { say, writeRaw } from "./io/stderr.ts";
import { SignalForwarder } from "./command/signals.ts";
import { readTimeline } from "./timeline/read.ts";
import { timelineFormat } from "./timeline/writers.ts";
import { WatchLine } from "./output/watch.ts";
import { unavailableMonitor } from "./monitor/registry.ts";
import { exitWith, fitRuntimeToSystem, platformCgroup, platformReader, type PeakCgroup } from "./platform/index.ts";
import { thresholdExceeded, type Report } from "./model/report.ts";
import { ReportFault, run } from "./run.ts";
import { VERSION } from "./core/version.ts";

// The entry point: parse, check, run, report, exit. Errors become one line on stderr and
// their documented exit code here, and only here.

/** The command's status once known: an internal error after that still exits with it. */
let commandStatusKnown: number | undefined;

async function main(argv: string[]): Promise<number> {
  // First, before anything is opened (under a tight process limit peak-mem re-executes itself).
  const commandEnv = fitRuntimeToSystem();
  const action = toAction(scanArgv(argv));
  if (action.kind === "help") {
    stdSink(1).write(await helpText());
    return 0;
  }
  if (action.kind === "version") {
    stdSink(1).write(`peak-mem ${VERSION}\n`);
    return 0;
  }
  if (action.kind === "completions") {
    // Loaded only when asked for, as --help is.
    stdSink(1).write((await import("./cli/completions.ts")).completionScript(action.shell));
    return 0;
  }
  if (action.kind === "chart") return drawChart(action.input, action.outputPath);
  if (action.kind === "list-baselines" || action.kind === "delete-baseline") return (await import("./baseline/commands.ts")).baselineCommand(action);
  const { config } = action;
  const reader = platformReader();
  // A monitor asked for that this system cannot give is bad usage, before anything runs.
  const unavailable = unavailableMonitor(config, reader);
  if (unavailable) throw new UsageError(`${unavailable.option} is not available on this system: ${unavailable.why}`);
  // --runs, --warmup, several commands: the series code is loaded only then.
  if (config.series) return (await import("./series/session.ts")).runSeries(config, config.series, reader, commandEnv, (status) => (commandStatusKnown = status));
  // The baseline to compare with is loaded (and the one to save made room for) before
  // anything is opened or run: a missing or corrupt one is bad usage.
  const baselines = config.baseline ? (await import("./baseline/session.ts")).openBaselines(config.baseline) : undefined;
  // Every output is opened before the command starts: an unwritable path is bad usage.
  const { report, stdoutClosed, exports } = openOutputs(config, reader, config.timelinePath !== undefined ? [config.timelinePath] : [], baselines?.savePath);
  const timeline = config.timelinePath ? optionalTimeline(await openTimeline(config.timelinePath), new OptionalOutput(`--timeline '${config.timelinePath}'`)) : undefined;
  // TERM=dumb: a terminal that cannot erase a line gets the plain lines used off a terminal.
  const stderr = stdSink(2, config.watch && reader.isTerminal(2) && process.env.TERM !== "dumb");
  const watch = config.watch ? new WatchLine(stderr, config.units, () => process.stderr.columns, new OptionalOutput("--watch (stderr)")) : undefined;

  // Signals are caught from before the cgroup exists, which is made last, after every
  // check, so that neither bad usage nor a signal can leave it behind.
  const signals = new SignalForwarder(reader);
  let cgroup: PeakCgroup | undefined;
  try {
    cgroup = config.cgroup || config.limitBytes !== undefined ? platformCgroup(config.limitBytes) : undefined;
  } catch (error) {
    signals.dispose();
    throw error;
  }
  const adopterPid = config.children && reader.adoptOrphans() ? process.pid : undefined;
  let result: Report;
  try {
    result = await run(config, { reader, signals, timeline, watch, adopterPid, cgroup, ...(commandEnv && { env: commandEnv }) });
  } catch (error) {
    if (error instanceof ReportFault) commandStatusKnown = error.status;
    throw error;
  } finally {
    cgroup?.remove();
  }
  commandStatusKnown = result.exitCode;
  const palette = await loadPalette(config.format === "human" && useColor(report));
  const comparison = baselines?.compare(result);
  if (comparison) result.comparison = comparison;
  const status = exitCodeFor(result.exitCode, thresholdExceeded(result), comparison?.regression);
  commandStatusKnown = status;
  if (baselines) saveBaselineNoting(() => baselines.save(result), config.format !== "quiet");
  writeExports(exports, (format) => renderReport(result, format, { palette: PLAIN, verbose: config.verbose, units: config.units }));
  // On GitHub Actions, what failed the job also becomes an annotation (a workflow command on stderr).
  if (config.annotations && process.env.GITHUB_ACTIONS === "true") {
    for (const line of annotations(result)) writeRaw(`${line}\n`);
  }
  return deliverReport(report, stdoutClosed, () => renderReport(result, config.format, { palette, verbose: config.verbose, units: config.units }), status);
}

/** `--chart TIMELINE [-o FILE]`: a saved timeline drawn as HTML (or SVG, by -o's extension). */
async function drawChart(input: string, outputPath?: string): Promise<number> {
  const { readFileSync } = process.getBuiltinModule("node:fs");
  let text: string;
  try {
    text = readFileSync(input, "utf8");
  } catch (error) {
    throw new PeakMemError(`cannot read timeline '${input}': ${describe(error)}`, 2);
  }
  const data = readTimeline(input, text);
  const sink = outputPath ? fileSink(outputPath, "--output") : stdSink(1);
  const format = outputPath && timelineFormat(outputPath) === "svg" ? "svg" : "html";
  sink.write((await chartRenderer(format))(data));
  sink.close();
  return 0;
}

/**
 * The one place an error ends peak-mem: one line, then its documented code. An unexpected
 * error (a bug) exits with the command's status when it is known, else 125.
 */
function fail(error: unknown): number {
  if (error instanceof PeakMemError) {
    say(error.message);
    return error.exitCode;
  }
  say(`internal error: ${describe(error instanceof ReportFault ? error.cause : error)}`);
  return commandStatusKnown ?? EXIT_FAILED;
}

// A fault in a callback outside the main flow must not end peak-mem while the command runs:
// it is told, and the run goes on (the main flow's own errors reach fail() above).
process.on("uncaughtException", (error) => say(`internal error: ${describe(error)}`));
process.on("unhandledRejection", (error) => say(`internal error: ${describe(error)}`));

const code = await main(process.argv.slice(2)).catch(fail);
// Every write is synchronous: nothing is left to flush.
exitWith(code);
