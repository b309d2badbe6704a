import { describe, expect, test } from "bun:test";
import { largestOverlap } from "../../src/monitor/overlap.ts";

describe("largestOverlap", () => {
  test("nothing: 0; one span: its bytes", () => {
    expect(largestOverlap([])).toBe(0);
    expect(largestOverlap([{ startMs: 5, endMs: 9, bytes: 7 }])).toBe(7);
  });

  test("two spans alive together add up; apart, the larger", () => {
    expect(largestOverlap([{ startMs: 0, endMs: 10, bytes: 100 }, { startMs: 5, endMs: 20, bytes: 50 }])).toBe(150);
    expect(largestOverlap([{ startMs: 0, endMs: 10, bytes: 100 }, { startMs: 11, endMs: 20, bytes: 50 }])).toBe(100);
  });

  test("one that ends as another starts does not meet it; one inside another does", () => {
    expect(largestOverlap([{ startMs: 0, endMs: 10, bytes: 100 }, { startMs: 10, endMs: 20, bytes: 50 }])).toBe(100);
    expect(largestOverlap([{ startMs: 0, endMs: 100, bytes: 10 }, { startMs: 40, endMs: 40, bytes: 5 }])).toBe(15);
  });

  test("the largest moment, not the sum of all: a parent and two children one after the other", () => {
    const spans = [
      { startMs: 0, endMs: 100, bytes: 2 },
      { startMs: 10, endMs: 40, bytes: 30 },
      { startMs: 50, endMs: 90, bytes: 40 },
      { startMs: 60, endMs: 70, bytes: 5 },
    ];
    expect(largestOverlap(spans)).toBe(47);
  });

  test("as a count of processes alive at once (one a span), in any order", () => {
    const spans = [30, 0, 20, 10].map((startMs) => ({ startMs, endMs: startMs + 25, bytes: 1 }));
    expect(largestOverlap(spans)).toBe(3);
  });
});
