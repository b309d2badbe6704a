import type { MemoryLimit } from "../platform/memory-sources.ts";

export type { MemoryLimit };

// Everything a renderer may show about one run, grouped by what it describes: the outcome at
// the top (what ran, how it ended, how long), then one group per monitor (src/monitor/), then
// how it was sampled and what built it. Built once in src/session/run.ts; each group has one view that
// says how every format shows it (src/export/views/).

export interface Report {
  /** The command as a POSIX shell would need it typed, exactly (JSON, CSV, baselines, timelines). */
  command: string;
  /** The command's argv as given, for formats that must show it escaped (terminal, Markdown). */
  argv: string[];
  /** The command's status as peak-mem passes it on: 128 + N for death by signal N. */
  exitCode: number;
  /** Name of the signal that killed the command, e.g. SIGKILL. */
  signal?: string;
  durationMs: number;
  /** When the command started, RFC 3339 UTC. */
  timestamp: string;
  /** The tree's peaks (src/monitor/tree-peaks.ts, src/monitor/cgroup-peak.ts). */
  peaks: PeakFacts;
  /** --threshold (src/monitor/threshold.ts). */
  threshold?: ThresholdFacts;
  /** Where the command ran: its memory limit, OOM kills, pressure (src/monitor/memory-environment.ts). */
  memory?: MemoryEnvironment;
  /** --pss: proportional and private memory of the tree, sampled on its own cadence (src/monitor/pss.ts). */
  pss?: PssFacts;
  /** GPU memory of the tree, where a GPU driver or device was found, or --gpu (src/monitor/gpu.ts). */
  gpu?: GpuFacts;
  /** The tree grouped by program (src/monitor/programs.ts); absent with --no-children. */
  programs?: ProgramsFacts;
  /** How many processes of the tree were alive at once, at most (src/monitor/concurrency.ts); absent with --no-children. */
  concurrency?: {
    /** The most alive at one moment. */
    peakProcesses: number;
    /** From when each lived (the kernel's process events); else the most read alive at one sample, a lower bound. */
    exact: boolean;
    /** Processes of the tree still running when the report was made (the command ended and left them). */
    stillRunning?: { pid: number; name: string }[];
  };
  /** Every process seen, parents first, with its RSS at the tree's peak (a series may drop them). */
  processes: ProcessSummary[];
  /** How the run was measured, and what stopped measuring early. */
  sampling: SamplingFacts;
  /** --compare-baseline: this run against a saved one (src/baseline/compare.ts). */
  comparison?: Comparison;
  build: BuildFacts;
}

export interface PeakFacts {
  rss: Peak & { bound?: RssBound };
  vsz: Peak;
  /** The tree's swap (VmSwap summed at one sample) at its largest, where the platform tells. */
  swapBytes?: number;
  /**
   * The moment the tree's breakdown (each process's and program's RSS "at tree peak") shows:
   * the largest sample, which is the peak itself unless the peak came from elsewhere (a
   * process's own high-water mark, ru_maxrss) between samples. Where the tree was one process,
   * that process at its peak.
   */
  breakdown?: { bytes: number; atMs?: number; isPeak: boolean };
  /** --cgroup, --limit: the exact peak of the command's cgroup, page cache and kernel memory included. */
  cgroup?: { bytes: number; /** memory.peak (v2) or memory.max_usage_in_bytes (v1). */ source: string };
}

export interface ThresholdFacts {
  bytes: number;
  /** As typed on the command line ("100M"), when given as a size. */
  given?: string;
  /** --threshold N%: the share of the memory limit it was given as. */
  percent?: number;
  /** The tree's peak RSS went over it. */
  exceeded: boolean;
  /** --kill-on-threshold: when the tree was stopped (ms since start), whether SIGKILL was needed, what survived. */
  stop?: { atMs: number; escalated: boolean; survivors?: StopSurvivor[] };
}

export interface SamplingFacts {
  samples: number;
  intervalMs: number;
  /** Duration divided by samples taken: what the sampling really achieved. */
  effectiveIntervalMs: number;
  processesSeen: number;
  childrenTracked: boolean;
  /**
   * Measuring stopped early on an internal error (the command was still supervised to its
   * end): the peaks are what was seen until then, and may be low.
   */
  fault?: { message: string; atMs: number };
  /**
   * Monitors that stopped on an internal error while the rest measured on: each one's facts
   * are left out of the report (src/monitor/monitor-set.ts).
   */
  monitorFaults?: MonitorFault[];
}

export interface BuildFacts {
  version: string;
  /** `${process.platform}-${process.arch}`. */
  platform: string;
}

/** Whether the run crossed --threshold or --gpu-threshold: what decides exit status 1 (false without either). */
export function thresholdExceeded(report: Report): boolean {
  return report.threshold?.exceeded === true || report.gpu?.threshold?.exceeded === true;
}

/**
 * The GPU memory the tree held: what the driver says each process of it has on each device,
 * summed over the tree at one reading. NVIDIA's figure is the driver's allocation for the
 * process (a framework's cache included, whether in use or not); other drivers' (DRM) is the
 * memory resident for the process's GPU clients.
 */
export interface GpuFacts {
  /**
   * "tree": each process's own figures, matched to the tree by pid. "device": the pids could
   * not be matched (NVML reports the host's pids, and peak-mem runs in a pid namespace): the
   * figures are the rise of each device's whole use during the run, every process's.
   */
  scope: "tree" | "device";
  /** Why the figures are device-wide, when they are. */
  scopeWhy?: string;
  /** The tree's peak over every device, summed at one reading. */
  peakBytes: number;
  /** False where a burst between readings may have gone higher; then the most it can have been, where known. */
  exact: boolean;
  upperBytes?: number;
  /** When the peak was read, ms since the command started. */
  atMs?: number;
  /** Every device found, whether the tree used it or not. */
  devices: GpuDeviceFacts[];
  /** The tree's processes that held GPU memory, the largest first. */
  processes: GpuProcessFacts[];
  /** How often the devices were read (on their own cadence, within a share of a core). */
  readings: number;
  effectiveIntervalMs: number;
  meanReadMs: number;
  maxReadMs: number;
  budgetPercent: number;
  /** How long the driver took to start (NVML's start runs beside the command), ms. */
  setupMs?: number;
  /** Why nothing could be read, when nothing was: the figures are then absent, not zero. */
  unread?: string;
  /** --gpu-threshold. */
  threshold?: GpuThresholdFacts;
}

export interface GpuDeviceFacts {
  index: number;
  name: string;
  /** Its UUID (NVIDIA) or PCI slot (DRM), where known. */
  id?: string;
  /** Its memory, bytes, where known: what a share is taken of. */
  totalBytes?: number;
  /** The tree's peak on it (or, device-wide, the rise of its use). */
  peakBytes: number;
  exact: boolean;
  upperBytes?: number;
  /**
   * Where the figure came from: "nvml" (the processes' use, summed at each reading),
   * "nvml-accounting" (the driver's own peak of each process, where accounting mode is on),
   * "nvml-device" (the device's whole use, device-wide), "drm-fdinfo" (the kernel's DRM
   * usage stats of the tree's GPU clients).
   */
  source: string;
  /** The device's whole use (every process's) at the reading of the tree's peak, bytes. */
  usedAtPeakBytes?: number;
  /** The tree's processes that used it. */
  processes: number;
}

export interface GpuProcessFacts {
  pid: number;
  name: string;
  /** Its own peak over every device it used, bytes (exact where the driver kept it). */
  peakBytes: number;
  exact: boolean;
  /** The devices it used, by index. */
  devices: number[];
}

export interface GpuThresholdFacts {
  /** The size given, bytes; or, with a share, absent (each device's own share applies). */
  bytes?: number;
  /** As typed ("70G"), when given as a size. */
  given?: string;
  /** --gpu-threshold N%: a share of each device's memory. */
  percent?: number;
  /** The tree's peak on some device went over it (for a share, over that device's share). */
  exceeded: boolean;
  /** The devices it went over on, by index. */
  devices: number[];
}

/**
 * The tree's proportional set size (each shared page divided among the processes sharing
 * it), its unique set size (pages only one process maps) and its swapped-out PSS, summed at
 * one PSS reading: what the tree really cost the machine, where summed RSS counts shared
 * pages once per process.
 */
export interface PssFacts {
  /** The largest sum over the tree at one reading. */
  peakPssBytes: number;
  /**
   * The tree's USS and swapped-out PSS at that same reading, where known: how much of the
   * peak was private (a reading before a parent forked would have it all private).
   */
  ussAtPeakBytes?: number;
  swapPssAtPeakBytes?: number;
  /** What the numbers are on this system: "smaps_rollup" (Linux), "phys_footprint" (macOS), "private bytes" (Windows). */
  source: string;
  /** How many PSS readings of the tree were taken, and the mean time between them, ms (0 with one). */
  readings: number;
  effectiveIntervalMs: number;
  /** The mean cost of one reading of the whole tree, ms (what set the cadence). */
  meanReadMs: number;
  /**
   * The longest one took, ms. The budget is kept by waiting after each reading, so one reading
   * far slower than those before it (a process tearing down its memory holds the page tables
   * the reading walks) can take the total past it, by at most this much.
   */
  maxReadMs?: number;
  /** The share of one core the PSS readings were allowed, percent. */
  budgetPercent: number;
  /** Processes whose PSS could not be read (another user's): counted by their RSS instead. */
  unreadable: number;
}

/** Each program of the tree: its processes taken together, by the executable's name. */
export interface ProgramUsage {
  name: string;
  /** Processes that ran it (at their end, or at the last look). */
  processes: number;
  /** The largest peak RSS of any one of them. */
  maxProcessPeakBytes: number;
  /** Its processes' RSS summed at the sample where the tree's RSS peaked (0 if none was alive then). */
  rssAtPeakBytes: number;
  /** The largest sum of its processes' RSS at any one sample. */
  peakRssBytes: number;
  /** Seconds alive, summed over its processes. */
  processSeconds: number;
}

export interface ProgramsFacts {
  /** Largest total at the tree's peak first, then largest single process. */
  list: ProgramUsage[];
  /**
   * "events": every fork, exec and exit of the tree was heard from the kernel (the proc
   * connector), so counts are complete; "sampled": processes shorter than an interval can
   * be missed.
   */
  counts: "events" | "sampled";
  /** With events: processes seen only through them (too short for any sample). */
  eventOnly?: number;
  /** Events the kernel dropped (its buffer overflowed): counts may then be short. */
  eventsLost?: boolean;
}

/** The memory the command could use, whether the kernel killed for lack of it, and how hard it pressed. */
export interface MemoryEnvironment {
  /** The hard limit in force: the smallest on the way to the root, else physical memory. */
  limit?: MemoryLimit;
  /** A soft limit (cgroup v2 memory.high): above it the kernel throttles and reclaims. */
  softLimit?: MemoryLimit;
  /** Memory plus swap (v1 memory.memsw.limit_in_bytes), or swap alone (v2 memory.swap.max). */
  swapLimit?: MemoryLimit;
  /** The limit was set by peak-mem itself (--limit SIZE). */
  enforced?: boolean;
  /** --limit as typed ("200M"). */
  limitGiven?: string;
  oom?: OomFacts;
  pressure?: PressureFacts;
}

export interface OomFacts {
  /** OOM kills counted during the run where the command ran. */
  kills: number;
  /** The counter: "memory.events", "memory.oom_control", or "/proc/vmstat" (the whole system). */
  source: string;
  scope: "cgroup" | "system";
  /** A process of the tree died of SIGKILL while the count rose: the kernel's OOM killer, as far as can be told. */
  treeKilled: boolean;
  /** Which process, when it can be known. `certain` false: it vanished at that moment (likely). */
  victim?: { pid: number; name: string; role: "command" | "orphan" | "member"; certain: boolean };
  /** When the tree's kill was seen, ms since the command started (charts mark it there). */
  atMs?: number;
}

export interface PressureFacts {
  /** "memory.pressure" (the cgroup's) or "/proc/pressure/memory" (the system's). */
  source: string;
  scope: "cgroup" | "system";
  /** Stall time added during the run, ms: some task stalled on memory / all tasks did. */
  someStallMs: number;
  fullStallMs: number;
  /** The highest 10-second averages seen, percent. */
  maxSomeAvg10: number;
  maxFullAvg10: number;
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
  /** The command the baseline was saved for, where it differs from this one's. */
  baselineCommand?: string;
  /** When the baseline run started, RFC 3339 UTC. */
  baselineTimestamp: string;
  peakRss: MetricChange;
  peakVsz: MetricChange;
  duration: MetricChange;
  /** --regression-threshold (default 10). */
  thresholdPercent: number;
  /**
   * Peak RSS grew by more than thresholdPercent (and, against a baseline saved from a series,
   * beyond its spread too). VSZ and duration are shown, never decide.
   */
  regression: boolean;
  /** The current figures are a series' medians (src/session/), not one run's. */
  median?: boolean;
  /** A baseline saved from a series: its runs' peak RSS from least to most (src/baseline/compare.ts). */
  spread?: { runs: number; minBytes: number; maxBytes: number };
  /** With spread: the current peak RSS is outside it (below its least or above its most). */
  outsideSpread?: boolean;
}

/** RFC 3339 in UTC, to the second, as the original JSON report has it: 2025-05-24T10:30:45Z. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

// The kinds of source a peak can come from: see src/monitor/peaks.ts.
export type PeakSource = "sampled-sum" | "process-hwm" | "rusage" | "cgroup";

export interface Peak {
  bytes: number;
  source: PeakSource;
}

/**
 * How far the tree's peak RSS can be trusted (src/monitor/rss-bound.ts). Exact when the most
 * it can have reached (from each process's own peak and when it lived) meets what was found,
 * or when the figure is the one asked for (--no-children: the command's ru_maxrss). Otherwise
 * the peak is a lower bound: processes came and went, or grew and shrank, between samples.
 */
export interface RssBound {
  exact: boolean;
  /** The most the tree's RSS can have reached, where it can be known. */
  upperBytes?: number;
  /** Why no upper bound can be given. */
  noUpper?: string;
}

export interface ProcessSummary {
  pid: number;
  ppid: number;
  name: string;
  /** Nesting under the command: 0 for the command itself, 1 for its children, … */
  depth: number;
  /** Its own largest RSS (the kernel's high-water mark where kept). */
  peakRss: number;
  /** Its RSS at the sample where the tree's sum peaked, if it was alive then. */
  rssAtPeak?: number;
  /** When it was first and last seen alive, ms since the command started. */
  firstSeenMs: number;
  lastSeenMs: number;
  /** How it ended, where the kernel's exit event said: its code, or the signal that killed it. */
  exitCode?: number;
  signal?: string;
  /** Still running when the report was made: the command ended (or was stopped) and left it. */
  running?: boolean;
}

/** A monitor's internal error: which one (what it was doing), why, and when (ms since the start). */
export interface MonitorFault {
  monitor: string;
  message: string;
  atMs: number;
}
