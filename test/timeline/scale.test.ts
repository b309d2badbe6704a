import { describe, expect, test } from "bun:test";
import { alignedSizeTicks, coord, linearScale, sizeTicks, timeTicks } from "../../src/timeline/scale.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const labels = (ticks: { label: string }[]) => ticks.map((t) => t.label);

describe("sizeTicks", () => {
  test("round steps in IEC units, up to at least the maximum", () => {
    expect(labels(sizeTicks(270 * MiB).ticks)).toEqual(["0", "100 MiB", "200 MiB", "300 MiB"]);
    expect(sizeTicks(270 * MiB).max).toBe(300 * MiB);
    expect(labels(sizeTicks(20 * MiB).ticks)).toEqual(["0", "5 MiB", "10 MiB", "15 MiB", "20 MiB"]);
    expect(labels(sizeTicks(900 * 1024).ticks)).toEqual(["0", "200 KiB", "400 KiB", "600 KiB", "800 KiB", "1000 KiB"]);
  });

  test("binary steps past 200 of a unit, then the next unit", () => {
    expect(labels(sizeTicks(1.2 * GiB).ticks)).toEqual(["0", "256 MiB", "512 MiB", "768 MiB", "1 GiB", "1.25 GiB"]);
    expect(labels(sizeTicks(2 * GiB).ticks)).toEqual(["0", "512 MiB", "1 GiB", "1.5 GiB", "2 GiB"]);
    expect(labels(sizeTicks(4 * GiB).ticks)).toEqual(["0", "1 GiB", "2 GiB", "3 GiB", "4 GiB"]);
    expect(labels(sizeTicks(3 * 1024 * GiB).ticks)).toEqual(["0", "1 TiB", "2 TiB", "3 TiB"]);
  });

  test("a whole number of a larger unit reads in it", () => {
    expect(labels(alignedSizeTicks(7 * GiB, 4).ticks)).toEqual(["0", "2 GiB", "4 GiB", "6 GiB", "8 GiB"]);
  });

  test("nothing to show still gives an axis", () => {
    expect(sizeTicks(0).max).toBeGreaterThan(0);
    expect(sizeTicks(Number.NaN).max).toBeGreaterThan(0);
  });

  test("aligned ticks have as many intervals as asked", () => {
    const { ticks, max } = alignedSizeTicks(4.8 * GiB, 3);
    expect(ticks).toHaveLength(4);
    expect(max).toBeGreaterThanOrEqual(4.8 * GiB);
  });
});

describe("timeTicks", () => {
  test("seconds, with decimals only when the step needs them", () => {
    expect(labels(timeTicks(2400))).toEqual(["0s", "0.5s", "1.0s", "1.5s", "2.0s"]);
    expect(labels(timeTicks(14_200))).toEqual(["0s", "2s", "4s", "6s", "8s", "10s", "12s", "14s"]);
    expect(labels(timeTicks(30))).toEqual(["0s", "0.005s", "0.010s", "0.015s", "0.020s", "0.025s", "0.030s"]);
  });

  test("minutes and hours for long runs", () => {
    expect(labels(timeTicks(20 * 60_000))).toEqual(["0s", "5m", "10m", "15m", "20m"]);
    expect(labels(timeTicks(5 * 3_600_000))).toEqual(["0s", "1h", "2h", "3h", "4h", "5h"]);
  });

  test("nothing to show gives the origin", () => {
    expect(labels(timeTicks(0))).toEqual(["0s"]);
  });
});

describe("linearScale and coord", () => {
  test("never NaN", () => {
    const scale = linearScale(0, 10, 20);
    expect(scale(0)).toBe(10);
    expect(Number.isNaN(scale(Number.NaN))).toBe(false);
    expect(coord(Number.NaN)).toBe("0");
    expect(coord(12.345)).toBe("12.3");
  });
});
