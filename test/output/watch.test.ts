import { describe, expect, test } from "bun:test";
import type { Sample } from "../../src/monitor/sampler.ts";
import type { Sink } from "../../src/io/sink.ts";
import { RecentValues, SPARK_LEVELS, sparkline } from "../../src/io/sparkline.ts";
import { CLEAR_LINE, SPARK_MAX, SPARK_MIN, WatchLine, formatElapsed } from "../../src/output/watch.ts";
import type { Unit } from "../../src/core/size/units.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const SPARK = new RegExp(`[${SPARK_LEVELS}]+`, "u");
const SPARK_ALL = new RegExp(`[${SPARK_LEVELS}]+`, "gu");

function fakeSink(isTerminal: boolean): Sink & { writes: string[] } {
  const writes: string[] = [];
  return { isTerminal, writes, write: (text) => void writes.push(text), close: () => {} };
}

function sample(tMs: number, rss: number, vsz = 2 * GiB, count = 3): Sample {
  return { tMs, rss, vsz, swap: 0, count, processPeakRss: rss, processPeakVsz: vsz };
}

/** Feeds samples every `stepMs` for `durationMs`, RSS from `rssAt`, peaks tracked as run.ts does. */
function feed(watch: WatchLine, durationMs: number, stepMs: number, rssAt: (t: number) => number = () => 40 * MiB) {
  let peakRss = 0;
  let peakVsz = 0;
  for (let t = 0; t < durationMs; t += stepMs) {
    const s = sample(t, rssAt(t), 2 * GiB + t * 1000);
    peakRss = Math.max(peakRss, s.rss);
    peakVsz = Math.max(peakVsz, s.vsz);
    watch.update(s, peakRss, peakVsz);
  }
}

/** The lines a terminal showed: every redraw, without its leading clear. */
function drawnLines(writes: string[]): string[] {
  return writes.filter((w) => w !== CLEAR_LINE).map((w) => {
    expect(w.startsWith(CLEAR_LINE)).toBe(true);
    return w.slice(CLEAR_LINE.length);
  });
}

/** Columns: every character used here takes one, the sparkline's blocks included. */
const columnsOf = (line: string) => [...line].length;

describe("on a terminal", () => {
  test("redraws at most 4 times in any second, samples at 10 ms steps", () => {
    const sink = fakeSink(true);
    const watch = new WatchLine(sink, undefined, 80);
    const times: number[] = [];
    let peak = 0;
    for (let t = 0; t < 10_000; t += 10) {
      const before = sink.writes.length;
      peak = Math.max(peak, 40 * MiB + t);
      watch.update(sample(t, 40 * MiB + t), peak, 2 * GiB);
      if (sink.writes.length > before) times.push(t);
    }
    expect(times[0]).toBe(0); // the first sample is shown at once
    expect(times.length).toBeGreaterThanOrEqual(30);
    for (let i = 4; i < times.length; i++) expect(times[i]! - times[i - 4]!).toBeGreaterThanOrEqual(1000);
  });

  test("at a long interval every sample is drawn", () => {
    const sink = fakeSink(true);
    feed(new WatchLine(sink, undefined, 80), 5000, 1000);
    expect(sink.writes).toHaveLength(5);
  });

  test("each redraw returns to the start of the line and erases it, never a newline", () => {
    const sink = fakeSink(true);
    const watch = new WatchLine(sink, undefined, 80);
    feed(watch, 3000, 100);
    watch.finish();
    for (const write of sink.writes) {
      expect(write.startsWith("\r\x1b[2K")).toBe(true);
      expect(write).not.toContain("\n");
    }
  });

  test("shows elapsed time, current and peak RSS and VSZ, process count and a sparkline", () => {
    const sink = fakeSink(true);
    const watch = new WatchLine(sink, undefined, 200);
    watch.update(sample(12_345, 45 * MiB, 1.25 * GiB, 3), 50 * MiB, 1.5 * GiB);
    const [line] = drawnLines(sink.writes);
    expect(line).toContain("12.3s");
    expect(line).toContain("RSS 45.0 MiB peak 50.0 MiB");
    expect(line).toContain("VSZ 1.25 GiB peak 1.50 GiB");
    expect(line).toContain("3 procs");
    expect(line).toMatch(SPARK);
    expect(line).toStartWith("peak-mem");
  });

  test("one process is 1 proc", () => {
    const sink = fakeSink(true);
    new WatchLine(sink, undefined, 200).update(sample(0, MiB, GiB, 1), MiB, GiB);
    expect(sink.writes[0]).toMatch(/ 1 proc(?!s)/);
  });

  test("--units forces the unit", () => {
    const sink = fakeSink(true);
    new WatchLine(sink, "KB" satisfies Unit, 200).update(sample(0, 2_000_000, 3_000_000), 2_500_000, 3_000_000);
    expect(sink.writes[0]).toContain("RSS 2000.0 KB peak 2500.0 KB");
    expect(sink.writes[0]).toContain("VSZ 3000.0 KB peak 3000.0 KB");
  });

  for (const columns of [40, 80, 200]) {
    test(`never wider than ${columns - 1} columns`, () => {
      const sink = fakeSink(true);
      const watch = new WatchLine(sink, undefined, columns);
      // Sizes of every width, counts up to thousands, times past an hour.
      const sizes = [0, 1000, 999 * 1024, 1023.9 * MiB, 999.9 * GiB, 5 * 2 ** 40];
      let t = 0;
      for (const rss of sizes) {
        for (const vsz of sizes) {
          for (const count of [1, 12, 4321]) {
            watch.update(sample(t, rss, vsz, count), rss * 1.5, vsz * 2);
            t += 3_700_000 / 100;
          }
        }
      }
      const lines = drawnLines(sink.writes);
      expect(lines.length).toBeGreaterThan(50);
      for (const line of lines) {
        expect(columnsOf(line)).toBeLessThanOrEqual(columns - 1);
        expect(line).toContain("RSS"); // the essential part stays
        expect(line).not.toMatch(/\s$/);
      }
    });
  }

  test("--units B with huge values: still within the width", () => {
    const sink = fakeSink(true);
    const watch = new WatchLine(sink, "B", 40);
    watch.update(sample(0, 123_456_789_012, 987_654_321_098, 4321), 223_456_789_012, 987_654_321_098);
    const [line] = drawnLines(sink.writes);
    expect(columnsOf(line!)).toBeLessThanOrEqual(39);
  });

  test("at 80 columns typical values keep every fact and a sparkline", () => {
    const sink = fakeSink(true);
    feed(new WatchLine(sink, undefined, 80), 3000, 100, (t) => 20 * MiB + t * 1000);
    const lines = drawnLines(sink.writes);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^\d+\.\ds {2}RSS \S+ MiB peak \S+ MiB {2}[▁▂▃▄▅▆▇█ ]+ {2}VSZ \S+ GiB peak \S+ GiB {2}3 procs$/u);
    expect(last.match(SPARK)![0].length).toBeGreaterThanOrEqual(SPARK_MIN);
  });

  test("narrow: VSZ and the sparkline go before anything is cut mid-word", () => {
    const sink = fakeSink(true);
    feed(new WatchLine(sink, undefined, 40), 2000, 100, () => 45 * MiB);
    const line = drawnLines(sink.writes).at(-1)!;
    expect(line).not.toContain("VSZ");
    expect(line).toMatch(/^\d+\.\ds {2}RSS 45\.0 MiB peak 45\.0 MiB$/);
  });

  test("0 or missing columns count as 80; a function is read at every redraw", () => {
    for (const columns of [0, undefined, Number.NaN]) {
      const sink = fakeSink(true);
      feed(new WatchLine(sink, undefined, columns), 5000, 100, (t) => 20 * MiB + t * 1000);
      const lines = drawnLines(sink.writes);
      expect(Math.max(...lines.map(columnsOf))).toBe(79);
    }
    let width = 200;
    const sink = fakeSink(true);
    const watch = new WatchLine(sink, undefined, () => width);
    watch.update(sample(0, MiB), MiB, GiB);
    width = 40;
    watch.update(sample(1000, MiB), MiB, GiB);
    const [wide, narrow] = drawnLines(sink.writes);
    expect(columnsOf(wide!)).toBeGreaterThan(80);
    expect(columnsOf(narrow!)).toBeLessThanOrEqual(39);
  });

  test("the sparkline keeps a spike that fell between two redraws", () => {
    const sink = fakeSink(true);
    const watch = new WatchLine(sink, undefined, 120);
    // 10 MiB throughout, except one 10 ms sample of 80 MiB that is never itself drawn.
    for (let t = 0; t < 3000; t += 10) {
      const rss = t === 1010 ? 80 * MiB : 10 * MiB;
      watch.update(sample(t, rss), 80 * MiB, GiB);
    }
    const lines = drawnLines(sink.writes);
    expect(lines.some((line) => line.includes("RSS 80.0 MiB"))).toBe(false);
    const spark = lines.at(-1)!.match(SPARK)![0];
    expect([...spark].filter((c) => c === "█")).toHaveLength(1);
    expect([...spark].filter((c) => c === "▁")).toHaveLength(spark.length - 1); // 10 MiB is an eighth of 80
  });

  test("the sparkline follows the RSS: rising, scaled to the largest value shown", () => {
    const sink = fakeSink(true);
    feed(new WatchLine(sink, undefined, 200), 8 * 250, 250, (t) => (t / 250 + 1) * 10 * MiB);
    const spark = drawnLines(sink.writes).at(-1)!.match(SPARK)![0];
    expect(spark).toBe(SPARK_LEVELS);
  });

  test("the sparkline shows at most its last SPARK_MAX points", () => {
    const sink = fakeSink(true);
    feed(new WatchLine(sink, undefined, 300), 100 * 250, 250, (t) => MiB * (1 + (t % 2000)));
    const spark = drawnLines(sink.writes).at(-1)!.match(SPARK)![0];
    expect([...spark]).toHaveLength(SPARK_MAX);
  });

  test("finish() erases the line when one was drawn, and only then", () => {
    const drawn = fakeSink(true);
    const watch = new WatchLine(drawn, undefined, 80);
    feed(watch, 1000, 100);
    watch.finish();
    expect(drawn.writes.at(-1)).toBe(CLEAR_LINE);
    const count = drawn.writes.length;
    watch.finish();
    expect(drawn.writes).toHaveLength(count); // not twice

    const idle = fakeSink(true);
    new WatchLine(idle, undefined, 80).finish();
    expect(idle.writes).toEqual([]);
  });

  test("a sample with nothing alive (the last look after the exit) is not shown", () => {
    const sink = fakeSink(true);
    const watch = new WatchLine(sink, undefined, 80);
    watch.update(sample(0, 40 * MiB), 40 * MiB, GiB);
    watch.update(sample(2000, 0, 0, 0), 40 * MiB, GiB);
    expect(sink.writes).toHaveLength(1);
    const plain = fakeSink(false);
    new WatchLine(plain).update(sample(0, 0, 0, 0), 0, 0);
    expect(plain.writes).toEqual([]);
  });

  test("a terminal that went away stops the live view, not the run", () => {
    let calls = 0;
    const sink: Sink = {
      isTerminal: true,
      write: () => {
        calls++;
        throw Object.assign(new Error("EIO"), { code: "EIO" });
      },
      close: () => {},
    };
    const watch = new WatchLine(sink, undefined, 80);
    expect(() => feed(watch, 2000, 100)).not.toThrow();
    expect(() => watch.finish()).not.toThrow();
    expect(calls).toBe(1);
  });
});

describe("off a terminal", () => {
  test("a plain line about once a second, samples at 10 ms steps", () => {
    const sink = fakeSink(false);
    const watch = new WatchLine(sink, undefined, 80);
    const times: number[] = [];
    for (let t = 0; t < 10_000; t += 10) {
      const before = sink.writes.length;
      watch.update(sample(t, 40 * MiB), 40 * MiB, 2 * GiB);
      if (sink.writes.length > before) times.push(t);
    }
    expect(times).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
  });

  test("keeps its pace when samples come late: no drift, no bursts", () => {
    const sink = fakeSink(false);
    const watch = new WatchLine(sink, undefined, 80);
    const times: number[] = [];
    // A 100 ms interval whose samples each come 7 ms later than the last.
    for (let i = 0, t = 0; t < 20_000; i++, t = i * 107) {
      const before = sink.writes.length;
      watch.update(sample(t, 40 * MiB), 40 * MiB, 2 * GiB);
      if (sink.writes.length > before) times.push(t);
    }
    expect(times).toHaveLength(20);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(800);
  });

  test("complete lines, no escapes, no carriage returns, no sparkline; the same facts", () => {
    const sink = fakeSink(false);
    const watch = new WatchLine(sink, undefined, 40);
    feed(watch, 5000, 50, (t) => 20 * MiB + t * 10_000);
    watch.finish();
    expect(sink.writes).toHaveLength(5);
    for (const write of sink.writes) {
      expect(write.endsWith("\n")).toBe(true);
      expect(write.indexOf("\n")).toBe(write.length - 1);
      expect(write).not.toContain("\x1b");
      expect(write).not.toContain("\r");
      expect(write).not.toMatch(SPARK_ALL);
      expect(write).toMatch(/^peak-mem: \d+\.\ds {2}RSS \S+ MiB peak \S+ MiB {2}VSZ \S+ GiB peak \S+ GiB {2}3 procs\n$/);
    }
    expect(sink.writes[4]).toContain("4.0s  RSS 58.1 MiB peak 58.1 MiB");
  });

  test("finish() writes nothing", () => {
    const sink = fakeSink(false);
    const watch = new WatchLine(sink, undefined, 80);
    feed(watch, 1500, 100);
    const count = sink.writes.length;
    watch.finish();
    expect(sink.writes).toHaveLength(count);
  });
});

describe("sparkline", () => {
  test("scales from zero to the largest value: the levels in order", () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([10, 20, 30, 40, 50, 60, 70, 80].map((v) => v * MiB))).toBe(SPARK_LEVELS);
  });

  test("a flat line stays flat and full; half is half; zero is the lowest block", () => {
    expect(sparkline([5, 5, 5])).toBe("███");
    expect(sparkline([50, 100])).toBe("▄█");
    expect(sparkline([0, 100])).toBe("▁█");
    expect(sparkline([0, 0])).toBe("▁▁");
    expect(sparkline([])).toBe("");
  });

  test("an explicit scale", () => {
    expect(sparkline([50, 100], 200)).toBe("▂▄");
    expect(sparkline([300], 200)).toBe("█");
  });

  test("one character a value", () => {
    const values = Array.from({ length: 25 }, (_, i) => i * 1e6);
    expect([...sparkline(values)]).toHaveLength(25);
    expect(sparkline(values).length).toBe(25); // one UTF-16 unit each too: width = length
  });
});

describe("RecentValues", () => {
  test("keeps the latest values in order, up to its capacity", () => {
    const ring = new RecentValues(3);
    expect(ring.latest()).toEqual([]);
    ring.push(1);
    ring.push(2);
    expect(ring.latest()).toEqual([1, 2]);
    for (const v of [3, 4, 5]) ring.push(v);
    expect(ring.latest()).toEqual([3, 4, 5]);
    expect(ring.latest(2)).toEqual([4, 5]);
    expect(ring.latest(10)).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
  });
});

test("elapsed time", () => {
  expect(formatElapsed(0)).toBe("0.0s");
  expect(formatElapsed(12_345)).toBe("12.3s");
  expect(formatElapsed(59_999)).toBe("59.9s");
  expect(formatElapsed(60_000)).toBe("1m00s");
  expect(formatElapsed(3_599_999)).toBe("59m59s");
  expect(formatElapsed(3_723_000)).toBe("1h02m03s");
});
