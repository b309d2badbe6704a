import { describe, expect, test } from "bun:test";
import type { Sink } from "../../src/io/sink.ts";
import { CLEAR_LINE } from "../../src/output/watch.ts";
import { SeriesProgress } from "../../src/session/progress.ts";

const MiB = 2 ** 20;

function fakeSink(isTerminal: boolean): Sink & { writes: string[] } {
  const writes: string[] = [];
  return { isTerminal, writes, write: (text) => void writes.push(text), close: () => {} };
}

const plan = { runs: 2, warmup: 1, commands: 1 };
const attempt = (run: number, warmup = false) => ({ command: 0, run, warmup });

/** A warm-up and two runs, as the session reports them. */
function drive(progress: SeriesProgress) {
  progress.started(attempt(1, true));
  progress.ended({ attempt: attempt(1, true), peakRssBytes: 50 * MiB, durationMs: 210, exitCode: 0 });
  progress.started(attempt(1));
  progress.ended({ attempt: attempt(1), peakRssBytes: 50 * MiB, durationMs: 200, exitCode: 0, medianRssBytes: 50 * MiB });
  progress.started(attempt(2));
  progress.ended({ attempt: attempt(2), peakRssBytes: 52 * MiB, durationMs: 200, exitCode: 3, medianRssBytes: 51 * MiB });
  progress.finish();
}

describe("SeriesProgress", () => {
  test("off a terminal: one plain line per run, no escape codes", () => {
    const sink = fakeSink(false);
    drive(new SeriesProgress(sink, 3, plan, undefined));
    expect(sink.writes).toEqual([
      "peak-mem: warm-up 1/1: peak RSS 50.0 MiB, 0.21s, exit 0\n",
      "peak-mem: run 1/2: peak RSS 50.0 MiB, 0.20s, exit 0, median 50.0 MiB\n",
      "peak-mem: run 2/2: peak RSS 52.0 MiB, 0.20s, exit 3, median 51.0 MiB\n",
    ]);
  });

  test("on a terminal: a bar redrawn in place with the run and the running median, erased at the end", () => {
    const sink = fakeSink(true);
    drive(new SeriesProgress(sink, 3, plan, undefined, () => 60));
    expect(sink.writes.every((text) => text.startsWith(CLEAR_LINE) && !text.includes("\n"))).toBe(true);
    expect(sink.writes.at(-1)).toBe(CLEAR_LINE);
    const lines = sink.writes.slice(0, -1).map((text) => text.slice(CLEAR_LINE.length));
    expect(lines[0]).toMatch(/^peak-mem {2}░+ {2}warm-up 1\/1$/);
    expect(lines.at(-1)).toMatch(/^peak-mem {2}█+ {2}run 2\/2 {2}median 51\.0 MiB$/);
    // The bar fills as runs end: none, then a third, then all.
    const filled = lines.map((line) => (line.match(/█/g) ?? []).length);
    expect(filled[0]).toBe(0);
    expect(filled.at(-1)).toBe(lines.at(-1)!.match(/[█░]/g)!.length);
    expect(lines.every((line) => line.length <= 59)).toBe(true);
  });

  test("a narrow terminal: no bar, and never a line as wide as the terminal", () => {
    const sink = fakeSink(true);
    drive(new SeriesProgress(sink, 3, plan, undefined, () => 20));
    expect(sink.writes.slice(0, -1).every((text) => text.length - CLEAR_LINE.length <= 19 && !/[█░]/.test(text))).toBe(true);
  });

  test("a write that fails stops the progress, told once", () => {
    const failures: unknown[] = [];
    const sink: Sink = { isTerminal: false, write: () => { throw Object.assign(new Error("gone"), { code: "EPIPE" }); }, close: () => {} };
    drive(new SeriesProgress(sink, 3, plan, undefined, undefined, { fail: (error) => void failures.push(error) }));
    expect(failures).toHaveLength(1);
  });
});
