import { concurrencyMonitor } from "./concurrency.ts";
import { environmentMonitor } from "./memory-environment.ts";
import type { MonitorEntry, MonitorPlan, RunContext, Monitor } from "./monitor.ts";
import type { ProcessReader } from "../platform/types.ts";
import { gpuMonitor } from "./gpu.ts";
import { programsMonitor } from "./programs.ts";
import { pssMonitor } from "./pss.ts";
import { thresholdMonitor } from "./threshold.ts";
import { treePeaksMonitor } from "./tree-peaks.ts";

// Every monitor of a run, in the order they are called at each phase. The order carries
// what one needs of another: the memory environment starts first (the threshold may be a
// share of its limit), the tree's peaks finish before the threshold (ru_maxrss may be what
// crossed it), and the threshold samples last (after PSS's reading joined the peak).
export const MONITORS: readonly MonitorEntry[] = [environmentMonitor, treePeaksMonitor, pssMonitor, gpuMonitor, programsMonitor, concurrencyMonitor, thresholdMonitor];

/** The first monitor asked for that this system cannot give: its option and why, else undefined. */
export function unavailableMonitor(plan: MonitorPlan, reader: ProcessReader, entries = MONITORS): { option: string; why: string } | undefined {
  for (const entry of entries) {
    const enabled = entry.enabled(plan, reader);
    if (typeof enabled === "string") return { option: entry.option ?? entry.key, why: enabled };
  }
  return undefined;
}

/** The monitors this run wants, created in registry order. */
export function createMonitors(context: RunContext, entries = MONITORS): Monitor[] {
  return entries.filter((entry) => entry.enabled(context.plan, context.reader) === true).map((entry) => entry.create(context));
}
