import { describe, expect, test } from "bun:test";
import { compareRuns } from "../../../src/baseline/compare.ts";
import { PLAIN } from "../../../src/export/palette.ts";
import { renderSeries } from "../../../src/export/series/index.ts";
import { SERIES_HEADER } from "../../../src/export/series/csv.ts";
import { parseCsv } from "../csv-reader.ts";
import { parseMarkdownReport } from "../markdown-table.ts";
import { makeRun, makeSeries, MiB } from "./fixture.ts";

const options = { palette: PLAIN, verbose: false };
const one = () => makeSeries([[["app", "--big"], [40, 80, 60]]], { warmupRuns: 1 });
const two = () =>
  makeSeries([
    [["a"], [50, 50, 50]],
    [["b", "x|y"], [99, 100, 101]],
  ]);
const stopped = () =>
  makeSeries([[["app"], [50, 52, makeRun(3, 2, { exitCode: 3 })]]], { runsRequested: 5, stop: { reason: "failed", command: 0, run: 3, warmup: false, exitCode: 3 } });

describe("human", () => {
  test("one block: the command, the runs, the statistics, each run", () => {
    const lines = renderSeries(one(), "human", options).trimEnd().split("\n");
    expect(lines[0]).toBe("Command: app --big");
    expect(lines[1]).toBe("Runs: 3 runs after 1 warm-up run, all exited 0");
    expect(lines[2]!.split(/\s+/).filter(Boolean)).toEqual(["Min", "Median", "Mean", "Max", "Std", "dev"]);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(["Peak RSS", "40.0 MiB", "60.0 MiB", "60.0 MiB", "80.0 MiB", "20.0 MiB"]);
    expect(lines[5]).toStartWith("Duration");
    expect(lines[6]!.split(/\s{2,}/)).toEqual(["Run", "Peak RSS", "Peak VSZ", "Duration", "Exit code"]);
    expect(lines.slice(7).map((line) => line.split(/\s{2,}/)[1])).toEqual(["40.0 MiB", "80.0 MiB", "60.0 MiB"]);
  });

  test("a stopped series says why; the failed run is listed", () => {
    const text = renderSeries(stopped(), "human", options);
    expect(text).toContain("Runs: 3 of 5 runs, 1 failed\n");
    expect(text).toEndWith("STOPPED: run 3 exited with 3: the series stopped there (--ignore-failure goes on)\n");
  });

  test("several commands: a block each, then medians and ratios to the first", () => {
    const text = renderSeries(two(), "human", options);
    expect(text).toContain("Command 1: a\n");
    expect(text).toContain("Command 2: b 'x|y'\n");
    const table = text.slice(text.indexOf("Compared")).trimEnd().split("\n");
    expect(table[1]!.split(/\s{2,}/)).toEqual(["#", "Peak RSS (median)", "Ratio", "Duration (median)", "Ratio", "Command"]);
    expect(table[2]!.split(/\s{2,}/)).toEqual(["1", "50.0 MiB ± 0 B", "1.00", "0.20s", "1.00", "a"]);
    expect(table[3]!.split(/\s{2,}/).slice(0, 3)).toEqual(["2", "100.0 MiB ± 1.0 MiB", "2.00 ± 0.02"]);
  });

  test("against a series baseline: the median's change, the spread, the verdict", () => {
    const series = one();
    const base = { command: "app", peakRssBytes: 50 * MiB, peakVszBytes: 0, durationMs: 0, timestamp: "t", version: "v", runs: [45, 50, 55].map((mib) => ({ peakRssBytes: mib * MiB, peakVszBytes: 0, durationMs: 0 })) };
    series.comparison = compareRuns("main", base, { peakRssBytes: 60 * MiB, peakVszBytes: 1, durationMs: 1 }, 10, true);
    const text = renderSeries(series, "human", options);
    expect(text).toContain('Baseline "main": median peak RSS 50.0 MiB → 60.0 MiB (+20.0%)\n');
    expect(text).toContain(`Baseline "main": its 3 runs' peak RSS 45.0 MiB to 55.0 MiB: the median is above them\n`);
    expect(text).toEndWith("REGRESSION: median peak RSS grew 20.0%, over the 10% allowed and above every run of the baseline\n");
  });
});

describe("json", () => {
  test("a commands array, each with its runs and statistics; the series after", () => {
    const json = JSON.parse(renderSeries(two(), "json", options));
    expect(json.commands).toHaveLength(2);
    expect(json.commands[1].command).toBe("b 'x|y'");
    expect(json.commands[1].runs[0]).toEqual({ run: 1, peak_rss_bytes: 99 * MiB, peak_vsz_bytes: 198 * MiB, duration_ms: 201, exit_code: 0, threshold_exceeded: false, timestamp: "2025-05-24T10:30:45Z" });
    expect(json.commands[1].statistics.peak_rss_bytes).toEqual({ count: 3, min: 99 * MiB, median: 100 * MiB, mean: 100 * MiB, max: 101 * MiB, stddev: MiB });
    expect(json.commands[1].ratio_to_first.peak_rss).toEqual({ value: 2, uncertainty: 0.02 });
    expect(json).toMatchObject({ runs_requested: 3, warmup_runs: 0, interleaved: true, failed_runs: 0, ignore_failure: false });
    expect(json).not.toHaveProperty("stopped");
  });

  test("why it stopped, 1-based", () => {
    expect(JSON.parse(renderSeries(stopped(), "json", options)).stopped).toEqual({ reason: "failed", exit_code: 3, command: 1, run: 3, warmup: false });
  });
});

describe("csv", () => {
  test("one row per run, the single run's seven columns first", () => {
    const [header, ...rows] = parseCsv(renderSeries(two(), "csv", options));
    expect(header!.join(",")).toBe(SERIES_HEADER);
    expect(rows).toHaveLength(6);
    expect(rows[3]).toEqual(["b 'x|y'", String(99 * MiB), String(198 * MiB), "201", "0", "false", "2025-05-24T10:30:45Z", "1", "2", "false", ""]);
  });
});

describe("markdown", () => {
  test("the comparison, then each command's statistics and runs, as tables that parse", () => {
    const { heading, tables } = parseMarkdownReport(renderSeries(two(), "markdown", options));
    expect(heading).toBe("### peak-mem: 2 commands compared, 3 runs each");
    expect(tables).toHaveLength(5);
    expect(tables[0]!.rows.map((row) => row[2])).toEqual(["1.00", "2.00 ± 0.02"]);
    expect(tables[0]!.rows[1]![5]).toBe("`b 'x|y'`");
    expect(tables[3]!.rows[1]!.slice(0, 2)).toEqual(["Peak VSZ", "198.0 MiB"]);
    expect(tables[4]!.rows).toHaveLength(3);
  });
});

describe("quiet", () => {
  test("each command's median peak RSS in bytes, a line each", () => {
    expect(renderSeries(two(), "quiet", options)).toBe(`${50 * MiB}\n${100 * MiB}\n`);
  });
});
