import type { ProportionalSource } from "../platform/types.ts";
import type { PssFacts } from "../model/report.ts";
import type { Member } from "./tree.ts";
import type { MonitorEntry } from "./monitor.ts";

// --pss: the tree's proportional and private memory. Reading it is expensive (Linux walks
// every page table of the process for smaps_rollup: 1.4 ms for a 300 MiB Python process,
// against 3 µs for status, measured in C), so it runs on its own cadence: each reading of the
// whole tree is timed, and the next one waits long enough that the readings stay within a
// share of one core (PSS_BUDGET_PERCENT), from one reading to the next and over the run so
// far, never sooner than the sampling interval. RSS sampling keeps its own pace between them.

/** The share of one core the PSS readings may take, percent. */
export const PSS_BUDGET_PERCENT = 5;

export class PssMonitor {
  private nextAt = 0;
  private readings = 0;
  private readMs = 0;
  private maxReadMs = 0;
  private firstAt = 0;
  private lastAt = 0;
  private peakPss = 0;
  private peakUss = 0;
  private peakSwapPss = 0;
  private hasUss = false;
  private hasSwap = false;
  /** Members whose PSS was refused: counted by their RSS. */
  private readonly unreadable = new Set<Member>();

  constructor(
    private readonly source: ProportionalSource,
    private readonly intervalMs: number,
    private readonly clock: () => number,
    private readonly budgetPercent = PSS_BUDGET_PERCENT,
  ) {}

  /**
   * After each RSS sample: reads the tree's PSS if its turn has come. `tree.latest` is only
   * looked at then, so a sample between readings costs a comparison and nothing else.
   * Returns the tree's RSS as that reading found it, else 0: reading a large process takes
   * milliseconds, and a tree growing meanwhile must not show a PSS above its RSS peak.
   */
  sample(tMs: number, tree: { readonly latest: Iterable<Member> }): number {
    if (tMs < this.nextAt) return 0;
    const members = tree.latest;
    const started = this.clock();
    let pss = 0;
    let uss = 0;
    let swapPss = 0;
    let rss = 0;
    let read = 0;
    for (const member of members) {
      if (!member.alive) continue;
      const reading = this.source.read(member.pid);
      if (reading === undefined) continue; // gone since its RSS was read
      read++;
      if (reading === null) {
        // Not ours to read: its RSS stands in (an upper bound of its PSS), and is said to.
        this.unreadable.add(member);
        pss += member.rss;
        uss += member.rss;
        rss += member.rss;
        continue;
      }
      pss += reading.pss;
      rss += reading.rss ?? member.rss;
      if (reading.uss !== undefined) this.hasUss = true;
      uss += reading.uss ?? reading.pss;
      if (reading.swapPss !== undefined) this.hasSwap = true;
      swapPss += reading.swapPss ?? 0;
    }
    const cost = this.clock() - started;
    if (read === 0) return 0; // nothing alive to read: try again at the next sample
    if (this.readings === 0) this.firstAt = tMs;
    this.lastAt = tMs;
    this.readings++;
    this.readMs += cost;
    if (cost > this.maxReadMs) this.maxReadMs = cost;
    // USS and swap PSS of the peak's own reading: how much of that peak was private.
    if (pss > this.peakPss) {
      this.peakPss = pss;
      this.peakUss = uss;
      this.peakSwapPss = swapPss;
    }
    // Each reading paid for by the wait before the next, and the total never ahead of the
    // budget: without the second rule the first reading, made at the start with no wait
    // before it, stays one reading over the budget to the end of the run.
    const budget = this.budgetPercent / 100;
    this.nextAt = Math.max(tMs + this.intervalMs, tMs + cost / budget, (this.readMs + cost) / budget);
    return rss;
  }

  finish(): PssFacts {
    return {
      peakPssBytes: this.peakPss,
      ...(this.hasUss && { ussAtPeakBytes: this.peakUss }),
      ...(this.hasSwap && { swapPssAtPeakBytes: this.peakSwapPss }),
      source: this.source.source,
      readings: this.readings,
      effectiveIntervalMs: this.readings > 1 ? (this.lastAt - this.firstAt) / (this.readings - 1) : 0,
      meanReadMs: this.readings > 0 ? this.readMs / this.readings : 0,
      maxReadMs: this.maxReadMs,
      budgetPercent: this.budgetPercent,
      unreadable: this.unreadable.size,
    };
  }
}

/** --pss, where the system keeps proportional memory per process (else the run is refused, saying why). */
export const pssMonitor: MonitorEntry = {
  key: "pss",
  option: "--pss",
  enabled(plan, reader) {
    if (!plan.pss) return false;
    if (!reader.proportional) return "it keeps no proportional memory per process";
    return reader.proportional.unavailable?.() ?? true;
  },
  create(context) {
    const { sampler } = context;
    const pss = new PssMonitor(context.reader.proportional as ProportionalSource, context.plan.intervalMs, context.clock);
    return {
      name: "reading the PSS",
      sample(tMs) {
        // The RSS the reading found counts as a sample of the tree: a tree that grew during
        // the page walks must not show a PSS above its RSS peak.
        const rss = pss.sample(tMs, sampler.tree);
        if (rss) sampler.peaks.offer("rss", rss, "sampled-sum");
      },
      finish: () => ({ pss: pss.finish() }),
    };
  },
};
