import { toAction } from "./cli/config.ts";
import { scanArgv } from "./cli/scan.ts";
import { EXIT_FAILED, PeakMemError, ReportFault, UsageError, describe } from "./core/errors.ts";
import { exitCodeWhenReportLost } from "./core/exit-code.ts";
import { failureReason, fileSink, stdSink, writeWhole } from "./io/sink.ts";
import { say } from "./io/stderr.ts";
import { exitWith, fitRuntimeToSystem, platformReader } from "./platform/index.ts";
import { VERSION } from "./core/version.ts";

// The command line: parse, check, run, report, exit. Errors become one line on stderr and
// their documented exit code here, and only here (src/main.ts loads this for everything but a
// lone --version).
//
// What it loads at start is what every invocation needs: the option table and the scan of
// argv. --version, --help and --completions answer from those alone; a chart, the baselines
// and a run each load their own code (import()), so that none pays for another's.

/** The command's status once known: an internal error after that still exits with it. */
let commandStatusKnown: number | undefined;

async function main(argv: string[]): Promise<number> {
  // Scanning argv opens nothing: a question about peak-mem itself is answered first.
  const action = toAction(scanArgv(argv));
  if (action.kind === "help") return answer(await (await import("./cli/help.ts")).helpText());
  if (action.kind === "version") return answer(`peak-mem ${VERSION}\n`);
  if (action.kind === "completions") return answer((await import("./cli/completions.ts")).completionScript(action.shell));
  // Before anything is opened: under a tight process limit peak-mem re-executes itself.
  const commandEnv = fitRuntimeToSystem();
  if (action.kind === "chart") return drawChart(action.input, action.outputPath);
  if (action.kind === "list-baselines" || action.kind === "delete-baseline") return (await import("./baseline/commands.ts")).baselineCommand(action);
  const { config } = action;
  // One load for all of a run's code: each import() is a turn of the module loader.
  const { runSession, unavailableMonitor } = await import("./session/session.ts");
  const reader = platformReader();
  // A monitor asked for that this system cannot give is bad usage, before anything runs.
  const unavailable = unavailableMonitor(config, reader);
  if (unavailable) throw new UsageError(`${unavailable.option} is not available on this system: ${unavailable.why}`);
  // One run or a series: one session (src/session/session.ts).
  return runSession(config, reader, commandEnv, (status) => (commandStatusKnown = status));
}

/**
 * The answer to --help, --version or --completions, on stdout. It is that invocation's report:
 * one that cannot be written is said, and exits, as a report that cannot be (src/output/deliver.ts).
 */
async function answer(text: string): Promise<number> {
  try {
    await writeWhole(1, text);
    return 0;
  } catch (error) {
    const readerGone = (error as NodeJS.ErrnoException).code === "EPIPE";
    if (!readerGone) say(`cannot write to stdout: ${failureReason(error)}`);
    return exitCodeWhenReportLost(0, readerGone);
  }
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
  const [{ readTimeline }, { timelineFormat }, { chartRenderer }] = await Promise.all([import("./timeline/read.ts"), import("./timeline/writers.ts"), import("./output/deliver.ts")]);
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

/** Runs the command line `argv` (without the program's name) and exits with its status. */
export async function runCommandLine(argv: string[]): Promise<never> {
  const code = await main(argv).catch(fail);
  // Every write is synchronous: nothing is left to flush.
  exitWith(code);
}
