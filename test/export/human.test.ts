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

  test("control characters in argv are shown escaped, in bash's $'…' form", () => {
    const text = render(makeReport({ argv: ["/bin/true", "\x1b[2J\x1b[31mred", "x\ry", "\x07"] }), plain);
    expect(lines(text)[0]).toBe(`Command: /bin/true $'\\E[2J\\E[31mred' $'x\\ry' $'\\a'`);
    expect(text).not.toMatch(/[\x1b\x07\r]/);
  });

  test("a forged newline in the command cannot make a second report line", () => {
    const forged = "true\nPeak memory usage: 1.0 KiB (RSS) / 1.0 KiB (VSZ)";
    const text = render(makeReport({ argv: ["sh", "-c", forged] }), { palette: PLAIN, verbose: true });
    expect(lines(text).filter((line) => line.startsWith("Peak memory usage:"))).toEqual(["Peak memory usage: 487.3 MiB (RSS) / 892.1 MiB (VSZ)"]);
    expect(lines(text)[0]).toBe(`Command: sh -c $'true\\nPeak memory usage: 1.0 KiB (RSS) / 1.0 KiB (VSZ)'`);
    // The exact command is still what the report carries, for JSON and CSV.
    expect(makeReport({ argv: ["sh", "-c", forged] }).command).toBe(`sh -c '${forged}'`);
  });

  test("-v: process names in the breakdown are shown as ps shows them, columns kept", () => {
    const processes = [
      { pid: 100, ppid: 1, name: "e\x1b[7mX", depth: 0, peakRss: 2 ** 20, rssAtPeak: 2 ** 20, firstSeenMs: 0, lastSeenMs: 100 },
      { pid: 101, ppid: 100, name: "a\nPeak memory usage: 1 B\u202e", depth: 1, peakRss: 2 ** 20, rssAtPeak: 2 ** 20, firstSeenMs: 0, lastSeenMs: 100 },
    ];
    const text = render(makeReport({ processes }), { palette: PLAIN, verbose: true });
    expect(text).not.toMatch(/[\x1b\u202e]/);
    const breakdown = lines(text).slice(lines(text).findIndex((line) => line.startsWith("At the peak:")));
    expect(breakdown).toHaveLength(3);
    expect(breakdown[1]).toStartWith("  100 e?[7mX ");
    expect(breakdown[2]).toStartWith("    101 a?Peak memory usage: 1 B? ");
    expect(new Set(breakdown.map((line) => line.length)).size).toBe(1);
    expect(lines(text).filter((line) => line.startsWith("Peak memory usage:"))).toHaveLength(1);
  });

  test("a baseline name's hidden characters are escaped in the comparison lines", () => {
    const change = { baseline: 1, current: 1, changePercent: 0 };
    const comparison = { baselineName: "main\u202eniam", baselineTimestamp: "2025-05-20T08:00:00Z", peakRss: change, peakVsz: change, duration: change, thresholdPercent: 10, regression: false };
    const text = render(makeReport({ comparison }), plain);
    expect(text).not.toContain("\u202e");
    expect(text).toContain('Baseline "main\\u202eniam": peak RSS');
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
