import type { ProcessSummary, ProgramUsage } from "./report.ts";

export type { ProcessSummary };

// What a chart of a run shows: the samples over time, the peaks, the threshold, the memory
// limit and an OOM kill, and the processes. Built from a live run (src/session/run.ts) or from a saved timeline file
// (src/timeline/read.ts); drawn by src/timeline/html.ts and src/timeline/svg.ts.

export interface TimelineSample {
  /** Milliseconds since the command started. */
  tMs: number;
  rss: number;
  vsz: number;
  processCount: number;
  /**
   * The tree's RSS by program at this sample: the largest (at most TIMELINE_PROGRAMS),
   * largest first, by the executable's name. Absent when the tree was not grouped
   * (--no-children, or a timeline written before programs were recorded).
   */
  programs?: ProgramShare[];
  /** The RSS of every other program at this sample, summed (0 when none). */
  otherRss?: number;
  /** The tree's GPU memory at the latest reading of the GPUs (absent before the first, or without a GPU). */
  gpu?: number;
}

/** One program's RSS at one sample: the sum over its processes alive then. */
export interface ProgramShare {
  name: string;
  rss: number;
}

/** How many programs a timeline sample names; the rest count as one "other". */
export const TIMELINE_PROGRAMS = 8;

export interface ChartData {
  command: string;
  /** RFC 3339 UTC. */
  startedAt: string;
  intervalMs: number;
  /** In time order; may be thinned for drawing, keeping each bucket's extremes. */
  samples: TimelineSample[];
  /** How many samples were taken, when more than `samples` holds (thinned). */
  sampleCount?: number;
  peakRssBytes: number;
  peakVszBytes: number;
  /** Which source set the RSS peak (sampled-sum, process-hwm, rusage). */
  peakRssSource?: string;
  /**
   * Drawn from a saved timeline that does not record everything (a CSV keeps only the samples; a
   * run cut short leaves no summary): what it lacks, said instead of guessed. `from`: its file.
   */
  notRecorded?: { why: string; summary: boolean; from: string };
  /** The tree's GPU memory at its peak (every device, one reading), where a GPU was read; false exact: a lower bound. */
  peakGpuBytes?: number;
  peakGpuExact?: boolean;
  /** False where the peak RSS is a lower bound; then the most it can have been, where known. */
  peakRssExact?: boolean;
  peakRssUpperBytes?: number;
  thresholdBytes?: number;
  /** --threshold as typed ("250M"), shown beside its binary form. */
  thresholdGiven?: string;
  exitCode?: number;
  signal?: string;
  durationMs?: number;
  /** When children were tracked: every process seen, parents before their children. */
  processes?: ProcessSummary[];
  /** The hard memory limit the command ran under, bytes. */
  limitBytes?: number;
  /** Where that limit was read, as shown: "cgroup memory.max", "cgroup memory.limit_in_bytes", … */
  limitSource?: string;
  /** --limit as typed ("200M"), shown beside its binary form. */
  limitGiven?: string;
  /** --cgroup, --limit: the cgroup's own peak charge, what a cgroup's limit counts (RSS is not). */
  cgroupPeakBytes?: number;
  /** The kernel's OOM killer killed a process of the tree. */
  oomKill?: OomKill;
  /** The tree grouped by program (src/model/report.ts ProgramUsage), largest total at the tree's peak first. */
  programs?: ProgramUsage[];
}

export interface OomKill {
  /** When, ms since the command started. */
  atMs: number;
  /** The process killed, when it can be told. */
  pid?: number;
  name?: string;
  /** False: a process vanished when the OOM count rose, so it was likely the one killed. */
  certain?: boolean;
}
