import { toAction } from "./cli/config.ts";
import { helpText } from "./cli/help.ts";
import { scanArgv } from "./cli/scan.ts";
import { PeakMemError, describe } from "./errors.ts";
import { exitCodeFor, exitCodeWhenReportLost } from "./exit-code.ts";
import { renderReport } from "./export/index.ts";
import { loadPalette } from "./export/palette.ts";
import { fileSink, stdSink, type Sink } from "./output/sink.ts";
import { readTimeline } from "./timeline/read.ts";
import { createTimelineWriter, timelineFormat, type ChartRenderer } from "./timeline/writers.ts";
import { WatchLine } from "./output/watch.ts";
import { platformCgroup, platformReader } from "./platform/index.ts";
import type { Report } from "./report.ts";
import type { Baselines } from "./baseline/session.ts";
import { run } from "./run.ts";
import { VERSION } from "./version.ts";

// The entry point: parse, check, run, report, exit. Errors become one line on stderr and
// their documented exit code here, and only here.

async function main(argv: string[]): Promise<number> {
  const action = toAction(scanArgv(argv));
  if (action.kind === "help") {
    stdSink(1).write(await helpText());
    return 0;
  }
  if (action.kind === "version") {
    stdSink(1).write(`peak-mem ${VERSION}\n`);
    return 0;
  }
  if (action.kind === "chart") return drawChart(action.input, action.outputPath);
  if (action.kind === "list-baselines" || action.kind === "delete-baseline") return (await import("./baseline/commands.ts")).baselineCommand(action);
  const { config } = action;
  // The baseline to compare with is loaded (and the one to save made room for) before
  // anything is opened or run: a missing or corrupt one is bad usage.
  const baselines = config.baseline ? (await import("./baseline/session.ts")).openBaselines(config.baseline) : undefined;
  const reader = platformReader();
  const cgroup = config.cgroup ? platformCgroup() : undefined;
  // Open every output before the command starts: an unwritable path is bad usage.
  const report = config.outputPath ? fileSink(config.outputPath, "--output") : stdSink(1, reader.isTerminal(1));
  const timeline = config.timelinePath ? await openTimeline(config.timelinePath) : undefined;
  const stderr = stdSink(2, config.watch && reader.isTerminal(2));
  const watch = config.watch ? new WatchLine(stderr, config.units, () => process.stderr.columns) : undefined;

  const adopterPid = config.children && reader.adoptOrphans() ? process.pid : undefined;
  const result = await run(config, { reader, timeline, watch, adopterPid, cgroup });
  const palette = await loadPalette(config.format === "human" && useColor(report));
  const comparison = baselines?.compare(result);
  if (comparison) result.comparison = comparison;
  let status = exitCodeFor(result.exitCode, result.thresholdExceeded, comparison?.regression);
  // Saved before the report is written, so that a reader that goes away (| head) does not
  // lose it. A baseline that cannot be saved is a lost output, like a lost report.
  if (baselines) status = saveBaseline(baselines, result, status, config.format !== "quiet");
  try {
    report.write(renderReport(result, config.format, { palette, verbose: config.verbose, units: config.units }));
    report.close();
  } catch (error) {
    const readerGone = (error as NodeJS.ErrnoException).code === "EPIPE";
    if (!readerGone) fail(new PeakMemError(`cannot write the report: ${describe(error)}`, 1));
    return exitCodeWhenReportLost(status, readerGone);
  }
  return status;
}

/** --save-baseline after the run: a note on stderr (not with --quiet), or the error and a failing status. */
function saveBaseline(baselines: Baselines, result: Report, status: number, note: boolean): number {
  let saved: ReturnType<Baselines["save"]>;
  try {
    saved = baselines.save(result);
  } catch (error) {
    fail(error);
    return exitCodeWhenReportLost(status, false);
  }
  try {
    if (note && saved) stdSink(2).write(`peak-mem: saved baseline ${JSON.stringify(saved.name)} to '${saved.path}'\n`);
  } catch {
    // stderr is gone: the baseline is saved all the same.
  }
  return status;
}

async function openTimeline(path: string) {
  const format = timelineFormat(path);
  const render = format === "html" || format === "svg" ? await chartRenderer(format) : undefined;
  return createTimelineWriter(format, fileSink(path, "--timeline"), render);
}

/** The chart code is loaded only when a chart is drawn. */
async function chartRenderer(format: "html" | "svg"): Promise<ChartRenderer> {
  return format === "svg" ? (await import("./timeline/svg.ts")).renderSvg : (await import("./timeline/html.ts")).renderHtml;
}

/** `--chart TIMELINE [-o FILE]`: a saved timeline drawn as HTML (or SVG, by -o's extension). */
async function drawChart(input: string, outputPath?: string): Promise<number> {
  const { readFileSync } = await import("node:fs");
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

/** Colour only on a terminal; NO_COLOR wins, FORCE_COLOR forces (https://no-color.org). */
function useColor(sink: Sink): boolean {
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return sink.isTerminal && env.TERM !== "dumb";
}

function fail(error: unknown): number {
  const known = error instanceof PeakMemError;
  const message = known ? error.message : `internal error: ${describe(error)}`;
  try {
    stdSink(2).write(`peak-mem: ${message}\n`);
  } catch {
    // stderr is gone: the exit code still tells.
  }
  return known ? error.exitCode : 1;
}

const code = await main(process.argv.slice(2)).catch(fail);
// Bun's process.exit keeps only 8 bits of the code on Windows, where exit codes are 32-bit
// (an access violation is 0xC0000005): ExitProcess passes it whole. Every write is synchronous.
if (process.platform === "win32") (await import("../ffi/windows.ts")).exitProcess(code);
process.exit(code);
