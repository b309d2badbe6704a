import type { TimelineSample } from "../model/chart-data.ts";

// The tree's RSS split into bands by program, for the stacked charts: the few programs
// that held the most at any one sample each get a band, everything else one "other" band.
// Pure: the same data always stacks the same way.

/** How many programs a chart gives a band of their own: few enough for distinct colours and a one-line legend. */
export const CHART_PROGRAMS = 6;

export interface ProgramStack {
  /** The programs with a band, bottom band first: the largest RSS over the run first. */
  names: string[];
  /** Each program's largest RSS at any one sample, in the order of `names`. */
  maxRss: number[];
  /** values[band][sample]: that program's RSS at that sample, 0 when it was not among the sample's programs. */
  values: number[][];
  /**
   * Per sample, what no band names: the programs beyond `names`, the sample's otherRss,
   * and the whole RSS of a sample that carries no programs at all.
   */
  other: number[];
  /** Whether `other` is ever above 0 (if not, the chart leaves its band and legend out). */
  hasOther: boolean;
}

/**
 * The stack for these samples, or undefined when no sample names a program (a timeline
 * from --no-children or from before programs were recorded): the chart is then drawn as
 * an RSS line alone, as it always was.
 */
export function stackPrograms(samples: readonly TimelineSample[], limit = CHART_PROGRAMS): ProgramStack | undefined {
  // The largest RSS each program had at one sample, and where it was first seen (for ties).
  const largest = new Map<string, { max: number; first: number }>();
  samples.forEach((sample, index) => {
    for (const share of sample.programs ?? []) {
      const entry = largest.get(share.name);
      if (!entry) largest.set(share.name, { max: bytes(share.rss), first: index });
      else entry.max = Math.max(entry.max, bytes(share.rss));
    }
  });
  if (largest.size === 0) return undefined;
  const chosen = [...largest.entries()]
    .sort(([, a], [, b]) => b.max - a.max || a.first - b.first)
    .slice(0, Math.max(0, limit));
  const names = chosen.map(([name]) => name);
  const band = new Map(names.map((name, index) => [name, index]));
  const values = names.map(() => new Array<number>(samples.length).fill(0));
  const other = samples.map((sample, index) => {
    // A sample without programs (mixed in, or the tree not read then): all of it is unattributed.
    if (!sample.programs) return bytes(sample.rss);
    let rest = bytes(sample.otherRss);
    for (const share of sample.programs) {
      const at = band.get(share.name);
      // A name listed twice in one sample (it should not be) adds up rather than being lost.
      if (at === undefined) rest += bytes(share.rss);
      else {
        const row = values[at] as number[];
        row[index] = (row[index] ?? 0) + bytes(share.rss);
      }
    }
    return rest;
  });
  return { names, maxRss: chosen.map(([, entry]) => entry.max), values, other, hasOther: other.some((value) => value > 0) };
}

/** Bytes as a chart can stack them: a finite number, never below 0. */
function bytes(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}
