// The pace of a reading that costs more than a sample of RSS (PSS's page walks, a GPU
// driver's process lists): each reading is timed, and the next one waits long enough that
// the readings stay within a share of one core, from one reading to the next and over the
// run so far, never sooner than the sampling interval. RSS sampling keeps its own pace
// between them. What it costs is kept for the report.

export class BudgetCadence {
  private nextAt = 0;
  /** Readings taken, and their total and longest cost, ms. */
  readings = 0;
  readMs = 0;
  maxReadMs = 0;
  private firstAt = 0;
  private lastAt = 0;

  constructor(
    private readonly intervalMs: number,
    /** The share of one core the readings may take, percent. */
    readonly budgetPercent: number,
  ) {}

  /** Whether a reading is due at `tMs`: between readings a sample costs this comparison alone. */
  due(tMs: number): boolean {
    return tMs >= this.nextAt;
  }

  /** A reading was taken at `tMs` and cost `costMs`: when the next one may be. */
  took(tMs: number, costMs: number): void {
    if (this.readings === 0) this.firstAt = tMs;
    this.lastAt = tMs;
    this.readings++;
    this.readMs += costMs;
    if (costMs > this.maxReadMs) this.maxReadMs = costMs;
    // Each reading paid for by the wait before the next, and the total with the next one
    // (taken to cost as much as this one) never ahead of the budget: without the second rule
    // the first reading, made at the start with no wait before it, stays one reading over
    // the budget to the end of the run.
    const budget = this.budgetPercent / 100;
    this.nextAt = Math.max(tMs + this.intervalMs, tMs + costMs / budget, (this.readMs + costMs) / budget);
  }

  /** The mean time between readings, ms (0 with fewer than two). */
  get effectiveIntervalMs(): number {
    return this.readings > 1 ? (this.lastAt - this.firstAt) / (this.readings - 1) : 0;
  }

  get meanReadMs(): number {
    return this.readings > 0 ? this.readMs / this.readings : 0;
  }

  /** What the report says of the readings' pace and cost (PSS's and the GPUs' alike). */
  facts(): { readings: number; effectiveIntervalMs: number; meanReadMs: number; maxReadMs: number; budgetPercent: number } {
    return { readings: this.readings, effectiveIntervalMs: this.effectiveIntervalMs, meanReadMs: this.meanReadMs, maxReadMs: this.maxReadMs, budgetPercent: this.budgetPercent };
  }
}
