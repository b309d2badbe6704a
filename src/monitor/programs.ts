import { TIMELINE_PROGRAMS, type ProgramShare } from "../model/chart-data.ts";
import type { ProgramUsage } from "../model/report.ts";
import type { Member } from "./tree.ts";
import { samplingCode } from "../runtime/hot.ts";
import type { MonitorEntry } from "./monitor.ts";

// The tree grouped by program, the executable's name (what ps and top show): at each sample
// the RSS of each program's live processes summed, for the timeline and each program's own
// peak; at the end, per program, how many processes ran it, the largest of them, its share
// of the tree's peak and its process-seconds. The grouping at a sample reuses one record per
// program ever seen, so steady sampling allocates nothing unless a timeline asks for the
// sample's top programs.

interface Tally {
  name: string;
  /** The sum at the sample `stamp`. */
  rss: number;
  stamp: number;
  /** The largest sum at one sample. */
  peak: number;
}

export class ProgramsMonitor {
  private readonly tallies = new Map<string, Tally>();
  private stamp = 0;
  /** The tallies of the latest sample, for its top programs. */
  private readonly current: Tally[] = [];

  /** At each sample, after the tree was read: sums each program's live processes. */
  sample(members: Iterable<Member>): void {
    const stamp = ++this.stamp;
    this.current.length = 0;
    for (const member of members) {
      if (!member.alive) continue;
      let tally = this.tallies.get(member.name);
      if (!tally) {
        tally = { name: member.name, rss: 0, stamp: 0, peak: 0 };
        this.tallies.set(member.name, tally);
      }
      if (tally.stamp !== stamp) {
        tally.stamp = stamp;
        tally.rss = 0;
        this.current.push(tally);
      }
      tally.rss += member.rss;
    }
    for (let i = 0; i < this.current.length; i++) {
      const tally = this.current[i] as Tally;
      if (tally.rss > tally.peak) tally.peak = tally.rss;
    }
  }

  /** The latest sample's programs, largest first, at most `limit`, and the RSS of the rest. */
  top(limit = TIMELINE_PROGRAMS): { programs: ProgramShare[]; otherRss: number } {
    const sorted = [...this.current].sort((a, b) => b.rss - a.rss || (a.name < b.name ? -1 : 1));
    const programs = sorted.slice(0, limit).map((tally) => ({ name: tally.name, rss: tally.rss }));
    let otherRss = 0;
    for (let i = limit; i < sorted.length; i++) otherRss += (sorted[i] as Tally).rss;
    return { programs, otherRss };
  }

  /** Every program of the run, from every process measured; largest share of the tree's peak first. */
  finish(members: readonly Member[]): ProgramUsage[] {
    const byName = new Map<string, ProgramUsage>();
    for (const member of members) {
      let usage = byName.get(member.name);
      if (!usage) {
        usage = { name: member.name, processes: 0, maxProcessPeakBytes: 0, rssAtPeakBytes: 0, peakRssBytes: 0, processSeconds: 0 };
        byName.set(member.name, usage);
      }
      usage.processes++;
      usage.maxProcessPeakBytes = Math.max(usage.maxProcessPeakBytes, member.peakRss);
      usage.rssAtPeakBytes += member.rssAtPeak ?? 0;
      usage.processSeconds += lifetimeMs(member) / 1000;
    }
    for (const usage of byName.values()) {
      // A program only the kernel's events saw never had a sampled sum: its largest process stands.
      usage.peakRssBytes = Math.max(this.tallies.get(usage.name)?.peak ?? 0, usage.maxProcessPeakBytes);
      usage.processSeconds = Math.round(usage.processSeconds * 1000) / 1000;
    }
    return [...byName.values()].sort(
      (a, b) => b.rssAtPeakBytes - a.rssAtPeakBytes || b.maxProcessPeakBytes - a.maxProcessPeakBytes || b.processes - a.processes || (a.name < b.name ? -1 : 1),
    );
  }
}

/**
 * How long a process lived: from fork to exit where the kernel said, else from its first
 * to its last sample alive (never more than it lived, at most an interval less at each end).
 */
export function lifetimeMs(member: Member): number {
  const start = member.forkedMs ?? member.firstSeenMs;
  const end = member.exitedMs ?? member.lastSeenMs;
  return Math.max(0, end - start);
}

samplingCode(ProgramsMonitor.prototype.sample);

/** Programs are the tree's: with --no-children there is one process and no grouping. */
export const programsMonitor: MonitorEntry = {
  key: "programs",
  enabled: (plan) => plan.children,
  create(context) {
    const programs = new ProgramsMonitor();
    const { tree } = context.sampler;
    return {
      name: "grouping the tree by program",
      sample: () => programs.sample(tree.latest),
      record(sample) {
        const top = programs.top();
        sample.programs = top.programs;
        sample.otherRss = top.otherRss;
      },
      finish: () => ({
        programs: {
          list: programs.finish(tree.members),
          counts: context.events ? "events" : "sampled",
          ...(context.events && { eventOnly: tree.eventOnly }),
          ...(tree.eventsLost && { eventsLost: true }),
        },
      }),
    };
  },
};
