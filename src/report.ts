import type { PeakSource } from "./monitor/peaks.ts";
import type { ProcessSummary } from "./timeline/chart-data.ts";

// Everything a renderer may show about one run. Built once in src/run.ts; renderers are
// pure functions of it (src/export/).

export interface Report {
  command: string;
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
}

/** RFC 3339 in UTC, to the second, as the seed shows it: 2025-05-24T10:30:45Z. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
