import type { Config, ExportTarget } from "../cli/config.ts";
import { describe } from "../core/errors.ts";
import { exitCodeWhenReportLost } from "../core/exit-code.ts";
import type { ProcessReader } from "../platform/types.ts";
import type { ChartRenderer } from "../timeline/writers.ts";
import { checkDistinctOutputs } from "../io/distinct.ts";
import { OptionalOutput } from "./optional.ts";
import { failureReason, fileSink, stdSink, type Sink } from "../io/sink.ts";
import { say, warn } from "../io/stderr.ts";

// What a session (src/session/session.ts), of one run or of a series, does with its
// outputs: open them all before anything runs, open a timeline, choose colour, save a
// baseline, and write the exports and the report at the end.

export interface Outputs {
  report: Sink;
  /** A closed stdout (`>&-`) cannot take the report: said at the end, when it is lost. */
  stdoutClosed: boolean;
  exports: { target: ExportTarget; sink: Sink; output: OptionalOutput }[];
}

/**
 * Checks that no two outputs share a file, then opens the report's and the exports': an
 * unwritable path is bad usage before the command starts. `timelines`: every timeline file
 * the run will write; `baselinePath`: the baseline it will save.
 */
export function openOutputs(config: Config, reader: ProcessReader, timelines: readonly string[], baselinePath: string | undefined): Outputs {
  const stdoutClosed = !config.outputPath && (reader.closedAtStart?.(1) ?? false);
  checkDistinctOutputs(
    [
      ...(config.outputPath !== undefined ? [{ option: "--output", path: config.outputPath }] : []),
      ...timelines.map((path) => ({ option: "--timeline", path })),
      ...(baselinePath !== undefined ? [{ option: "--save-baseline", path: baselinePath }] : []),
      ...config.exports.map((target) => ({ option: target.option, path: target.path })),
    ],
    !config.outputPath && !stdoutClosed,
  );
  return {
    report: config.outputPath ? fileSink(config.outputPath, "--output") : stdSink(1, reader.isTerminal(1)),
    stdoutClosed,
    exports: config.exports.map((target) => ({ target, sink: fileSink(target.path, target.option, target.format === "markdown"), output: new OptionalOutput(`${target.option} '${target.path}'`) })),
  };
}

/**
 * The other formats (--export-*): optional outputs, written whatever becomes of the report.
 * JSON and CSV replace their file; Markdown is added to its file ($GITHUB_STEP_SUMMARY).
 */
export function writeExports(exports: Outputs["exports"], render: (format: ExportTarget["format"]) => string): void {
  for (const { target, sink, output } of exports) {
    output.attempt(() => {
      // After what a summary file held (earlier steps' summaries), a blank line between.
      const end = sink.keptEnd;
      sink.write(`${end === undefined || end.endsWith("\n\n") ? "" : end.endsWith("\n") ? "\n" : "\n\n"}${render(target.format)}`);
      sink.close();
    });
  }
}

/**
 * --save-baseline: saved before the report is written, so that a reader that goes away
 * (| head) does not lose it; a note on stderr (not with --quiet), or a warning if it fails.
 */
export function saveBaselineNoting(save: () => { name: string; path: string } | undefined, note: boolean): void {
  let saved: ReturnType<typeof save>;
  try {
    saved = save();
  } catch (error) {
    warn(`${describe(error)}; the report and the exit status are not affected`);
    return;
  }
  if (note && saved) say(`saved baseline ${JSON.stringify(saved.name)} to '${saved.path}'`);
}

/** A timeline's writer; its code is loaded only for a run that keeps one. */
export async function openTimeline(path: string) {
  const { createTimelineWriter, timelineFormat } = await import("../timeline/writers.ts");
  const format = timelineFormat(path);
  const render = format === "html" || format === "svg" ? await chartRenderer(format) : undefined;
  return createTimelineWriter(format, fileSink(path, "--timeline"), render);
}

/** The chart code is loaded only when a chart is drawn. */
export async function chartRenderer(format: "html" | "svg"): Promise<ChartRenderer> {
  return format === "svg" ? (await import("../timeline/svg.ts")).renderSvg : (await import("../timeline/html.ts")).renderHtml;
}

/** Colour only on a terminal; NO_COLOR wins, FORCE_COLOR forces (https://no-color.org). */
export function useColor(sink: Sink): boolean {
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return sink.isTerminal && env.TERM !== "dumb";
}

/**
 * Writes the report (rendered by `text`) and returns the exit status: `status`, unless the
 * report was lost (src/core/exit-code.ts). A reader that went away (EPIPE) is not told about.
 */
export function deliverReport(sink: Sink, stdoutClosed: boolean, text: () => string, status: number): number {
  if (stdoutClosed) {
    say("cannot write the report: stdout is closed (give -o FILE to keep it)");
    return exitCodeWhenReportLost(status, false);
  }
  try {
    sink.write(text());
    sink.close();
  } catch (error) {
    const readerGone = (error as NodeJS.ErrnoException).code === "EPIPE";
    if (!readerGone) say(`cannot write the report: ${failureReason(error)}`);
    return exitCodeWhenReportLost(status, readerGone);
  }
  return status;
}
