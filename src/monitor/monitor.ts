import type { Report } from "../model/report.ts";
import type { MemoryLimit } from "../platform/memory-sources.ts";
import type { CommandEnd, ProcessReader } from "../platform/types.ts";
import type { TimelineSample } from "../model/chart-data.ts";
import type { Sampler } from "./sampler.ts";

// A monitor is one source of facts about a run. Each has the same phases, called by the run
// loop (src/monitor/loop.ts) without knowing what it measures:
//
//   start   right after the spawn, once the command has been read, before the first sample: a
//           counter's starting value, the limit a threshold depends on. Nothing of a monitor's
//           runs on the path from exec to spawn: nothing there cannot wait a moment.
//   sample  after every sample of the tree; allocates nothing (it runs up to 1000 times a second).
//   record  when a sample goes to the timeline: adds its own part of that sample.
//   settle  after the command has exited, before anything is closed: work that needs the tree
//           still open (stopping what --kill-on-threshold left behind).
//   finish  at the end: its group of the report, or nothing.
//
// A fault in one monitor stops that monitor and is reported against it; the others go on.
// src/monitor/registry.ts lists them; docs/ARCHITECTURE.md says how to add one.

/** What a run asked for that monitors read: the options, as the command line gave them. */
export interface MonitorPlan {
  children: boolean;
  intervalMs: number;
  pss: boolean;
  killOnThreshold: boolean;
  thresholdBytes?: number;
  thresholdPercent?: number;
  limitBytes?: number;
  /** --threshold SIZE and --limit SIZE as typed, for the reports. */
  thresholdText?: string;
  limitText?: string;
  /** --gpu ("on"), --no-gpu ("off"), else "auto": on where a GPU driver or device is present. */
  gpu: "auto" | "on" | "off";
  /** --gpu-threshold SIZE (bytes, and as typed) or N% (of each device's memory). */
  gpuThresholdBytes?: number;
  gpuThresholdPercent?: number;
  gpuThresholdText?: string;
}

/** The run as every monitor sees it: set up before the spawn, read at any phase. */
export interface RunContext {
  readonly plan: MonitorPlan;
  readonly reader: ProcessReader;
  /** The tree, as sampled, with its peaks. */
  readonly sampler: Sampler;
  /** Milliseconds since the command started (before the spawn: since the run began). */
  readonly clock: () => number;
  /** Whether the kernel's process events are heard: counts are then complete. */
  readonly events: boolean;
  /** The cgroup the command runs in, made by peak-mem (--cgroup, --limit). */
  readonly cgroup?: { readonly dir: string; peak(): number | undefined; readonly source?: string };
  /** Found before the spawn by the memory environment, for monitors started after it. */
  limit?: MemoryLimit;
  physicalBytes?: number;
}

/** How the run ended, for the finish phase. */
export interface RunEnd {
  /** When the command ended (or the tree, when it was being stopped), ms since it started. */
  durationMs: number;
  command: CommandEnd;
  rootPid: number;
  /** The command's process name, as the kernel gives it. */
  rootName: string;
}

/** What the loop lends a monitor's settle phase. */
export interface SettleLoop {
  sleep(ms: number): Promise<void>;
  /** One more sample of the tree (guarded: a fault ends the measuring as in the loop). */
  sample(): void;
  /** False once measuring stopped on a fault. */
  readonly measuring: boolean;
}

/** The part of the report a monitor gives: its own group (the outcome, the processes, how it was sampled and the build are the run's). */
export type ReportGroup = Partial<Omit<Report, "command" | "argv" | "exitCode" | "signal" | "durationMs" | "timestamp" | "processes" | "sampling" | "comparison" | "build">>;

export interface Monitor {
  /** What it does, as a fault names it: "reading the memory limit and OOM counters". */
  readonly name: string;
  start?(): void;
  sample?(tMs: number): void;
  record?(sample: TimelineSample): void;
  /** Returns true when it kept the run going past the command's exit (the duration then grows). */
  settle?(loop: SettleLoop): Promise<boolean>;
  finish?(end: RunEnd): ReportGroup | undefined;
}

/** A monitor's entry in the registry. */
export interface MonitorEntry {
  /** Its key, for tests and faults. */
  readonly key: string;
  /**
   * Whether a run of this plan on this system wants it. A string: it was asked for, but
   * this system cannot give it, and why (the run is refused before anything starts).
   */
  enabled(plan: MonitorPlan, reader: ProcessReader): boolean | string;
  /** The option that asks for it, for the refusal: "--pss". */
  readonly option?: string;
  create(context: RunContext): Monitor;
}
