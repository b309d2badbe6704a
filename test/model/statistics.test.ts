import { describe, expect, test } from "bun:test";
import { ratio, statistics } from "../../src/model/statistics.ts";

describe("statistics", () => {
  test("min, median, mean, max and the sample standard deviation (n − 1)", () => {
    const s = statistics([2, 4, 4, 4, 5, 5, 7, 9])!;
    expect(s).toMatchObject({ count: 8, min: 2, median: 4.5, mean: 5, max: 9 });
    // Squares sum to 32: population σ would be 2, the sample's √(32/7).
    expect(s.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  test("an odd count has a middle value; order does not matter", () => {
    expect(statistics([9, 1, 5])).toEqual({ count: 3, min: 1, median: 5, mean: 5, max: 9, stddev: 4 });
  });

  test("one value has no spread; none has no statistics", () => {
    expect(statistics([42])).toEqual({ count: 1, min: 42, median: 42, mean: 42, max: 42, stddev: null });
    expect(statistics([])).toBeUndefined();
  });

  test("the input is left as it was", () => {
    const values = [3, 1, 2];
    statistics(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("ratio", () => {
  test("medians divided; relative spreads added in quadrature", () => {
    const a = statistics([90, 100, 110])!; // median 100, σ 10, mean 100
    const b = statistics([45, 50, 55])!; // median 50, σ 5, mean 50
    const r = ratio(a, b)!;
    expect(r.value).toBe(2);
    expect(r.uncertainty).toBeCloseTo(2 * Math.sqrt(0.01 + 0.01), 12);
  });

  test("no uncertainty with a single run on either side; none at all over a zero median", () => {
    expect(ratio(statistics([100])!, statistics([40, 50, 60])!)).toEqual({ value: 2, uncertainty: null });
    expect(ratio(statistics([1])!, statistics([0])!)).toBeUndefined();
  });
});
