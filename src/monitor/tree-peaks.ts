import type { MonitorEntry, RunContext } from "./monitor.ts";
import { NO_COMMAND_PEAK, rssUpperBound } from "./rss-bound.ts";
import type { RssBound } from "../model/report.ts";

// The tree's peaks: RSS and VSZ as the largest of what the samples summed, what each process's
// high-water mark kept, and, at the end, the command's ru_maxrss (the largest of the command
// and the descendants it waited for: with --no-children the command's own figure, as GNU time
// gives it, and that of the one process the report lists); the tree's swap at its largest; and
// with --cgroup or --limit, the exact peak the kernel kept for peak-mem's cgroup (page cache
// and kernel memory included). The sampler folds the samples in as it reads them
// (src/monitor/sampler.ts); this gives the report its figures, once ru_maxrss is in, and how
// far the RSS peak can be trusted (src/monitor/rss-bound.ts).

/** The tree's: ru_maxrss is a peak among others; the bound from each process's peak and life. */
function treeBound(context: RunContext, maxRss: number | undefined, physical: number): RssBound {
  const { peaks, tree } = context.sampler;
  if (maxRss !== undefined && maxRss <= physical) peaks.offer("rss", maxRss, "rusage");
  const upper = rssUpperBound({ members: tree.members, eventsComplete: context.events && !tree.eventsLost, ...(maxRss !== undefined && { commandPeak: maxRss }) });
  return "why" in upper ? { exact: false, noUpper: upper.why } : { exact: upper.upperBytes <= peaks.rss.bytes, upperBytes: Math.max(upper.upperBytes, peaks.rss.bytes) };
}

/**
 * --no-children: the command alone. Its own peak is what its reads and its exit statistics
 * (root) say; its ru_maxrss counts the children it waited for too, so it is the command's
 * only where the kernel said it forked none, and otherwise the most the command can have held.
 * A command too short to be read at all, with no events, gets ru_maxrss, said to be at most.
 */
function commandBound(context: RunContext, maxRss: number | undefined, physical: number): RssBound {
  const { peaks, tree } = context.sampler;
  const command = tree.members[0];
  const rusage = maxRss !== undefined && maxRss <= physical ? maxRss : undefined;
  const own = command?.peakRss ?? 0;
  if (command?.exitStatsSeen) return { exact: true };
  if (rusage === undefined) return { exact: false, noUpper: NO_COMMAND_PEAK };
  // The command's own figure where it started no child (or its reads already reach it).
  const exact = (context.events && !tree.eventsLost && !command?.forkedChild) || rusage <= own;
  // Never read: ru_maxrss is all there is, the figure and its bound at once.
  if (exact || own === 0) {
    peaks.offer("rss", rusage, "rusage");
    if (command) command.peakRss = Math.max(command.peakRss, rusage);
  }
  return exact ? { exact: true } : { exact: false, upperBytes: rusage };
}

export const treePeaksMonitor: MonitorEntry = {
  key: "peaks",
  enabled: () => true,
  create: (context) => ({
    name: "finding the tree's peaks",
    finish(end) {
      const { peaks } = context.sampler;
      // With no floor when the spawn helper started the command, else only above peak-mem's own
      // peak (src/platform/spawn.ts runtimeChild). Above the machine's memory it is not a peak
      // but a fault: never shown.
      const maxRss = end.command.maxRss;
      const physical = context.physicalBytes ?? process.getBuiltinModule("node:os").totalmem();
      const tree = context.sampler.tree;
      const bound = context.plan.children ? treeBound(context, maxRss, physical) : commandBound(context, maxRss, physical);
      // The breakdown: one process alone was at its peak when the tree was; else the largest sample.
      const only = tree.members.length === 1 ? tree.members[0] : undefined;
      if (only) only.rssAtPeak = peaks.rss.bytes;
      const sampled = context.sampler.largestSampleBytes;
      const breakdown = only
        ? { bytes: peaks.rss.bytes, ...(sampled === peaks.rss.bytes && { atMs: Math.round(context.sampler.largestSampleMs) }), isPeak: true }
        : sampled > 0
          ? { bytes: sampled, atMs: Math.round(context.sampler.largestSampleMs), isPeak: sampled >= peaks.rss.bytes }
          : undefined;
      const swap = context.sampler.peakSwap;
      const cgroup = context.cgroup?.peak();
      return {
        peaks: {
          rss: { ...peaks.rss, bound },
          vsz: { ...peaks.vsz },
          // Where readings carry no swap, the tree's swap is unknown, not zero.
          ...(breakdown && { breakdown }),
          ...((swap > 0 || context.reader.readsSwap) && { swapBytes: swap }),
          ...(cgroup !== undefined && { cgroup: { bytes: cgroup, source: context.cgroup?.source ?? "" } }),
        },
      };
    },
  }),
};
