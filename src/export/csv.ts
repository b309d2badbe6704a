import { thresholdExceeded, type Report } from "../model/report.ts";
import { peakPercentOfLimit } from "./memory-rows.ts";
import { quoteField } from "../core/text/csv-field.ts";

export { quoteField };

// A header line and one row, quoted per RFC 4180 (CRLF-free: one LF-terminated line each).
// The original report's seven columns stay first and never change; with --compare-baseline its
// columns follow, then always the memory environment's (limit, share, OOM kills, swap).

export const HEADER = "command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp";
/** rss_change_percent is rounded to 0.01 and empty when the baseline's peak RSS was 0. */
export const COMPARISON_HEADER = "baseline,baseline_peak_rss_bytes,rss_change_percent,regression";
/** Where the command ran; empty where not known (no OOM counter, say). */
/** --pss: the peaks, empty when not read (the command ended first) or not kept on this system. */
export const PSS_HEADER = "peak_pss_bytes,uss_at_pss_peak_bytes,swap_pss_at_pss_peak_bytes";
export const MEMORY_HEADER = "memory_limit_bytes,memory_limit_source,peak_rss_percent_of_limit,oom_kills,oom_killed,peak_swap_bytes";

export function render(report: Report): string {
  const row = [
    report.command,
    report.peaks.rss.bytes,
    report.peaks.vsz.bytes,
    report.durationMs,
    report.exitCode,
    thresholdExceeded(report),
    report.timestamp,
  ];
  const comparison = report.comparison;
  if (comparison) {
    const change = comparison.peakRss.changePercent;
    row.push(comparison.baselineName, comparison.peakRss.baseline, change === null ? "" : Math.round(change * 100) / 100 || 0, comparison.regression);
  }
  const memory = report.memory;
  const share = peakPercentOfLimit(report);
  row.push(
    memory?.limit?.bytes ?? "",
    memory?.limit?.source ?? "",
    share === undefined ? "" : Math.round(share * 100) / 100,
    memory?.oom?.kills ?? "",
    memory?.oom ? memory.oom.treeKilled : "",
    report.peaks.swapBytes ?? "",
  );
  const pss = report.pss;
  if (pss) {
    const read = pss.readings > 0;
    row.push(read ? pss.peakPssBytes : "", read ? (pss.ussAtPeakBytes ?? "") : "", read ? (pss.swapPssAtPeakBytes ?? "") : "");
  }
  const header = [HEADER, ...(comparison ? [COMPARISON_HEADER] : []), MEMORY_HEADER, ...(pss ? [PSS_HEADER] : [])].join(",");
  return `${header}\n${row.map((value) => quoteField(String(value))).join(",")}\n`;
}
