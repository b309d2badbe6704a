import type { Report } from "../report.ts";

/** The peak RSS in bytes, digits only, one line. */
export function render(report: Report): string {
  return `${report.peakRssBytes}\n`;
}
