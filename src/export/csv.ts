import type { Report } from "../report.ts";

// The seed's header and one row, quoted per RFC 4180 (CRLF-free: one LF-terminated line each).

export const HEADER = "command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp";

export function render(report: Report): string {
  const row = [
    report.command,
    report.peakRssBytes,
    report.peakVszBytes,
    report.durationMs,
    report.exitCode,
    report.thresholdExceeded,
    report.timestamp,
  ].map((value) => quoteField(String(value)));
  return `${HEADER}\n${row.join(",")}\n`;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
export function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
