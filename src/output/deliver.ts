import { exitCodeWhenReportLost } from "../exit-code.ts";
import { createTimelineWriter, timelineFormat, type ChartRenderer } from "../timeline/writers.ts";
import { failureReason, fileSink, type Sink } from "./sink.ts";
import { say } from "./stderr.ts";

// What a single run (src/main.ts) and a series (src/series/session.ts) do alike with their
// outputs: open a timeline, choose colour, and write the report at the end.

export async function openTimeline(path: string) {
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
 * report was lost (src/exit-code.ts). A reader that went away (EPIPE) is not told about.
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
