import type { Report } from "../report.ts";

// The seed's header and one row, quoted per RFC 4180 (CRLF-free: one LF-terminated line each).
// With --compare-baseline, columns follow the seed's seven, which stay first and unchanged.

export const HEADER = "command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp";
/** rss_change_percent is rounded to 0.01 and empty when the baseline's peak RSS was 0. */
export const COMPARISON_HEADER = "baseline,baseline_peak_rss_bytes,rss_change_percent,regression";

export function render(report: Report): string {
  const row = [
    report.command,
    report.peakRssBytes,
    report.peakVszBytes,
    report.durationMs,
    report.exitCode,
    report.thresholdExceeded,
    report.timestamp,
  ];
  const comparison = report.comparison;
  if (comparison) {
    const change = comparison.peakRss.changePercent;
    row.push(comparison.baselineName, comparison.peakRss.baseline, change === null ? "" : Math.round(change * 100) / 100 || 0, comparison.regression);
  }
  const header = comparison ? `${HEADER},${COMPARISON_HEADER}` : HEADER;
  return `${header}\n${row.map((value) => quoteField(String(value))).join(",")}\n`;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
export function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
