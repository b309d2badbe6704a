import type { ProcessReader, ReapedProcess } from "../platform/types.ts";
import { PeakTracker } from "./peaks.ts";
import { samplingCode } from "../runtime/hot.ts";
import { ProcessTree, type TreeOptions, type TreeReading } from "./tree.ts";

const SIGKILL = 9;
/** A rise of the tree's sum by more than this share of its peak, between two samples, is churn. */
export const CHURN_RISE = 0.02;
/** The most samples of a quiet tree between two looks for exited orphans. */
const REAP_QUIET_MAX = 10;

// One sample: find new processes of the tree, read every member, fold the results into
// the peaks. The timing loop lives in src/monitor/loop.ts; this part is synchronous and pure I/O.

export interface Sample extends TreeReading {
  /** Milliseconds since the command started. */
  tMs: number;
}

export class Sampler {
  readonly tree: ProcessTree;
  readonly peaks = new PeakTracker();
  /** Never reaped here: the command, and our own child that started it (the runtime reaps that one). */
  private keep: number[] | undefined;
  /** Orphans reaped (subreaper only): each gave its exact peak. */
  reaped = 0;
  /** Reaped orphans that died of SIGKILL (the OOM killer's usual victims), with when. */
  readonly killedOrphans: { pid: number; name: string; atMs: number }[] = [];
  private now = 0;
  /** The tree's swap summed at one sample, at its largest. */
  peakSwap = 0;
  /** How many processes of the tree the latest sample read alive. */
  latestCount = 0;
  /** The largest sum a sample read, and when: the moment the tree's breakdown by process shows. */
  largestSampleBytes = 0;
  largestSampleMs = 0;
  /**
   * Whether the tree is churning: several processes alive, and since the sample before, one
   * came, went or exec'd, or their sum rose by more than CHURN_RISE of the peak. The sum of
   * several processes can peak between two samples unseen (each one's own high-water mark
   * covers it alone): the next sample comes sooner (src/monitor/schedule.ts).
   */
  churning = false;
  /** Whether the tree changed at the latest sample: a process came, went or exec'd since the one before. */
  changed = false;
  private lastChanges = 0;
  private lastRss = 0;
  /** Samples of a quiet tree since the last look for exited orphans. */
  private quietSinceReap = 0;

  /** Create before the command starts (see ProcessTree), then attach() it. */
  constructor(
    private readonly reader: ProcessReader,
    private readonly options: TreeOptions,
  ) {
    // No reads of our own to warm the code of the command's first ones: that cost the path
    // from exec to spawn more (measured, `peak-mem -- true`: about 8% of its wall time) than
    // it spared the first reads, whose first-call costs now fall after the spawn. The command's
    // own peak does not depend on them where the spawn helper runs (it hands back ru_maxrss).
    this.tree = new ProcessTree(reader, options);
  }

  /**
   * `spawnerPid`: our own child that started the command, when it is not the command itself.
   * `name`: what to call the command if it is gone before it can be read.
   */
  attach(rootPid: number, spawnerPid = rootPid, name = ""): void {
    this.keep = spawnerPid === rootPid ? [rootPid] : [spawnerPid, rootPid];
    this.tree.addRoot(rootPid, spawnerPid, name);
    const root = this.tree.members[0];
    if (root) {
      this.peaks.offer("rss", root.peakRss, "process-hwm");
      this.peaks.offer("vsz", root.peakVsz, "process-hwm");
    }
  }

  sample(tMs: number): Sample {
    this.now = tMs;
    const reading = this.tree.sample(tMs);
    if (reading.rss > this.largestSampleBytes) {
      this.largestSampleBytes = reading.rss;
      this.largestSampleMs = tMs;
      this.tree.markPeak();
    }
    this.peaks.offer("rss", reading.rss, "sampled-sum");
    this.peaks.offer("vsz", reading.vsz, "sampled-sum");
    this.peaks.offer("rss", reading.processPeakRss, "process-hwm");
    this.peaks.offer("vsz", reading.processPeakVsz, "process-hwm");
    if (reading.swap > this.peakSwap) this.peakSwap = reading.swap;
    this.latestCount = reading.count;
    const changes = this.tree.changes;
    this.changed = changes !== this.lastChanges;
    this.churning = reading.count >= 2 && (this.changed || reading.rss - this.lastRss > this.peaks.rss.bytes * CHURN_RISE);
    this.lastChanges = changes;
    this.lastRss = reading.rss;
    // An orphan that exits is a change of the tree (its exit heard, or found gone), so a
    // quiet tree has nothing to reap; the look still comes every REAP_QUIET_MAX samples (an
    // orphan the tree never knew), and at every sample once the command has gone.
    if (this.changed || ++this.quietSinceReap >= REAP_QUIET_MAX || !this.tree.rootAlive) {
      this.quietSinceReap = 0;
      this.reapOrphans();
    }
    return { tMs, ...reading };
  }

  /**
   * Orphans of the tree come to a subreaper, and their zombies would stay until it exits
   * (counting against a pids limit). Each one reaped gives its own peak RSS, exact and with
   * no floor: it was forked (not vfork'd by peak-mem), so its high-water mark is its own.
   */
  private reapOrphans(): void {
    if (this.options.adopterPid === undefined || this.keep === undefined || !this.reader.reapExited) return;
    const reaped = this.reader.reapExited(this.keep);
    for (let i = 0; i < reaped.length; i++) {
      const { pid, maxRss, signal } = reaped[i] as ReapedProcess;
      this.reaped++;
      const member = this.tree.reaped(pid, maxRss);
      if (signal === SIGKILL) this.killedOrphans.push({ pid, name: member?.name ?? "", atMs: this.now });
      this.peaks.offer("rss", maxRss, "rusage");
    }
  }
}

samplingCode(Sampler.prototype.sample, Sampler.prototype["reapOrphans"]);
