// When to sample. Every --interval ms, on a grid fixed at the start so the cost of
// sampling does not make it drift; only those samples are recorded (timeline, watch,
// the samples count). But a command that lives a few milliseconds would be read once,
// half-loaded: its own figures, and its tree's peak where the runtime's spawn had to stand
// in for the spawn helper (ru_maxrss then says nothing below peak-mem's own size, which exec
// keeps in it), would have no other source. So for the first BURST_MS, while the command lives, it
// is read every BURST_GAP_MS (napping between reads); then the gaps double from 1 ms until they
// reach the interval. The burst covers the commands that live a few milliseconds (`true` is
// gone in about one): at 50 ms it cost every longer run 12 ms of CPU and 2.5 MiB of peak-mem's
// own memory more in its first seconds (the JIT compiling the sampling code those 200 reads made
// hot), measured; runs of 15 to 40 s then spend up to 60 ms less, the code being optimised
// sooner, and longer ones the same. While the tree churns, samples come at
// least every CHURN_GAP_MS: the grid's are recorded, the others only look for the peak.

export const BURST_MS = 10;
export const BURST_GAP_MS = 0.25;
/**
 * While the tree churns (src/monitor/sampler.ts), the longest gap between samples, below a
 * longer --interval: the samples between the grid's are not recorded, they only look for the
 * peak. Measured against a 1 ms ground truth (npm run bench:accuracy): at 20 ms the sum of
 * two short concurrent processes is found within 2%, at 33 ms it was 15% low.
 */
export const CHURN_GAP_MS = 20;

export class Schedule {
  private nextTick = 0;
  private ramp = 1;

  /** Timers wake up to about a millisecond early: such a wake-up still is the tick. */
  private readonly slack: number;

  constructor(private readonly intervalMs: number) {
    this.slack = Math.min(1, intervalMs / 4);
  }

  /** Whether a sample taken at `now` (ms since start) falls on the grid and is recorded. */
  due(now: number): boolean {
    if (now < this.nextTick * this.intervalMs - this.slack) return false;
    this.nextTick = Math.max(this.nextTick + 1, Math.floor(now / this.intervalMs) + 1);
    return true;
  }

  /** Whether `now` is within the start-up burst. */
  inBurst(now: number, commandAlive: boolean): boolean {
    return commandAlive && now < BURST_MS;
  }

  /** Milliseconds to wait before the next sample; sooner while the tree `churning`. */
  delay(now: number, commandAlive: boolean, churning = false): number {
    const tick = this.nextTick * this.intervalMs;
    const next = this.inBurst(now, commandAlive) ? now + BURST_GAP_MS : Math.min(tick, now + this.ramp, churning ? now + CHURN_GAP_MS : tick);
    if (!this.inBurst(now, commandAlive)) this.ramp *= 2;
    return Math.max(0, Math.min(next, tick) - now);
  }
}
