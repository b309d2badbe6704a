import { asTyped, typedDiffers } from "../../core/size/format.ts";
import type { MemoryLimit, Report } from "../../model/report.ts";
import type { FactRow, View } from "./view.ts";

// Where the command ran: the limit it could use and how close it came, OOM kills and which
// process the kernel killed, and memory pressure. A fact that does not apply gives no row;
// the physical memory as the only limit, and OOM kills elsewhere on the system, are details.

/** A peak above this share of the limit is close to it. */
export const CLOSE_TO_LIMIT_PERCENT = 90;

/** Whether the peak is above CLOSE_TO_LIMIT_PERCENT of the limit: compared in whole bytes, so exactly 90% is not. */
export function closeToLimit(report: Report): boolean {
  const share = shareOfLimit(report);
  return share !== undefined && share.percent > CLOSE_TO_LIMIT_PERCENT;
}

/** The peak RSS as a share of the limit, in percent (unrounded), when a limit is known. */
export function peakPercentOfLimit(report: Report): number | undefined {
  const limit = report.memory?.limit;
  return limit && limit.bytes > 0 ? (report.peaks.rss.bytes / limit.bytes) * 100 : undefined;
}

/**
 * The cgroup's own peak charge (--cgroup, --limit) as a share of a cgroup's limit: what the
 * limit counts, against it. RSS is not: it counts file pages the cgroup may not be charged for,
 * once per process that maps them, and leaves out the page cache the cgroup is charged for.
 */
export function chargePercentOfLimit(report: Report): number | undefined {
  const limit = report.memory?.limit;
  const charge = report.peaks.cgroup?.bytes;
  return limit && limit.bytes > 0 && charge !== undefined && limit.source.startsWith("cgroup") ? (charge / limit.bytes) * 100 : undefined;
}

/** How close the run came to its limit, like with like where it can be: the cgroup's charge, else RSS. */
export function shareOfLimit(report: Report): { percent: number; what: "charge" | "rss" } | undefined {
  const charge = chargePercentOfLimit(report);
  if (charge !== undefined) return { percent: charge, what: "charge" };
  const rss = peakPercentOfLimit(report);
  return rss === undefined ? undefined : { percent: rss, what: "rss" };
}

export function percentText(value: number): string {
  // Just under the limit is not at it: 99.6%, not 100%.
  if (value >= 99.5 && value < 100) return `${value.toFixed(1)}%`;
  return value >= 10 || value === 0 ? `${Math.round(value)}%` : `${value.toFixed(1)}%`;
}

function where(limit: MemoryLimit): string {
  return limit.cgroup && limit.cgroup !== "/" ? `${limit.source} of ${limit.cgroup}` : limit.source;
}

/** "cgroup limit 200.0 MiB", "physical memory 24.0 GiB": the limit as the OOM sentence names it. */
function limitPhrase(limit: MemoryLimit | undefined, size: (bytes: number) => string, given?: string): string {
  if (!limit) return "no limit known";
  if (limit.source.startsWith("cgroup")) return `cgroup limit ${asTyped(given, limit.bytes, size)}`;
  if (limit.source.startsWith("physical memory")) return `physical memory ${size(limit.bytes)}`;
  return `${limit.source} ${size(limit.bytes)}`;
}

const rounded = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 100) / 100);

export const memoryView: View = {
  group: "memory",
  rows(report, show) {
    const rows: FactRow[] = [];
    const memory = report.memory;
    const limit = memory?.limit;
    const share = shareOfLimit(report);
    if (limit && share !== undefined) {
      const by = memory?.enforced ? `--limit, ${where(limit)}` : where(limit);
      const soft = memory?.softLimit ? `; soft limit ${show.size(memory.softLimit.bytes)} (${where(memory.softLimit)})` : "";
      // cgroup v1's memsw limit is memory and swap together; v2's swap.max is swap alone.
      const swapWhat = memory?.swapLimit?.source.includes("memsw") ? "memory+swap limit" : "swap limit";
      const swap = memory?.swapLimit ? `; ${swapWhat} ${show.size(memory.swapLimit.bytes)} (${where(memory.swapLimit)})` : "";
      // Physical memory as the only bound is a detail, unless a threshold was a share of it.
      const real = !limit.source.startsWith("physical memory") || report.threshold?.percent !== undefined;
      // --limit 200M reads "200M (190.7 MiB; --limit, …)": as typed first, its binary form beside
      // where the two differ (asTyped's rule, inside the one parenthesis).
      const given = memory?.limitGiven;
      const limitShown = given !== undefined ? show.text(given) : show.size(limit.bytes);
      const about = given !== undefined && typedDiffers(given) ? `${show.size(limit.bytes)}; ${by}` : by;
      // Like with like: a cgroup's limit counts its charge; RSS against it only with why it differs.
      const close =
        share.what === "charge"
          ? `the cgroup's peak charge at ${percentText(share.percent)}`
          : limit.source.startsWith("cgroup")
            ? `peak RSS at ${percentText(share.percent)} (a limit counts the cgroup's charge, not RSS)`
            : `peak at ${percentText(share.percent)}`;
      rows.push({
        label: "Memory limit",
        text: `${limitShown} (${about}), ${close}${soft}${swap}`,
        ...(closeToLimit(report) && { tone: "warn" as const }),
        ...(!real && { detail: true }),
      });
    }
    const oom = memory?.oom;
    if (oom && oom.kills > 0) {
      if (oom.treeKilled) {
        const victim = oom.victim;
        const name = victim && `${victim.pid} ${show.name(victim.name)}`;
        const who = !victim
          ? ""
          : victim.role === "command"
            ? `: the command itself (${name})`
            : victim.role === "orphan"
              ? `: ${name}, an orphan of the tree`
              : victim.certain
                ? `: ${name}, which died of SIGKILL as the kill was counted`
                : `: likely ${name}, which vanished as the kill was counted`;
        // Counted system-wide, the kill may have been another process's: likely, not certain.
        const text =
          oom.scope === "system"
            ? `Likely killed by the kernel's OOM killer (${limitPhrase(limit, show.size, memory?.limitGiven)})${who}; an OOM kill was counted system-wide as it died of SIGKILL`
            : `Killed by the kernel's OOM killer (${limitPhrase(limit, show.size, memory?.limitGiven)})${who}`;
        rows.push({ label: "OOM kill", text, tone: "bad" });
      } else {
        const count = oom.kills === 1 ? "1 OOM kill" : `${oom.kills} OOM kills`;
        const place = oom.scope === "cgroup" ? "in the command's cgroup" : "on this system";
        rows.push({ label: "OOM kills", text: `${count} ${place} during the run (${oom.source}), none seen in this command's tree`, tone: "warn", ...(oom.scope !== "cgroup" && { detail: true }) });
      }
    }
    const pressure = memory?.pressure;
    // Shown when the run stalled: a stall under a millisecond rounds to nothing, and says
    // nothing. What holds is the stall time while the command ran, of the scope the file
    // covers (the whole system's, or the cgroup's, not only the command's). The kernel's 10 s
    // average is said only of a run long enough to have one of its own, and only when not 0.
    if (pressure && pressure.someStallMs >= 1) {
      const seconds = (ms: number) => (Math.round(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)}s`);
      const scope = pressure.scope === "cgroup" ? "in the cgroup" : "on the system";
      const average = report.durationMs >= 10_000 && pressure.maxSomeAvg10 > 0 ? `; 10 s average up to ${pressure.maxSomeAvg10.toFixed(2)}%` : "";
      rows.push({
        label: "Memory pressure",
        text: `tasks ${scope} stalled on memory for ${seconds(pressure.someStallMs)} while the command ran, all of them at once for ${seconds(pressure.fullStallMs)} (${pressure.source})${average}`,
      });
    }
    return rows;
  },
  json(report) {
    const memory = report.memory;
    const share = peakPercentOfLimit(report);
    const charge = chargePercentOfLimit(report);
    const limitFields = (prefix: string, limit: MemoryLimit | undefined) =>
      limit ? { [`${prefix}_bytes`]: limit.bytes, [`${prefix}_source`]: limit.source, ...(limit.cgroup !== undefined && { [`${prefix}_cgroup`]: limit.cgroup }) } : {};
    const oom = memory?.oom;
    const pressure = memory?.pressure;
    return {
      ...limitFields("memory_limit", memory?.limit),
      ...(memory?.enforced && { memory_limit_enforced: true }),
      ...(memory?.limitGiven !== undefined && { memory_limit_given: memory.limitGiven }),
      ...(share !== undefined && { peak_rss_percent_of_limit: rounded(share) }),
      ...(charge !== undefined && { cgroup_peak_percent_of_limit: rounded(charge) }),
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
    };
  },
  csv: [
    { name: "memory_limit_bytes", cell: (report) => report.memory?.limit?.bytes },
    { name: "memory_limit_source", cell: (report) => report.memory?.limit?.source },
    { name: "peak_rss_percent_of_limit", cell: (report) => rounded(peakPercentOfLimit(report)) },
    { name: "cgroup_peak_percent_of_limit", cell: (report) => rounded(chargePercentOfLimit(report)) },
    { name: "memory_soft_limit_bytes", cell: (report) => report.memory?.softLimit?.bytes },
    { name: "memory_swap_limit_bytes", cell: (report) => report.memory?.swapLimit?.bytes },
    { name: "oom_kills", cell: (report) => report.memory?.oom?.kills },
    { name: "oom_killed", cell: (report) => report.memory?.oom?.treeKilled },
  ],
  note(report, show) {
    const oom = report.memory?.oom;
    if (!oom?.treeKilled) return undefined;
    const victim = oom.victim;
    return `OOM kill${victim ? `: ${victim.certain ? "" : "likely "}${victim.pid} ${show.name(victim.name)}` : ""}`;
  },
};
