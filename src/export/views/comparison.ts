import { formatChange, formatGrowth, formatThreshold, grewBeyond } from "../../baseline/compare.ts";
import { formatDuration } from "../../core/text/duration.ts";
import type { Comparison, MetricChange } from "../../model/report.ts";
import type { FactRow, Show, View } from "./view.ts";

// --compare-baseline: baseline → current for peak RSS, peak VSZ and duration, the baseline's
// spread when it was saved from a series, then whether it is a regression (only peak RSS
// decides; src/baseline/compare.ts says why). A series is compared by its medians.

/** "its 5 runs' peak RSS 50.1 MiB to 50.9 MiB: the median is above them". */
export function spreadSentence(comparison: Comparison, size: (value: number) => string): string {
  const spread = comparison.spread;
  if (!spread) return "";
  const runs = spread.runs === 1 ? "its 1 run's" : `its ${spread.runs} runs'`;
  const where = !comparison.outsideSpread ? "within them" : comparison.peakRss.current > spread.maxBytes ? "above them" : "below them";
  return `${runs} peak RSS ${size(spread.minBytes)} to ${size(spread.maxBytes)}: ${comparison.median ? "the median" : "this run"} is ${where}`;
}

/** The rows of a comparison, for one run's report and for a series' medians alike. */
export function comparisonRows(comparison: Comparison, show: Show): FactRow[] {
  const label = `Baseline ${show.text(JSON.stringify(comparison.baselineName))}`;
  const { peakRss, peakVsz, duration, thresholdPercent, spread } = comparison;
  const of = comparison.median ? "median " : "";
  const line = (metric: string, change: MetricChange, format: (value: number) => string): FactRow => ({
    label,
    text: `${of}${metric} ${format(change.baseline)} → ${format(change.current)} (${formatChange(change.changePercent)})`,
  });
  const allowed = formatThreshold(thresholdPercent);
  const growth = peakRss.changePercent === null ? `from ${show.size(peakRss.baseline)} to ${show.size(peakRss.current)}` : formatGrowth(peakRss.changePercent, thresholdPercent);
  const beyond = spread ? " and above every run of the baseline" : "";
  const verdict: FactRow = comparison.regression
    ? { label: "REGRESSION", text: `${of}peak RSS grew ${growth}, over the ${allowed} allowed${beyond}`, tone: "bad", loud: true }
    : spread && grewBeyond(peakRss.baseline, peakRss.current, thresholdPercent)
      ? { label: "No regression", text: `${of}peak RSS grew ${growth}, over the ${allowed} allowed but within the baseline's run-to-run spread`, tone: "good" }
      : { label: "No regression", text: `${of}peak RSS ${formatChange(peakRss.changePercent)}, within the ${allowed} allowed`, tone: "good" };
  return [
    ...(comparison.baselineCommand !== undefined ? [{ label, text: `saved for another command: ${show.text(comparison.baselineCommand)}`, tone: "warn" as const }] : []),
    { label, text: `saved ${comparison.baselineTimestamp}`, detail: true },
    line("peak RSS", peakRss, show.size),
    line("peak VSZ", peakVsz, show.size),
    line("duration", duration, formatDuration),
    ...(spread ? [{ label, text: spreadSentence(comparison, show.size) }] : []),
    verdict,
  ];
}

/** Each metric baseline → current; change_percent to 0.01, null when it grew from 0. */
export function comparisonJson(comparison: Comparison) {
  const metric = ({ baseline, current, changePercent }: MetricChange) => ({ baseline, current, change_percent: roundedChange(changePercent) });
  return {
    baseline: comparison.baselineName,
    baseline_timestamp: comparison.baselineTimestamp,
    ...(comparison.baselineCommand !== undefined && { baseline_command: comparison.baselineCommand }),
    peak_rss_bytes: metric(comparison.peakRss),
    peak_vsz_bytes: metric(comparison.peakVsz),
    duration_ms: metric(comparison.duration),
    threshold_percent: comparison.thresholdPercent,
    regression: comparison.regression,
    ...(comparison.median && { statistic: "median" }),
    ...(comparison.spread && {
      baseline_runs: comparison.spread.runs,
      baseline_spread_bytes: { min: comparison.spread.minBytes, max: comparison.spread.maxBytes },
      outside_spread: comparison.outsideSpread === true,
    }),
  };
}

function roundedChange(change: number | null): number | null {
  return change === null ? null : Math.round(change * 100) / 100 || 0;
}

export const comparisonView: View = {
  group: "comparison",
  rows: (report, show) => (report.comparison ? comparisonRows(report.comparison, show) : []),
  json: (report) => (report.comparison ? { comparison: comparisonJson(report.comparison) } : {}),
  csv: [
    { name: "baseline", cell: (report) => report.comparison?.baselineName },
    { name: "baseline_peak_rss_bytes", cell: (report) => report.comparison?.peakRss.baseline },
    // Empty when the baseline's peak RSS was 0 (no percentage of nothing).
    { name: "rss_change_percent", cell: (report) => (report.comparison ? (roundedChange(report.comparison.peakRss.changePercent) ?? undefined) : undefined) },
    { name: "regression", cell: (report) => report.comparison?.regression },
  ],
};
