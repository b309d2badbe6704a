import type { Comparison, MetricChange, Report } from "../model/report.ts";

/** The figures a baseline keeps of a run, and a comparison weighs: one run's, or a series' medians. */
export interface BaselineFigures {
  peakRssBytes: number;
  peakVszBytes: number;
  durationMs: number;
}

/** A report's figures, as a baseline compares them. */
export function baselineFigures(report: Report): BaselineFigures {
  return { peakRssBytes: report.peaks.rss.bytes, peakVszBytes: report.peaks.vsz.bytes, durationMs: report.durationMs };
}
import type { Baseline } from "./store.ts";

// A run against a saved baseline: pure arithmetic, no I/O.
//
// Only peak RSS decides whether it is a regression. Peak VSZ and duration are shown beside
// it but never decide: VSZ is mostly address space reserved and never touched (a Bun or Go
// process reserves gigabytes), and wall time on a shared CI runner varies far more than 10%
// from run to run. Gating on them would fail builds for nothing.


/** Baseline → current, with the change in percent (null when it grew from zero). */
export function change(baseline: number, current: number): MetricChange {
  let changePercent: number | null;
  if (baseline === 0) changePercent = current === 0 ? 0 : null;
  else changePercent = ((current - baseline) / baseline) * 100;
  return { baseline, current, changePercent };
}

/**
 * True when `current` is more than `thresholdPercent` above `baseline`: strictly more, as
 * with --threshold. Decided without dividing, so 110 over 100 is exactly 10% and no
 * floating-point residue tips it over; growth from 0 to anything is over any threshold.
 */
export function grewBeyond(baseline: number, current: number, thresholdPercent: number): boolean {
  return (current - baseline) * 100 > thresholdPercent * baseline;
}

/**
 * `median`: the current figures are a series' medians. Against a baseline saved from a
 * series (its medians, and each run's figures), a regression must also lie beyond the
 * baseline's own run-to-run spread, [least, most] of its runs' peak RSS: a growth its runs
 * already showed among themselves is noise, not a change. A single run's baseline has no
 * spread, and the threshold alone decides, as before.
 */
export function compareRuns(
  name: string,
  baseline: Baseline,
  report: BaselineFigures,
  thresholdPercent: number,
  median = false,
): Comparison {
  const current = report.peakRssBytes;
  const peaks = baseline.runs?.map((run) => run.peakRssBytes);
  const spread = peaks && peaks.length > 0 ? { runs: peaks.length, minBytes: Math.min(...peaks), maxBytes: Math.max(...peaks) } : undefined;
  const grew = grewBeyond(baseline.peakRssBytes, current, thresholdPercent);
  return {
    baselineName: name,
    baselineTimestamp: baseline.timestamp,
    peakRss: change(baseline.peakRssBytes, current),
    peakVsz: change(baseline.peakVszBytes, report.peakVszBytes),
    duration: change(baseline.durationMs, report.durationMs),
    thresholdPercent,
    regression: grew && (spread === undefined || current > spread.maxBytes),
    ...(median && { median: true }),
    ...(spread && { spread, outsideSpread: current < spread.minBytes || current > spread.maxBytes }),
  };
}

/** `+20.0%`, `-3.5%`, `0.0%`; growth from zero is `new (was 0)`. */
export function formatChange(percent: number | null, decimals = 1): string {
  if (percent === null) return "new (was 0)";
  const text = Math.abs(percent).toFixed(decimals);
  if (Number(text) === 0) return `${(0).toFixed(decimals)}%`;
  return `${percent > 0 ? "+" : "-"}${text}%`;
}

/**
 * The growth as the regression line states it: with one decimal unless that would read as
 * not over the threshold (10.04% over 10% is not "10.0%, over the 10% allowed").
 */
export function formatGrowth(percent: number, thresholdPercent: number): string {
  for (let decimals = 1; decimals < 6; decimals++) {
    const text = percent.toFixed(decimals);
    if (Number(text) > thresholdPercent) return `${text}%`;
  }
  return `${percent}%`;
}

/** A threshold as typed, without trailing zeros: 10, 2.5, 0. */
export function formatThreshold(thresholdPercent: number): string {
  return `${thresholdPercent}%`;
}
