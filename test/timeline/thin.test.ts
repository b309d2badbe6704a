import { describe, expect, test } from "bun:test";
import { ThinnedSamples } from "../../src/timeline/thin.ts";

const sample = (tMs: number, rss: number) => ({ tMs, rss, vsz: 2 * rss, processCount: 1 });

describe("ThinnedSamples", () => {
  test("keeps everything under the budget", () => {
    const thin = new ThinnedSamples(100);
    for (let i = 0; i < 50; i++) thin.add(sample(i, i));
    expect(thin.all().map((s) => s.tMs)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test("stays within the budget however long the run, in time order, the peak kept", () => {
    const thin = new ThinnedSamples(100);
    for (let i = 0; i < 100_000; i++) thin.add(sample(i, i === 77_777 ? 1e9 : i % 1000));
    const kept = thin.all();
    expect(kept.length).toBeLessThanOrEqual(101);
    expect(kept.length).toBeGreaterThan(40);
    expect(kept.some((s) => s.rss === 1e9 && s.tMs === 77_777)).toBe(true);
    for (let i = 1; i < kept.length; i++) expect((kept[i] as { tMs: number }).tMs).toBeGreaterThan((kept[i - 1] as { tMs: number }).tMs);
  });

  test("a kept sample keeps its own programs: merging picks whole samples, never mixes them", () => {
    const thin = new ThinnedSamples(64);
    const programsOf = (i: number) => [{ name: `p${i % 7}`, rss: i }, { name: "sh", rss: 1 }];
    for (let i = 0; i < 10_000; i++) thin.add({ ...sample(i, i % 997), programs: programsOf(i), otherRss: i % 3 });
    const kept = thin.all();
    expect(kept.length).toBeLessThanOrEqual(65);
    for (const s of kept) {
      expect(s.programs).toEqual(programsOf(s.tMs));
      expect(s.otherRss).toBe(s.tMs % 3);
    }
  });
});
