import type { Report } from "../../model/report.ts";
import type { View } from "./view.ts";

// The outcome beyond the original fields (which the formats write themselves): the signal
// that killed the command. The original figures are also what a series keeps first.

export const outcomeView: View = {
  group: "outcome",
  json: (report) => (report.signal !== undefined ? { signal: report.signal } : {}),
  csv: [{ name: "signal", cell: (report) => report.signal }],
  figures: [
    { key: "peak_rss_bytes", label: "Peak RSS", unit: "bytes", of: (report) => report.peaks.rss.bytes },
    { key: "peak_vsz_bytes", label: "Peak VSZ", unit: "bytes", of: (report) => report.peaks.vsz.bytes },
    { key: "duration_ms", label: "Duration", unit: "ms", of: (report) => report.durationMs },
  ],
};

/** The exit code as every format shows it: "137 (SIGKILL)" when a signal killed the command. */
export function exitText(report: Pick<Report, "exitCode" | "signal">): string {
  return report.signal ? `${report.exitCode} (${report.signal})` : String(report.exitCode);
}
