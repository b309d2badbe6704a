import { describe, expect, test } from "bun:test";
import { formatDuration, render } from "../../src/export/human.ts";
import { makeReport } from "./fixture.ts";
import { createColors } from "picocolors";
import { PLAIN } from "../../src/export/palette.ts";

const COLOURED = createColors(true);

const ANSI = /\x1b\[/;
const plain = { palette: PLAIN, verbose: false };
const lines = (text: string) => text.trimEnd().split("\n");

describe("human report", () => {
  test("the seed's four lines, in order", () => {
    const text = render(makeReport(), plain);
    expect(lines(text)).toEqual([
      "Command: cargo build --release",
      "Peak memory usage: 487.3 MiB (RSS) / 892.1 MiB (VSZ)",
      "Exit code: 0",
      "Duration: 14.2s",
    ]);
    expect(text.endsWith("\n")).toBe(true);
  });

  test("no escapes without colour, escapes with it", () => {
    expect(render(makeReport(), plain)).not.toMatch(ANSI);
    expect(render(makeReport({ exitCode: 3, thresholdExceeded: true, thresholdBytes: 1 }), plain)).not.toMatch(ANSI);
    const coloured = render(makeReport(), { palette: COLOURED, verbose: false });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(render(makeReport(), plain));
  });

  test("a signal is named next to the exit code", () => {
    expect(render(makeReport({ exitCode: 137, signal: "SIGKILL" }), plain)).toContain("Exit code: 137 (SIGKILL)");
  });

  test("THRESHOLD EXCEEDED only when exceeded, with the limit", () => {
    expect(render(makeReport({ thresholdBytes: 2 ** 30 }), plain)).not.toContain("THRESHOLD EXCEEDED");
    const over = render(makeReport({ thresholdBytes: 100 * 2 ** 20, thresholdExceeded: true }), plain);
    const line = lines(over).find((l) => l.includes("THRESHOLD EXCEEDED"));
    expect(line).toBeDefined();
    expect(line).toContain("100.0 MiB");
    expect(lines(over).slice(0, 4)[3]).toStartWith("Duration:");
  });

  test("verbose lines only with verbose", () => {
    const quiet = render(makeReport(), plain);
    const verbose = render(makeReport(), { palette: PLAIN, verbose: true });
    expect(lines(quiet)).toHaveLength(4);
    expect(lines(verbose).length).toBeGreaterThan(4);
    expect(lines(verbose).slice(0, 4)).toEqual(lines(quiet));
    expect(verbose).toContain("sampled-sum");
    expect(verbose).toContain("142");
    expect(quiet).not.toContain("sampled-sum");
  });

  test("verbose says when children were not tracked", () => {
    expect(render(makeReport({ childrenTracked: false }), { palette: PLAIN, verbose: true })).toContain("children not tracked");
    expect(render(makeReport(), { palette: PLAIN, verbose: true })).not.toContain("children not tracked");
  });

  test("--units is respected for both peaks and the limit", () => {
    const report = makeReport({ peakRssBytes: 2_000_000, peakVszBytes: 5_000_000, thresholdBytes: 1_000_000, thresholdExceeded: true });
    const text = render(report, { palette: PLAIN, verbose: false, units: "MB" });
    expect(text).toContain("Peak memory usage: 2.0 MB (RSS) / 5.0 MB (VSZ)");
    expect(text).toContain("1.0 MB");
    expect(text).not.toContain("MiB");
    expect(render(report, { palette: PLAIN, verbose: false, units: "B" })).toContain("2000000 B (RSS) / 5000000 B (VSZ)");
  });
});

describe("formatDuration", () => {
  const cases: [number, string][] = [
    [0, "0.00s"],
    [40, "0.04s"],
    [3210, "3.21s"],
    [14_200, "14.2s"],
    [59_900, "59.9s"],
    [125_300, "2m 5.3s"],
    [3_723_000, "1h 2m 3s"],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} ms → ${text}`, () => expect(formatDuration(ms)).toBe(text));
  }
});
