import { thresholdExceeded, type Comparison, type MemoryLimit, type MetricChange, type Report } from "../model/report.ts";
import { peakPercentOfLimit } from "./memory-rows.ts";
import { processJson, programJson } from "../timeline/processes.ts";

// The original report fields first, with their names and types, which never change; additions
// only ever follow them.

export function render(report: Report, options: { verbose: boolean } = { verbose: false }): string {
  const object = {
    command: report.command,
    peak_rss_bytes: report.peaks.rss.bytes,
    peak_vsz_bytes: report.peaks.vsz.bytes,
    ...pssJson(report),
    duration_ms: report.durationMs,
    exit_code: report.exitCode,
    threshold_exceeded: thresholdExceeded(report),
    timestamp: report.timestamp,
    ...(report.signal !== undefined && { signal: report.signal }),
    ...(report.threshold?.bytes !== undefined && { threshold_bytes: report.threshold?.bytes }),
    ...(report.threshold?.stop?.atMs !== undefined && { stopped_by_threshold: true, stopped_at_ms: report.threshold?.stop?.atMs, stop_escalated: report.threshold?.stop?.escalated }),
    // Processes a stop could not end: the stop is not claimed whole.
    ...(report.threshold?.stop?.survivors && { stop_survivors: report.threshold?.stop?.survivors.map((s) => ({ pid: s.pid, name: s.name, ...(s.reason && { reason: s.reason }) })) }),
    // Measuring ended early (the command was still supervised): the peaks may be low.
    ...(report.sampling.fault && { measurement_error: { message: report.sampling.fault.message, at_ms: report.sampling.fault.atMs } }),
    // A monitor that stopped on an internal error: its facts are absent, the rest is whole.
    ...(report.sampling.monitorFaults && { monitor_errors: report.sampling.monitorFaults.map((f) => ({ monitor: f.monitor, message: f.message, at_ms: f.atMs })) }),
    ...(report.peaks.cgroup?.bytes !== undefined && {
      cgroup_peak_bytes: report.peaks.cgroup?.bytes,
      // The file it came from; a cgroup's charge includes page cache and kernel memory.
      cgroup_peak_source: report.peaks.cgroup?.source,
    }),
    ...memoryJson(report),
    peak_rss_source: report.peaks.rss.source,
    peak_vsz_source: report.peaks.vsz.source,
    samples: report.sampling.samples,
    interval_ms: report.sampling.intervalMs,
    processes_seen: report.sampling.processesSeen,
    children_tracked: report.sampling.childrenTracked,
    ...(report.programs && {
      // Every program, largest share of the tree's peak first; how complete the counts are.
      program_counts: report.programs.counts,
      ...(report.programs.eventOnly !== undefined && { event_only_processes: report.programs.eventOnly }),
      ...(report.programs.eventsLost && { process_events_lost: true }),
      programs: report.programs.list.map(programJson),
    }),
    ...(report.comparison && { comparison: comparisonJson(report.comparison) }),
    ...(options.verbose && {
      processes: report.processes.map(processJson),
    }),
    version: report.build.version,
    platform: report.build.platform,
  };
  return `${JSON.stringify(object, null, 2)}\n`;
}

/** Where the command ran (src/monitor/memory-environment.ts): flat fields, each only when known. */
function memoryJson(report: Report) {
  const memory = report.memory;
  const share = peakPercentOfLimit(report);
  const limitFields = (prefix: string, limit: MemoryLimit | undefined) =>
    limit ? { [`${prefix}_bytes`]: limit.bytes, [`${prefix}_source`]: limit.source, ...(limit.cgroup !== undefined && { [`${prefix}_cgroup`]: limit.cgroup }) } : {};
  const oom = memory?.oom;
  const pressure = memory?.pressure;
  return {
    ...(report.threshold?.percent !== undefined && { threshold_percent: report.threshold?.percent }),
    ...limitFields("memory_limit", memory?.limit),
    ...(memory?.enforced && { memory_limit_enforced: true }),
    ...(share !== undefined && { peak_rss_percent_of_limit: Math.round(share * 100) / 100 }),
    ...limitFields("memory_soft_limit", memory?.softLimit),
    ...limitFields("memory_swap_limit", memory?.swapLimit),
    ...(oom && {
      oom_kills: oom.kills,
      oom_kills_source: oom.source,
      oom_kills_scope: oom.scope,
      oom_killed: oom.treeKilled,
      ...(oom.victim && { oom_victim: { pid: oom.victim.pid, name: oom.victim.name, role: oom.victim.role, certain: oom.victim.certain } }),
      ...(oom.atMs !== undefined && { oom_kill_at_ms: oom.atMs }),
    }),
    ...(pressure && {
      memory_pressure: {
        source: pressure.source,
        scope: pressure.scope,
        some_stall_ms: Math.round(pressure.someStallMs),
        full_stall_ms: Math.round(pressure.fullStallMs),
        max_some_avg10: pressure.maxSomeAvg10,
        max_full_avg10: pressure.maxFullAvg10,
      },
    }),
    ...(report.peaks.swapBytes !== undefined && { peak_swap_bytes: report.peaks.swapBytes }),
  };
}

/** --pss: the peaks beside peak_rss_bytes, then how they were read (they are sampled). */
function pssJson(report: Report) {
  const pss = report.pss;
  if (!pss) return {};
  return {
    ...(pss.readings > 0 && { peak_pss_bytes: pss.peakPssBytes }),
    ...(pss.readings > 0 && pss.ussAtPeakBytes !== undefined && { uss_at_pss_peak_bytes: pss.ussAtPeakBytes }),
    ...(pss.readings > 0 && pss.swapPssAtPeakBytes !== undefined && { swap_pss_at_pss_peak_bytes: pss.swapPssAtPeakBytes }),
    pss_sampling: {
      source: pss.source,
      readings: pss.readings,
      effective_interval_ms: Math.round(pss.effectiveIntervalMs * 10) / 10,
      mean_read_ms: Math.round(pss.meanReadMs * 1000) / 1000,
      ...(pss.maxReadMs !== undefined && { max_read_ms: Math.round(pss.maxReadMs * 1000) / 1000 }),
      budget_percent: pss.budgetPercent,
      unreadable_processes: pss.unreadable,
    },
  };
}

/** --compare-baseline: each metric baseline → current; change_percent to 0.01, null when it grew from 0. */
export function comparisonJson(comparison: Comparison) {
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
    ...(comparison.median && { statistic: "median" }),
    ...(comparison.spread && {
      baseline_runs: comparison.spread.runs,
      baseline_spread_bytes: { min: comparison.spread.minBytes, max: comparison.spread.maxBytes },
      outside_spread: comparison.outsideSpread === true,
    }),
  };
}
