import { thresholdExceeded, type Report } from "../model/report.ts";
import { viewJson } from "./views/index.ts";

// The original report fields first, with their names and types, which never change; then each
// view's fields, in view order. -v adds every process of the tree.

export function render(report: Report, options: { verbose: boolean } = { verbose: false }): string {
  return `${JSON.stringify(reportJson(report, options.verbose), null, 2)}\n`;
}

export function reportJson(report: Report, verbose: boolean): Record<string, unknown> {
  return {
    command: report.command,
    peak_rss_bytes: report.peaks.rss.bytes,
    peak_vsz_bytes: report.peaks.vsz.bytes,
    duration_ms: report.durationMs,
    exit_code: report.exitCode,
    threshold_exceeded: thresholdExceeded(report),
    timestamp: report.timestamp,
    ...viewJson(report, verbose),
  };
}
