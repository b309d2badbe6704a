// The statistics of a series, kept apart from their display (hyperfine's benchmark/): pure
// arithmetic over one metric's values, one per run.

export interface Statistics {
  count: number;
  min: number;
  /** The middle value; with an even count the mean of the two middle ones. */
  median: number;
  mean: number;
  max: number;
  /** Sample standard deviation (n − 1): null with a single value, which has no spread to tell. */
  stddev: number | null;
}

/** Undefined for no values: nothing to summarise. */
export function statistics(values: readonly number[]): Statistics | undefined {
  const count = values.length;
  if (count === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = count >> 1;
  const median = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / count;
  const squares = sorted.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { count, min: sorted[0]!, median, mean, max: sorted[count - 1]!, stddev: count > 1 ? Math.sqrt(squares / (count - 1)) : null };
}

/** A ratio of two medians, with its uncertainty where both spreads are known. */
export interface Ratio {
  value: number;
  /**
   * value × √((σa/μa)² + (σb/μb)²): the relative spreads added in quadrature, as hyperfine
   * propagates them; null when either side has a single run (or a mean of 0).
   */
  uncertainty: number | null;
}

/** `of` relative to `to` (the first command): undefined when `to`'s median is 0. */
export function ratio(of: Statistics, to: Statistics): Ratio | undefined {
  if (to.median === 0) return undefined;
  const value = of.median / to.median;
  const relative = (s: Statistics) => (s.stddev === null || s.mean === 0 ? null : s.stddev / s.mean);
  const a = relative(of);
  const b = relative(to);
  return { value, uncertainty: a === null || b === null ? null : value * Math.sqrt(a * a + b * b) };
}
