// A sparkline: recent values as one row of eighth blocks, one character (one terminal
// column) a value, scaled from zero to the largest value shown, so the height reads as
// a share of that maximum and a flat line stays flat.

export const SPARK_LEVELS = "▁▂▃▄▅▆▇█";

/** One block a value: (0, max/8] is ▁, ... (7max/8, max] is █; zero (or no max) is ▁. */
export function sparkline(values: readonly number[], max = Math.max(0, ...values)): string {
  let line = "";
  for (const value of values) {
    const level = max > 0 ? Math.ceil((value / max) * SPARK_LEVELS.length) - 1 : 0;
    line += SPARK_LEVELS[Math.min(SPARK_LEVELS.length - 1, Math.max(0, level))];
  }
  return line;
}

/** The latest `capacity` values pushed, in a fixed-size ring: memory does not grow with the run. */
export class RecentValues {
  private readonly ring: number[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.ring.length;
  }

  push(value: number): void {
    if (this.ring.length < this.capacity) this.ring.push(value);
    else this.ring[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The latest `count` values (all of them if fewer), oldest first. */
  latest(count = this.capacity): number[] {
    const all = this.ring.length < this.capacity ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return all.slice(Math.max(0, all.length - count));
  }
}
