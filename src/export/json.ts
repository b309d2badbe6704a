import type { Comparison, MetricChange, Report } from "../report.ts";
import { processJson } from "../timeline/processes.ts";

// The seed's fields with its names and types first, then additions (GUIDE §1).

export function render(report: Report, options: { verbose: boolean } = { verbose: false }): string {
  const object = {
    command: report.command,
    peak_rss_bytes: report.peakRssBytes,
    peak_vsz_bytes: report.peakVszBytes,
    duration_ms: report.durationMs,
    exit_code: report.exitCode,
    threshold_exceeded: report.thresholdExceeded,
    timestamp: report.timestamp,
    ...(report.signal !== undefined && { signal: report.signal }),
    ...(report.thresholdBytes !== undefined && { threshold_bytes: report.thresholdBytes }),
    ...(report.stoppedAtMs !== undefined && { stopped_by_threshold: true, stopped_at_ms: report.stoppedAtMs, stop_escalated: report.stopEscalated }),
    // Processes a stop could not end: the stop is not claimed whole.
    ...(report.stopSurvivors && { stop_survivors: report.stopSurvivors.map((s) => ({ pid: s.pid, name: s.name, ...(s.reason && { reason: s.reason }) })) }),
    // Measuring ended early (the command was still supervised): the peaks may be low.
    ...(report.fault && { measurement_error: { message: report.fault.message, at_ms: report.fault.atMs } }),
    ...(report.cgroupPeakBytes !== undefined && {
      cgroup_peak_bytes: report.cgroupPeakBytes,
      // The file it came from; a cgroup's charge includes page cache and kernel memory.
      cgroup_peak_source: report.cgroupSource,
    }),
    peak_rss_source: report.rssSource,
    peak_vsz_source: report.vszSource,
    samples: report.samples,
    interval_ms: report.intervalMs,
    processes_seen: report.processesSeen,
    children_tracked: report.childrenTracked,
    ...(report.comparison && { comparison: comparisonJson(report.comparison) }),
    ...(options.verbose && {
      processes: report.processes.map(processJson),
    }),
    version: report.version,
    platform: report.platform,
  };
  return `${JSON.stringify(object, null, 2)}\n`;
}

/** --compare-baseline: each metric baseline → current; change_percent to 0.01, null when it grew from 0. */
function comparisonJson(comparison: Comparison) {
  const metric = ({ baseline, current, changePercent }: MetricChange) => ({
    baseline,
    current,
    change_percent: changePercent === null ? null : Math.round(changePercent * 100) / 100 || 0,
  });
  return {
    baseline: comparison.baselineName,
    baseline_timestamp: comparison.baselineTimestamp,
    peak_rss_bytes: metric(comparison.peakRss),
    peak_vsz_bytes: metric(comparison.peakVsz),
    duration_ms: metric(comparison.duration),
    threshold_percent: comparison.thresholdPercent,
    regression: comparison.regression,
  };
}
