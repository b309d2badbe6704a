// The most that spans of time held at one moment: each span is a process (or one stretch of
// its life) with what it can have held while it lived. Summed over the spans alive together,
// the largest such sum bounds the tree's RSS from above, as the sampled sums bound it from
// below; with one byte a span, it counts the processes alive at once.

export interface Span {
  startMs: number;
  endMs: number;
  bytes: number;
}

/**
 * The largest sum of `bytes` over the spans alive at one moment. A span is alive from its
 * start to its end, both included, except that one that ends at the very moment another
 * starts does not meet it (the times come from the kernel, to the microsecond).
 */
export function largestOverlap(spans: readonly Span[]): number {
  const points: [number, number][] = [];
  for (const span of spans) {
    if (span.bytes <= 0) continue;
    // A span of no length (started and ended within the kernel's clock's tick) still lived.
    points.push([span.startMs, span.bytes], [Math.max(span.startMs + 1e-6, span.endMs), -span.bytes]);
  }
  // At one time, ends before starts.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let sum = 0;
  let largest = 0;
  for (const [, delta] of points) {
    sum += delta;
    if (sum > largest) largest = sum;
  }
  return largest;
}
