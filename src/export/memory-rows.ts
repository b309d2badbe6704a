import type { MemoryLimit, Report } from "../model/report.ts";
import { psName } from "../core/text/visible.ts";

// The facts about where the command ran (limit, OOM kill, pressure, swap), described once as
// labelled rows that the human report and Markdown both lay out in their own way. A fact that
// does not apply gives no row; `verbose` adds the rows that are there for the curious (the
// physical memory as the only limit, OOM kills elsewhere on the system).

export interface FactRow {
  label: string;
  text: string;
  /** "bad": the run suffered from it; "warn": it came close. */
  tone?: "bad" | "warn";
}

/** A peak above this share of the limit is close to it. */
export const CLOSE_TO_LIMIT_PERCENT = 90;

/** Whether the peak is above CLOSE_TO_LIMIT_PERCENT of the limit: compared in whole bytes, so exactly 90% is not. */
export function closeToLimit(report: Report): boolean {
  const limit = report.memory?.limit;
  return limit !== undefined && limit.bytes > 0 && report.peaks.rss.bytes * 100 > CLOSE_TO_LIMIT_PERCENT * limit.bytes;
}

/** The peak as a share of the limit, in percent (unrounded), when a limit is known. */
export function peakPercentOfLimit(report: Report): number | undefined {
  const limit = report.memory?.limit;
  return limit && limit.bytes > 0 ? (report.peaks.rss.bytes / limit.bytes) * 100 : undefined;
}

function percent(value: number): string {
  return value >= 10 || value === 0 ? `${Math.round(value)}%` : `${value.toFixed(1)}%`;
}

function where(limit: MemoryLimit): string {
  return limit.cgroup && limit.cgroup !== "/" ? `${limit.source} of ${limit.cgroup}` : limit.source;
}

/** "cgroup limit 200.0 MiB", "physical memory 24.0 GiB": the limit as the OOM sentence names it. */
function limitPhrase(limit: MemoryLimit | undefined, size: (bytes: number) => string): string {
  if (!limit) return "no limit known";
  if (limit.source.startsWith("cgroup")) return `cgroup limit ${size(limit.bytes)}`;
  if (limit.source.startsWith("physical memory")) return `physical memory ${size(limit.bytes)}`;
  return `${limit.source} ${size(limit.bytes)}`;
}

export function memoryRows(report: Report, size: (bytes: number) => string, verbose: boolean): FactRow[] {
  const rows: FactRow[] = [];
  const memory = report.memory;
  const limit = memory?.limit;
  const share = peakPercentOfLimit(report);
  // Physical memory as the only bound is shown with -v, or when a threshold was a share of it.
  const aRealLimit = limit !== undefined && !limit.source.startsWith("physical memory");
  if (limit && share !== undefined && (aRealLimit || verbose || report.threshold?.percent !== undefined)) {
    const by = memory?.enforced ? `--limit, ${where(limit)}` : where(limit);
    const soft = memory?.softLimit ? `; soft limit ${size(memory.softLimit.bytes)} (${where(memory.softLimit)})` : "";
    rows.push({
      label: "Memory limit",
      text: `${size(limit.bytes)} (${by}), peak at ${percent(share)}${soft}`,
      ...(closeToLimit(report) && { tone: "warn" as const }),
    });
  }
  const oom = memory?.oom;
  if (oom && oom.kills > 0) {
    if (oom.treeKilled) {
      const victim = oom.victim;
      const who = !victim
        ? ""
        : victim.role === "command"
          ? `: the command itself (${victim.pid} ${psName(victim.name)})`
          : victim.role === "orphan"
            ? `: ${victim.pid} ${psName(victim.name)}, an orphan of the tree`
            : victim.certain
              ? `: ${victim.pid} ${psName(victim.name)}, which died of SIGKILL as the kill was counted`
              : `: likely ${victim.pid} ${psName(victim.name)}, which vanished as the kill was counted`;
      // Counted system-wide, the kill may have been another process's: likely, not certain.
      const text =
        oom.scope === "system"
          ? `Likely killed by the kernel's OOM killer (${limitPhrase(limit, size)})${who}; an OOM kill was counted system-wide as it died of SIGKILL`
          : `Killed by the kernel's OOM killer (${limitPhrase(limit, size)})${who}`;
      rows.push({ label: "OOM kill", text, tone: "bad" });
    } else if (oom.scope === "cgroup" || verbose) {
      const count = oom.kills === 1 ? "1 OOM kill" : `${oom.kills} OOM kills`;
      const place = oom.scope === "cgroup" ? "in the command's cgroup" : "on this system";
      rows.push({ label: "OOM kills", text: `${count} ${place} during the run (${oom.source}), none seen in this command's tree`, tone: "warn" });
    }
  }
  const pressure = memory?.pressure;
  // Shown when the run stalled: a stall under a millisecond rounds to nothing, and says
  // nothing; an avg10 alone may be the ten seconds before the command started (JSON has it).
  if (pressure && pressure.someStallMs >= 1) {
    const seconds = (ms: number) => (Math.round(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)}s`);
    const scope = pressure.scope === "cgroup" ? "the cgroup's" : "the system's";
    rows.push({
      label: "Memory pressure",
      text: `${seconds(pressure.someStallMs)} stalled (some), ${seconds(pressure.fullStallMs)} (full); avg10 up to ${pressure.maxSomeAvg10.toFixed(2)}% (${scope} ${pressure.source})`,
    });
  }
  if (report.peaks.swapBytes !== undefined && report.peaks.swapBytes > 0) {
    rows.push({ label: "Swap", text: `${size(report.peaks.swapBytes)} of the tree swapped out at most (VmSwap, summed at one sample)`, tone: "warn" });
  }
  return rows;
}
