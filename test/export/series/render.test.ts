import { describe, expect, test } from "bun:test";
import { compareRuns } from "../../../src/baseline/compare.ts";
import { PLAIN } from "../../../src/export/palette.ts";
import { renderSeries } from "../../../src/export/series/index.ts";
import { CSV_HEADER } from "../../../src/export/csv.ts";
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
    expect(table[3]!.split(/\s{2,}/).slice(0, 3)).toEqual(["2", "100.0 MiB ± 1.00 MiB", "2.00 ± 0.02"]);
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

describe("what the runs met, from the views", () => {
  const GiB = 2 ** 30;
  const limit = { bytes: 256 * MiB, source: "cgroup memory.max" };
  const oom = { kills: 1, source: "memory.events", scope: "cgroup" as const, treeKilled: true, victim: { pid: 5301, name: "bench", role: "member" as const, certain: true } };
  const threshold = (mib: number) => ({ bytes: 200 * MiB, percent: 25, exceeded: mib > 200 });
  const met = () =>
    makeSeries(
      [
        [
          ["app"],
          [
            makeRun(1, 210, { threshold: threshold(210), memory: { limit }, peaks: { swapBytes: 0, cgroup: { bytes: 300 * MiB, source: "memory.peak" } } }),
            makeRun(2, 190, { threshold: threshold(190), memory: { limit, oom }, exitCode: 137, signal: "SIGKILL", peaks: { swapBytes: 4 * MiB } }),
            makeRun(3, 150, { threshold: threshold(150), memory: { limit }, peaks: { swapBytes: 0 }, sampling: { fault: { message: "EIO", atMs: 10 } } }),
          ],
        ],
      ],
      { ignoreFailure: true, thresholdBytes: 200 * MiB, thresholdPercent: 25 },
    );

  test("human: OOM kills in the runs' sentence, the limit, a column per figure some run has, each run's notes, the threshold", () => {
    const lines = renderSeries(met(), "human", options).trimEnd().split("\n");
    expect(lines[1]).toBe("Runs: 3 runs, 1 failed, 1 killed by the kernel's OOM killer");
    expect(lines[2]).toBe("Memory limit: 256.0 MiB (cgroup memory.max), the largest peak at 82%");
    const header = lines.find((line) => line.startsWith("Run "))!;
    // Swap shows (a run swapped); the cgroup peak is over the one run that had it.
    expect(header.split(/\s{2,}/)).toEqual(["Run", "Peak RSS", "Peak VSZ", "Duration", "Swap", "Cgroup peak", "Exit code", "Note"]);
    expect(lines.find((line) => line.startsWith("Cgroup peak (1 run)"))).toBeDefined();
    const runs = lines.slice(lines.indexOf(header) + 1, lines.indexOf(header) + 4).map((line) => line.split(/\s{2,}/));
    expect(runs[0]).toEqual(["1", "210.0 MiB", "420.0 MiB", "0.20s", "0 B", "300.0 MiB", "0", "over the threshold"]);
    expect(runs[1]).toEqual(["2", "190.0 MiB", "380.0 MiB", "0.20s", "4.00 MiB", "–", "137 (SIGKILL)", "OOM kill: 5301 bench; failed (--ignore-failure)"]);
    expect(runs[2]).toEqual(["3", "150.0 MiB", "300.0 MiB", "0.20s", "0 B", "–", "0", "measuring stopped early: peaks may be low"]);
    expect(lines.at(-1)).toBe(
      "THRESHOLD EXCEEDED: the largest peak RSS, 210.0 MiB in run 1, is over the threshold of 200.0 MiB (209715200 bytes, 25% of the memory limit); 1 of 3 runs over it",
    );
  });

  test("no swap in any run: no Swap column; physical memory as the limit: no Memory limit line", () => {
    const physical = { limit: { bytes: 16 * GiB, source: "physical memory" } };
    const series = makeSeries([[["app"], [makeRun(1, 50, { peaks: { swapBytes: 0 }, memory: physical }), makeRun(2, 60, { peaks: { swapBytes: 0 }, memory: physical })]]]);
    const text = renderSeries(series, "human", options);
    expect(text).not.toContain("Swap");
    expect(text).not.toContain("Memory limit");
    expect(text).not.toContain("OOM");
  });

  test("markdown: the same sentences and columns", () => {
    const text = renderSeries(met(), "markdown", options);
    expect(text).toContain("\nRuns: 3 runs, 1 failed, 1 killed by the kernel's OOM killer.\n");
    expect(text).toContain("\nMemory limit: 256.0 MiB (cgroup memory.max), the largest peak at 82%.\n");
    expect(text).toContain("\n❌ **Threshold exceeded**: the largest peak RSS, 210.0 MiB in run 1, is over the threshold of 200.0 MiB (209715200 bytes, 25% of the memory limit); 1 of 3 runs over it.\n");
    const { tables } = parseMarkdownReport(text);
    const runs = tables.at(-1)!;
    expect(runs.header).toEqual(["Run", "Peak RSS", "Peak VSZ", "Duration", "Swap", "Cgroup peak", "Exit code", "Note"]);
    expect(runs.rows[1]).toEqual(["2", "190.0 MiB", "380.0 MiB", "0.20s", "4.00 MiB", "–", "137 (SIGKILL)", "OOM kill: 5301 bench; failed (--ignore-failure)"]);
  });
});

describe("json", () => {
  test("a commands array, each with its runs and statistics; the series after", () => {
    const json = JSON.parse(renderSeries(two(), "json", options));
    expect(json.commands).toHaveLength(2);
    expect(json.commands[1].command).toBe("b 'x|y'");
    // Each run is the single run's JSON object (without version and platform, the series' own), after its number.
    const run = json.commands[1].runs[0];
    expect(run).toEqual({
      run: 1,
      command: "b 'x|y'",
      peak_rss_bytes: 99 * MiB,
      peak_vsz_bytes: 198 * MiB,
      duration_ms: 201,
      exit_code: 0,
      threshold_exceeded: false,
      timestamp: "2025-05-24T10:30:45Z",
      peak_rss_source: "sampled-sum",
      peak_vsz_source: "process-hwm",
      samples: 142,
      interval_ms: 100,
      processes_seen: 7,
      children_tracked: true,
    });
    expect(Object.keys(run).slice(0, 8)).toEqual(["run", "command", "peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code", "threshold_exceeded", "timestamp"]);
    expect(json.commands[1].statistics.peak_rss_bytes).toEqual({ count: 3, min: 99 * MiB, median: 100 * MiB, mean: 100 * MiB, max: 101 * MiB, stddev: MiB });
    // Keyed by figure, in figure order; a figure no run has is left out.
    expect(Object.keys(json.commands[1].statistics)).toEqual(["peak_rss_bytes", "peak_vsz_bytes", "duration_ms"]);
    expect(json.commands[1].statistics.duration_ms).toEqual({ count: 3, min: 201, median: 202, mean: 202, max: 203, stddev: 1 });
    expect(json.commands[1].ratio_to_first.peak_rss).toEqual({ value: 2, uncertainty: 0.02 });
    expect(json).toMatchObject({ runs_requested: 3, warmup_runs: 0, interleaved: true, failed_runs: 0, ignore_failure: false });
    expect(json).not.toHaveProperty("stopped");
  });

  test("why it stopped, 1-based", () => {
    expect(JSON.parse(renderSeries(stopped(), "json", options)).stopped).toEqual({ reason: "failed", exit_code: 3, command: 1, run: 3, warmup: false });
  });

  test("an interrupted run says so; a run's figures beyond the original ones are its own JSON's", () => {
    const pss = { peakPssBytes: 30 * MiB, source: "smaps_rollup", readings: 3, effectiveIntervalMs: 250, meanReadMs: 1, budgetPercent: 5, unreadable: 0 };
    const series = makeSeries([[["app"], [makeRun(1, 50, { pss }), makeRun(2, 60, { exitCode: 130, signal: "SIGINT", interrupted: true })]]]);
    const json = JSON.parse(renderSeries(series, "json", options));
    const [first, second] = json.commands[0].runs;
    expect(first.peak_pss_bytes).toBe(30 * MiB);
    expect(first).not.toHaveProperty("interrupted");
    expect(second).toMatchObject({ run: 2, exit_code: 130, signal: "SIGINT", interrupted: true });
    expect(Object.keys(second).at(-1)).toBe("interrupted");
    expect(second).not.toHaveProperty("version");
    // Statistics over the counted run alone.
    expect(json.commands[0].statistics.peak_rss_bytes.count).toBe(1);
    expect(json.commands[0].statistics.peak_pss_bytes).toEqual({ count: 1, min: 30 * MiB, median: 30 * MiB, mean: 30 * MiB, max: 30 * MiB, stddev: null });
  });
});

describe("csv", () => {
  test("one row per run: the single run's header and cells, then the run, its command and whether it was interrupted", () => {
    const [header, ...rows] = parseCsv(renderSeries(two(), "csv", options));
    expect(header!.join(",")).toBe(SERIES_HEADER);
    expect(SERIES_HEADER).toBe(`${CSV_HEADER},run,command_index,interrupted`);
    expect(rows).toHaveLength(6);
    const row = rows[3]!;
    expect(row).toHaveLength(header!.length);
    expect(row.slice(0, 7)).toEqual(["b 'x|y'", String(99 * MiB), String(198 * MiB), "201", "0", "false", "2025-05-24T10:30:45Z"]);
    expect(row.slice(-3)).toEqual(["1", "2", "false"]);
    // The view columns between: the peak's source known, every other fact unknown (empty).
    const cells = Object.fromEntries(header!.map((name, i) => [name, row[i]]));
    expect(cells.peak_rss_source).toBe("sampled-sum");
    for (const name of header!.slice(7, -3)) if (name !== "peak_rss_source") expect(`${name}=${cells[name]}`).toBe(`${name}=`);
  });

  test("the signal is the 8th column; an interrupted run says so in the last", () => {
    const series = makeSeries([[["app"], [50, makeRun(2, 60, { exitCode: 130, signal: "SIGINT", interrupted: true })]]]);
    const [header, , row] = parseCsv(renderSeries(series, "csv", options));
    expect(header![7]).toBe("signal");
    expect(row![7]).toBe("SIGINT");
    expect(row!.slice(-3)).toEqual(["2", "1", "true"]);
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
