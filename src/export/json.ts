import type { Report } from "../report.ts";

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
    ...(options.verbose && {
      processes: report.processes.map((p) => ({
        pid: p.pid,
        ppid: p.ppid,
        name: p.name,
        depth: p.depth,
        peak_rss_bytes: p.peakRss,
        rss_at_peak_bytes: p.rssAtPeak ?? null,
        first_seen_ms: p.firstSeenMs,
        last_seen_ms: p.lastSeenMs,
      })),
    }),
    version: report.version,
    platform: report.platform,
  };
  return `${JSON.stringify(object, null, 2)}\n`;
}
