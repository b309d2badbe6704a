import { PROGRAM_COLUMNS, processSeconds } from "../../core/text/vocabulary.ts";
import type { ProgramsFacts, ProgramUsage } from "../../model/report.ts";
import type { ProgramShare } from "../../model/chart-data.ts";
import { sampleNumber, type SampleField, type View } from "./view.ts";

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
  return "sampled: a process shorter than the interval can be missed, so counts and sizes are lower bounds";
}

export const programsView: View = {
  group: "programs",
  // A sample's largest programs and the rest summed, where the tree was grouped by program.
  // Pairs rather than objects: a sample a line, and 8 programs a sample, add up over a long run.
  sample: [
    {
      name: "programs",
      write: (sample) => sample.programs?.map((share) => [share.name, share.rss]),
      read(value, sample) {
        sample.programs = programsFrom(value);
      },
    } satisfies SampleField,
    sampleNumber("other_rss_bytes", "otherRss"),
  ],
  tables(report, show, terminal) {
    const programs = report.programs;
    if (!programs || programs.list.length === 0) return [];
    const shown = terminal ? programs.list.slice(0, PROGRAMS_SHOWN) : programs.list;
    // "0 B" would say it was alive and used nothing: a program not alive at the peak shows "–".
    const atPeak = (bytes: number) => (bytes > 0 ? show.size(bytes) : "–");
    return [
      {
        title: `Programs: ${programs.list.length} (${countsNote(programs)})${report.peaks.breakdown?.isPeak === false ? `; at tree peak: at the largest sample, ${show.size(report.peaks.breakdown.bytes)}` : ""}`,
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

/** A program's totals as JSON (report `programs`, timeline summaries), snake_case. */
export function programJson(p: ProgramUsage) {
  return {
    name: p.name,
    processes: p.processes,
    max_process_peak_bytes: p.maxProcessPeakBytes,
    rss_at_peak_bytes: p.rssAtPeakBytes,
    peak_rss_bytes: p.peakRssBytes,
    process_seconds: p.processSeconds,
  };
}

/** A sample's programs, [name, rss_bytes] pairs as the timeline saves them. */
function programsFrom(value: unknown): ProgramShare[] {
  if (!Array.isArray(value)) throw new Error(`a sample's "programs" is not a list`);
  return value.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "number" || !Number.isFinite(pair[1])) {
      throw new Error(`a sample's "programs" holds ${JSON.stringify(pair)?.slice(0, 40)}, not a [name, bytes] pair`);
    }
    return { name: pair[0], rss: pair[1] };
  });
}
