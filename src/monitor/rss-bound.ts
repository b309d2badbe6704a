import { largestOverlap, type Span } from "./overlap.ts";
import type { Member } from "./tree.ts";

// The most the tree's RSS can have reached, from what the kernel keeps rather than from the
// samples: when each process lived (its fork and exit events) and its own peak (its exit
// statistics, or a reaped process's ru_maxrss). Summed over the processes alive at one moment,
// the largest sum bounds the tree's peak from above, as the largest sampled sum bounds it from
// below; where the two meet, the peak is exact.
//
// Each process counts at its own peak for the whole of its life. Its peak is the largest of
// every memory it had: the exit statistics give the last one's, the samples the others' as far
// as they saw them. So the bound takes one thing on trust: that a process holds no more before
// an exec (a copy of its parent's memory, for a millisecond or so) than at its peak. A process
// whose own peak is not known (no exit statistics: they need privileges) counts at the largest
// peak of any one process, which the command's ru_maxrss holds (the kernel keeps in it the
// peak of every process the command waited for, however deep), with the ru_maxrss of the
// orphans peak-mem reaped.

export interface BoundInput {
  /** Every process of the tree, the command first. */
  members: readonly Member[];
  /** The kernel's process events were heard and none were lost: every process and its times are known. */
  eventsComplete: boolean;
  /** The command's ru_maxrss: the largest peak of it and of every process it waited for. */
  commandPeak?: number;
}

export type UpperBound = { upperBytes: number } | { why: string };

/** Why there is no bound without the command's ru_maxrss (the fallback spawn below its floor). */
export const NO_COMMAND_PEAK = "the command's own peak (ru_maxrss) is not known";

/**
 * When a process lived, ms since the command started: from its fork (the command: from the
 * start) to its exit, or to when it was found gone; a process still alive lives on to `aliveTo`.
 */
function lifetime(member: Member, isCommand: boolean, aliveTo?: number): { startMs: number; endMs: number } | undefined {
  const startMs = isCommand ? 0 : member.forkedMs;
  const endMs = member.exitedMs ?? member.goneMs ?? (member.alive ? aliveTo : undefined);
  return startMs === undefined || endMs === undefined ? undefined : { startMs, endMs };
}

export function rssUpperBound(input: BoundInput): UpperBound {
  const { members } = input;
  if (!input.eventsComplete) return { why: "the kernel's process events were not heard in full, so a process could have come and gone unseen" };
  if (input.commandPeak === undefined) return { why: NO_COMMAND_PEAK };
  if (members.some((member) => member.alive)) return { why: "processes of the tree were still running" };
  // The largest peak of any one memory of any process.
  let largest = input.commandPeak;
  for (const member of members) largest = Math.max(largest, member.peakRss, member.reapedPeak ?? 0);
  const spans: Span[] = [];
  for (const [index, member] of members.entries()) {
    const life = lifetime(member, index === 0);
    if (!life) return { why: "a process's start or end was not heard" };
    const own =
      member.reapedPeak !== undefined
        ? Math.max(member.reapedPeak, member.peakRss)
        : member.exitStatsSeen
          ? member.peakRss
          : index === 0
            ? Math.max(input.commandPeak, member.peakRss)
            : largest;
    spans.push({ ...life, bytes: own });
  }
  return { upperBytes: largestOverlap(spans) };
}

/** The most processes alive at one moment, from when each lived; undefined without every process's start and end. */
export function mostAlive(members: readonly Member[], eventsComplete: boolean): number | undefined {
  if (!eventsComplete) return undefined;
  const spans: Span[] = [];
  for (const [index, member] of members.entries()) {
    const life = lifetime(member, index === 0, Number.POSITIVE_INFINITY);
    if (!life) return undefined;
    spans.push({ ...life, bytes: 1 });
  }
  return largestOverlap(spans);
}
