import type { ProportionalSource } from "../platform/types.ts";
import type { PssFacts } from "../model/report.ts";
import type { Member } from "./tree.ts";
import type { MonitorEntry } from "./monitor.ts";
import { BudgetCadence } from "./cadence.ts";

// --pss: the tree's proportional and private memory. Reading it is expensive (Linux walks
// every page table of the process for smaps_rollup: 1.4 ms for a 300 MiB Python process,
// against 3 µs for status, measured in C), so it runs on its own cadence within a share of
// one core (PSS_BUDGET_PERCENT; src/monitor/cadence.ts).

/** The share of one core the PSS readings may take, percent. */
export const PSS_BUDGET_PERCENT = 5;

export class PssMonitor {
  private readonly cadence: BudgetCadence;
  private peakPss = 0;
  private peakUss = 0;
  private peakSwapPss = 0;
  private hasUss = false;
  private hasSwap = false;
  /** Members whose PSS was refused: counted by their RSS. */
  private readonly unreadable = new Set<Member>();

  constructor(
    private readonly source: ProportionalSource,
    intervalMs: number,
    private readonly clock: () => number,
    budgetPercent = PSS_BUDGET_PERCENT,
  ) {
    this.cadence = new BudgetCadence(intervalMs, budgetPercent);
  }

  /**
   * After each RSS sample: reads the tree's PSS if its turn has come. `tree.latest` is only
   * looked at then, so a sample between readings costs a comparison and nothing else.
   * Returns the tree's RSS as that reading found it, else 0: reading a large process takes
   * milliseconds, and a tree growing meanwhile must not show a PSS above its RSS peak.
   */
  sample(tMs: number, tree: { readonly latest: Iterable<Member> }): number {
    if (!this.cadence.due(tMs)) return 0;
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
    this.cadence.took(tMs, cost);
    // USS and swap PSS of the peak's own reading: how much of that peak was private.
    if (pss > this.peakPss) {
      this.peakPss = pss;
      this.peakUss = uss;
      this.peakSwapPss = swapPss;
    }
    return rss;
  }

  finish(): PssFacts {
    return {
      peakPssBytes: this.peakPss,
      ...(this.hasUss && { ussAtPeakBytes: this.peakUss }),
      ...(this.hasSwap && { swapPssAtPeakBytes: this.peakSwapPss }),
      source: this.source.source,
      ...this.cadence.facts(),
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
