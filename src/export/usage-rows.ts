import type { ProgramsFacts, Report } from "../model/report.ts";
import type { FactRow } from "./memory-rows.ts";

// What the tree really used (--pss) and who used it (programs), described once for the
// formats that lay out rows: the human report and Markdown. Each gives a layout only.

/** --pss: the tree's PSS at its peak and the USS of that reading, labelled as sampled, with how often they were read. */
export function pssRows(report: Report, size: (bytes: number) => string): FactRow[] {
  const pss = report.pss;
  if (!pss) return [];
  if (pss.readings === 0) return [{ label: "Peak PSS", text: `not read: the command ended before its first PSS reading (${pss.source})`, tone: "warn" }];
  const parts = [size(pss.peakPssBytes)];
  if (pss.ussAtPeakBytes !== undefined) parts.push(`USS ${size(pss.ussAtPeakBytes)}`);
  if (pss.swapPssAtPeakBytes) parts.push(`swap PSS ${size(pss.swapPssAtPeakBytes)}`);
  if (parts.length > 1) parts[parts.length - 1] += " then";
  const cadence =
    pss.readings === 1
      ? "1 reading"
      : `${pss.readings} readings, every ${Math.round(pss.effectiveIntervalMs)} ms on average, ${pss.meanReadMs.toFixed(2)} ms each, within ${pss.budgetPercent}% of a core`;
  const rows: FactRow[] = [{ label: "Peak PSS", text: `${parts.join(", ")} (${pss.source}, summed over the tree at one reading; ${cadence})` }];
  if (pss.unreadable > 0) {
    const count = pss.unreadable === 1 ? "1 process" : `${pss.unreadable} processes`;
    rows.push({ label: "PSS unreadable", text: `${count} not peak-mem's to read (another user's): counted by RSS`, tone: "warn" });
  }
  return rows;
}

/** The programs table, as cells: the human report aligns them, Markdown makes a table. */
export interface ProgramTable {
  header: string[];
  /** Right-aligned columns (every one but the name). */
  rows: string[][];
  /** How the counts were taken, as a sentence. */
  note: string;
}

export function programTable(programs: ProgramsFacts, size: (bytes: number) => string, limit = Number.POSITIVE_INFINITY): ProgramTable & { more: number } {
  const shown = programs.list.slice(0, limit);
  return {
    header: ["Program", "Processes", "Largest process", "At tree peak", "Own peak", "Process-seconds"],
    rows: shown.map((p) => [p.name, String(p.processes), size(p.maxProcessPeakBytes), size(p.rssAtPeakBytes), size(p.peakRssBytes), p.processSeconds.toFixed(p.processSeconds >= 100 ? 0 : 2)]),
    note: countsNote(programs),
    more: programs.list.length - shown.length,
  };
}

function countsNote(programs: ProgramsFacts): string {
  if (programs.counts === "events") {
    const only = programs.eventOnly ? `; ${programs.eventOnly} too short for any sample, known from the events` : "";
    return programs.eventsLost
      ? `counts from the kernel's process events, but the kernel dropped some: they may be short${only}`
      : `counts complete: every fork and exit of the tree heard from the kernel${only}`;
  }
  return "counts sampled: a process shorter than the interval can be missed";
}

/** Processes of the tree (not the command: its own line says) shown by name before "and N more". */
const SIGNALLED_SHOWN = 5;

/** Processes of the tree the kernel said were killed by a signal (a compiler's SIGSEGV, an OOM kill's SIGKILL). */
export function signalRows(report: Report, name: (text: string) => string): FactRow[] {
  const killed = report.processes.filter((p) => p.depth > 0 && p.signal !== undefined);
  if (killed.length === 0) return [];
  const shown = killed.slice(0, SIGNALLED_SHOWN).map((p) => `${p.pid} ${name(p.name)} (${p.signal})`);
  const more = killed.length > SIGNALLED_SHOWN ? `, and ${killed.length - SIGNALLED_SHOWN} more` : "";
  const count = killed.length === 1 ? "1 process" : `${killed.length} processes`;
  return [{ label: "Killed by a signal", text: `${count} of the tree: ${shown.join(", ")}${more}`, tone: "warn" }];
}
