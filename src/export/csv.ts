import { quoteField } from "../core/text/csv-field.ts";
import { thresholdExceeded, type Report } from "../model/report.ts";
import { CSV_COLUMNS } from "./views/index.ts";

export { quoteField };

// A header line and a row per run, quoted per RFC 4180 (one LF-terminated line each). The
// original report's seven columns come first and never change; then every view's columns,
// always all of them, whatever the run measured (a cell is empty where its fact is not
// known), so that every CSV peak-mem writes, of one run or of a series, has one header.

export const HEADER = "command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp";
export const CSV_HEADER = [HEADER, ...CSV_COLUMNS.map((column) => column.name)].join(",");

/** One run's cells, in CSV_HEADER's order. */
export function csvCells(report: Report): string[] {
  const original = [report.command, report.peaks.rss.bytes, report.peaks.vsz.bytes, report.durationMs, report.exitCode, thresholdExceeded(report), report.timestamp];
  return [...original, ...CSV_COLUMNS.map((column) => column.cell(report) ?? "")].map((value) => quoteField(String(value)));
}

export function render(report: Report): string {
  return `${CSV_HEADER}\n${csvCells(report).join(",")}\n`;
}
