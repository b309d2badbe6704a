import { describe, expect, test } from "bun:test";
import type { TimelineSample } from "../../src/model/chart-data.ts";
import { CHART_PROGRAMS, stackPrograms } from "../../src/timeline/stack.ts";
import { makeProgramSamples, makeSamples } from "../fixtures/chart-data.ts";

const sample = (tMs: number, programs: Array<[string, number]> | undefined, otherRss?: number): TimelineSample => {
  const rss = (programs ?? []).reduce((sum, [, bytes]) => sum + bytes, otherRss ?? 0);
  return {
    tMs,
    rss,
    vsz: 2 * rss,
    processCount: programs?.length ?? 0,
    ...(programs && { programs: programs.map(([name, rss]) => ({ name, rss })) }),
    ...(otherRss !== undefined && { otherRss }),
  };
};

/** Every band's value at sample i, "other" included. */
const bandSum = (stack: NonNullable<ReturnType<typeof stackPrograms>>, i: number) =>
  stack.values.reduce((sum, values) => sum + (values[i] as number), stack.other[i] as number);

describe("stackPrograms", () => {
  test("chooses the programs with the largest RSS at any one sample, largest first, at most CHART_PROGRAMS", () => {
    const stack = stackPrograms(makeProgramSamples(120))!;
    expect(CHART_PROGRAMS).toBe(6);
    expect(stack.names).toEqual(["ld", "cc1", "cc1plus", "python3", "as", "make"]);
    expect(stack.maxRss[0]).toBe(260 * 1024 * 1024);
    expect(stack.maxRss).toEqual([...stack.maxRss].sort((a, b) => b - a));
    expect(stack.values).toHaveLength(6);
    // sh, cat, sed, grep and awk have no band of their own: they are "other".
    expect(stack.hasOther).toBe(true);
  });

  test("when the programs cover the tree, the bands add up to the total RSS at every sample", () => {
    const samples = makeProgramSamples(240);
    // The fixture names eight a sample and sums the rest, so a sample does have otherRss.
    expect(samples.some((s) => (s.otherRss ?? 0) > 0)).toBe(true);
    const stack = stackPrograms(samples)!;
    samples.forEach((s, i) => expect(bandSum(stack, i)).toBe(s.rss));
  });

  test("by the largest at one sample, not by the sum over the run: a short spike outranks a long trickle", () => {
    const samples = [sample(0, [["long", 10], ["spike", 1]]), sample(1, [["long", 10], ["spike", 50]]), sample(2, [["long", 10]])];
    expect(stackPrograms(samples)!.names).toEqual(["spike", "long"]);
  });

  test("ties go to the program seen first; the limit is the caller's", () => {
    const samples = [sample(0, [["b", 5], ["a", 5]]), sample(1, [["c", 5]])];
    expect(stackPrograms(samples)!.names).toEqual(["b", "a", "c"]);
    expect(stackPrograms(samples, 2)!.names).toEqual(["b", "a"]);
    expect(stackPrograms(samples, 2)!.other).toEqual([0, 5]);
  });

  test("a program beyond the chosen and the sample's otherRss both go to other; a chosen one absent at a sample is 0 there", () => {
    const samples = [sample(0, [["x", 100], ["y", 1]], 7), sample(1, [["y", 90]], 0)];
    const stack = stackPrograms(samples, 1)!;
    expect(stack.names).toEqual(["x"]);
    expect(stack.values).toEqual([[100, 0]]);
    expect(stack.other).toEqual([8, 90]);
  });

  test('a program called "other" has its own band, apart from the other band', () => {
    const stack = stackPrograms([sample(0, [["other", 30], ["cc1", 20]], 5)])!;
    expect(stack.names).toEqual(["other", "cc1"]);
    expect(stack.values).toEqual([[30], [20]]);
    expect(stack.other).toEqual([5]);
  });

  test("other is left out when nothing is in it", () => {
    const stack = stackPrograms([sample(0, [["a", 1]], 0), sample(1, [["b", 2]])])!;
    expect(stack.hasOther).toBe(false);
    expect(stack.other).toEqual([0, 0]);
  });

  test("a sample without programs among grouped ones counts all its RSS as other", () => {
    const bare = { tMs: 1, rss: 42, vsz: 0, processCount: 1 };
    const stack = stackPrograms([sample(0, [["a", 10]]), bare])!;
    expect(stack.values).toEqual([[10, 0]]);
    expect(stack.other).toEqual([0, 42]);
    expect(bandSum(stack, 1)).toBe(42);
  });

  test("no program named anywhere: no stack, so the chart is drawn as before", () => {
    expect(stackPrograms(makeSamples(50))).toBeUndefined();
    expect(stackPrograms([])).toBeUndefined();
    expect(stackPrograms([sample(0, [], 10), sample(1, [], 3)])).toBeUndefined();
  });

  test("sizes that cannot be drawn (negative, NaN, Infinity) count as 0", () => {
    const stack = stackPrograms([sample(0, [["a", Number.NaN], ["b", -5], ["c", Number.POSITIVE_INFINITY], ["d", 3]], Number.NaN)])!;
    expect(stack.values.flat().concat(stack.other).every(Number.isFinite)).toBe(true);
    expect(stack.names[0]).toBe("d");
    expect(bandSum(stack, 0)).toBe(3);
  });
});
