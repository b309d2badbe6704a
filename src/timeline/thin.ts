import type { TimelineSample } from "../model/chart-data.ts";

// Keeps a chart's samples within a fixed budget however long the run: when full, every
// two neighbouring buckets are merged, keeping the sample with the larger RSS (so the peak
// is never thinned away) and the later time. Memory stays constant; a run of hours still
// draws as well as one of seconds.

export class ThinnedSamples {
  private samples: TimelineSample[] = [];
  /** How many raw samples each kept one stands for now. */
  private stride = 1;
  private pending: TimelineSample | undefined;
  private pendingCount = 0;
  /** Every sample added, thinned or not. */
  count = 0;

  constructor(private readonly budget = 4000) {}

  add(sample: TimelineSample): void {
    this.count++;
    if (!this.pending || sample.rss > this.pending.rss) this.pending = sample;
    if (++this.pendingCount < this.stride) return;
    this.push(this.pending);
    this.pending = undefined;
    this.pendingCount = 0;
  }

  /** The kept samples, the partial bucket included, in time order. */
  all(): TimelineSample[] {
    return this.pending ? [...this.samples, this.pending] : [...this.samples];
  }

  private push(sample: TimelineSample): void {
    this.samples.push(sample);
    if (this.samples.length < this.budget) return;
    const merged: TimelineSample[] = [];
    for (let i = 0; i < this.samples.length; i += 2) {
      const a = this.samples[i] as TimelineSample;
      const b = this.samples[i + 1];
      merged.push(b && b.rss > a.rss ? b : a);
    }
    this.samples = merged;
    this.stride *= 2;
  }
}
