import type { PeakSource } from "./monitor/peaks.ts";
import type { ProcessSummary } from "./timeline/chart-data.ts";

// Everything a renderer may show about one run. Built once in src/run.ts; renderers are
// pure functions of it (src/export/).

export interface Report {
  /** The command as a POSIX shell would need it typed, exactly (JSON, CSV, baselines, timelines). */
  command: string;
  /** The command's argv as given, for formats that must show it escaped (terminal, Markdown). */
  argv: string[];
  peakRssBytes: number;
  peakVszBytes: number;
  rssSource: PeakSource;
  vszSource: PeakSource;
  durationMs: number;
  /** The command's status as peak-mem passes it on: 128 + N for death by signal N. */
  exitCode: number;
  /** Name of the signal that killed the command, e.g. SIGKILL. */
  signal?: string;
  thresholdBytes?: number;
  /** The exact peak of the command's cgroup (--cgroup): page cache and kernel memory included. */
  cgroupPeakBytes?: number;
  /** The file it was read from: memory.peak (v2) or memory.max_usage_in_bytes (v1). */
  cgroupSource?: string;
  thresholdExceeded: boolean;
  /** --kill-on-threshold: when the tree was stopped (ms since start), and whether SIGKILL was needed. */
  stoppedAtMs?: number;
  stopEscalated?: boolean;
  /** --kill-on-threshold: processes still alive when peak-mem gave up stopping them. */
  stopSurvivors?: StopSurvivor[];
  /**
   * Measuring stopped early on an internal error (the command was still supervised to its
   * end): the peaks are what was seen until then, and may be low.
   */
  fault?: { message: string; atMs: number };
  /** When the command started, RFC 3339 UTC. */
  timestamp: string;
  samples: number;
  intervalMs: number;
  /** Duration divided by samples taken: what the sampling really achieved. */
  effectiveIntervalMs: number;
  processesSeen: number;
  childrenTracked: boolean;
  /** Every process seen, parents first, with its RSS at the tree's peak. */
  processes: ProcessSummary[];
  version: string;
  platform: string;
  /** --compare-baseline: this run against a saved one (src/baseline/compare.ts). */
  comparison?: Comparison;
}

export interface StopSurvivor {
  pid: number;
  name: string;
  /** Why it could not be signalled ("permission denied"), when a signal was refused. */
  reason?: string;
}

/** One metric, baseline → current. */
export interface MetricChange {
  baseline: number;
  current: number;
  /** (current − baseline) / baseline × 100, unrounded; 0 when both are 0; null when only the baseline is 0. */
  changePercent: number | null;
}

export interface Comparison {
  /** The baseline's name, as given to --compare-baseline. */
  baselineName: string;
  /** When the baseline run started, RFC 3339 UTC. */
  baselineTimestamp: string;
  peakRss: MetricChange;
  peakVsz: MetricChange;
  duration: MetricChange;
  /** --regression-threshold (default 10). */
  thresholdPercent: number;
  /** Peak RSS grew by more than thresholdPercent. VSZ and duration are shown, never decide. */
  regression: boolean;
}

/** RFC 3339 in UTC, to the second, as the seed shows it: 2025-05-24T10:30:45Z. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
