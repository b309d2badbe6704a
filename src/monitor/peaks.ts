import type { Peak, PeakSource } from "../model/report.ts";

// The peak of a run is the largest of several kernel numbers (the tree's RSS summed at one
// sample, each process's own high-water mark, the child's ru_maxrss, a cgroup's peak); each
// peak keeps the name of the source that set it, for verbose and JSON output.

export class PeakTracker {
  rss: Peak = { bytes: 0, source: "sampled-sum" };
  vsz: Peak = { bytes: 0, source: "sampled-sum" };

  /** Raises a peak if `bytes` is strictly larger; on a tie the earlier source stays. */
  offer(kind: "rss" | "vsz", bytes: number, source: PeakSource): void {
    if (bytes > this[kind].bytes) this[kind] = { bytes, source };
  }
}
