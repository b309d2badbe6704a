import type { ProcessReader } from "../platform/types.ts";
import { PeakTracker } from "./peaks.ts";
import { ProcessTree, type TreeOptions, type TreeReading } from "./tree.ts";

// One sample: find new processes of the tree, read every member, fold the results into
// the peaks. The timing loop lives in src/run.ts; this part is synchronous and pure I/O.

export interface Sample extends TreeReading {
  /** Milliseconds since the command started. */
  tMs: number;
}

export class Sampler {
  readonly tree: ProcessTree;
  readonly peaks = new PeakTracker();
  count = 0;

  /** Create before the command starts (see ProcessTree), then attach() it. */
  constructor(reader: ProcessReader, options: TreeOptions) {
    this.tree = new ProcessTree(reader, options);
  }

  attach(rootPid: number): void {
    this.tree.addRoot(rootPid);
  }

  sample(tMs: number): Sample {
    const reading = this.tree.sample();
    this.count++;
    this.peaks.offer("rss", reading.rss, "sampled-sum");
    this.peaks.offer("vsz", reading.vsz, "sampled-sum");
    this.peaks.offer("rss", reading.processPeakRss, "process-hwm");
    this.peaks.offer("vsz", reading.processPeakVsz, "process-hwm");
    return { tMs, ...reading };
  }
}
