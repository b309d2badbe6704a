import { PROGRAM_COLUMNS, processSeconds } from "../../core/text/vocabulary.ts";
import type { ProgramsFacts } from "../../model/report.ts";
import { programJson } from "../../timeline/processes.ts";
import type { View } from "./view.ts";

// The tree by program: how many processes ran each, the largest of them, its share at the
// tree's peak, its own largest sum, and its process-seconds; and how complete the counts are.
// The terminal shows the top PROGRAMS_SHOWN; Markdown and JSON have them all.

/** The programs a terminal shows. */
export const PROGRAMS_SHOWN = 10;

export function countsNote(programs: ProgramsFacts): string {
  if (programs.counts === "events") {
    const only = programs.eventOnly ? `; ${programs.eventOnly} too short for any sample, known from the events` : "";
    return programs.eventsLost
      ? `counts from the kernel's process events, but the kernel dropped some: they may be short${only}`
      : `counts complete: every fork and exit of the tree heard from the kernel${only}`;
  }
  return "counts sampled: a process shorter than the interval can be missed";
}

export const programsView: View = {
  group: "programs",
  tables(report, show, terminal) {
    const programs = report.programs;
    if (!programs || programs.list.length === 0) return [];
    const shown = terminal ? programs.list.slice(0, PROGRAMS_SHOWN) : programs.list;
    // "0 B" would say it was alive and used nothing: a program not alive at the peak shows "–".
    const atPeak = (bytes: number) => (bytes > 0 ? show.size(bytes) : "–");
    return [
      {
        title: `Programs: ${programs.list.length} (${countsNote(programs)})`,
        header: [...PROGRAM_COLUMNS],
        rows: shown.map((p) => [{ name: p.name }, String(p.processes), show.size(p.maxProcessPeakBytes), atPeak(p.rssAtPeakBytes), show.size(p.peakRssBytes), processSeconds(p.processSeconds)]),
        more: programs.list.length - shown.length,
        detail: true,
      },
    ];
  },
  json(report) {
    const programs = report.programs;
    if (!programs) return {};
    return {
      // Every program, largest share of the tree's peak first; how complete the counts are.
      program_counts: programs.counts,
      ...(programs.eventOnly !== undefined && { event_only_processes: programs.eventOnly }),
      ...(programs.eventsLost && { process_events_lost: true }),
      programs: programs.list.map(programJson),
    };
  },
};
