import type { Report } from "../model/report.ts";

/**
 * The peak RSS in bytes, digits only, one line. A crossed threshold or a regression against
 * --compare-baseline adds nothing here: they show only in the exit status (1).
 */
export function render(report: Report): string {
  return `${report.peaks.rss.bytes}\n`;
}
