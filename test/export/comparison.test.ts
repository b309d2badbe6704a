// --compare-baseline in every format: human lines, a JSON object, CSV columns after the
// original seven, nothing in --quiet (a regression shows only in the exit status).
import { describe, expect, test } from "bun:test";
import { baselineFigures, compareRuns } from "../../src/baseline/compare.ts";
import { COMPARISON_HEADER, HEADER, MEMORY_HEADER, render as csv } from "../../src/export/csv.ts";
import { render as human } from "../../src/export/human.ts";
import { render as json } from "../../src/export/json.ts";
import { PLAIN } from "../../src/export/palette.ts";
import { render as quiet } from "../../src/export/quiet.ts";
import { exitCodeFor } from "../../src/core/exit-code.ts";
import type { Report } from "../../src/model/report.ts";
import { makeReport } from "./fixture.ts";

const MiB = 2 ** 20;
const saved = { command: "x", peakRssBytes: 100 * MiB, peakVszBytes: 800 * MiB, durationMs: 1000, timestamp: "2025-05-20T08:00:00Z", version: "0.1.0" };

function compared(peakRssMiB: number, thresholdPercent = 10, baseline = saved): Report {
  const report = makeReport({ peaks: { rss: { bytes: peakRssMiB * MiB }, vsz: { bytes: 880 * MiB } }, durationMs: 1500 });
  return { ...report, comparison: compareRuns("main", baseline, baselineFigures(report), thresholdPercent) };
}

describe("human", () => {
  const lines = (report: Report) => human(report, { palette: PLAIN, verbose: false }).trimEnd().split("\n");

  test("baseline → current for the three metrics, then the verdict", () => {
    expect(lines(compared(120)).slice(4)).toEqual([
      'Baseline "main": peak RSS 100.0 MiB → 120.0 MiB (+20.0%)',
      'Baseline "main": peak VSZ 800.0 MiB → 880.0 MiB (+10.0%)',
      'Baseline "main": duration 1.00s → 1.50s (+50.0%)',
      "REGRESSION: peak RSS grew 20.0%, over the 10% allowed",
    ]);
  });

  test("no regression, and the original four lines stay first", () => {
    const text = lines(compared(95, 2.5));
    expect(text[0]).toBe("Command: cargo build --release");
    expect(text.slice(4)).toEqual([
      'Baseline "main": peak RSS 100.0 MiB → 95.0 MiB (-5.0%)',
      'Baseline "main": peak VSZ 800.0 MiB → 880.0 MiB (+10.0%)',
      'Baseline "main": duration 1.00s → 1.50s (+50.0%)',
      "No regression (threshold 2.5%)",
    ]);
  });

  test("growth from a zero baseline", () => {
    const text = lines(compared(1, 10, { ...saved, peakRssBytes: 0 }));
    expect(text).toContain('Baseline "main": peak RSS 0 B → 1.0 MiB (new (was 0))');
    expect(text.at(-1)).toBe("REGRESSION: peak RSS grew from 0 B to 1.0 MiB, over the 10% allowed");
  });

  test("without a comparison, nothing about baselines", () => {
    expect(human(makeReport(), { palette: PLAIN, verbose: false })).not.toContain("aseline");
  });
});

describe("json", () => {
  test("a comparison object", () => {
    const object = JSON.parse(json(compared(120)));
    expect(object.comparison).toEqual({
      baseline: "main",
      baseline_timestamp: "2025-05-20T08:00:00Z",
      peak_rss_bytes: { baseline: 100 * MiB, current: 120 * MiB, change_percent: 20 },
      peak_vsz_bytes: { baseline: 800 * MiB, current: 880 * MiB, change_percent: 10 },
      duration_ms: { baseline: 1000, current: 1500, change_percent: 50 },
      threshold_percent: 10,
      regression: true,
    });
    // The original report fields are untouched.
    expect(object.peak_rss_bytes).toBe(120 * MiB);
  });

  test("change_percent rounded to 0.01, null from a zero baseline", () => {
    const object = JSON.parse(json(compared(100.012345)));
    expect(object.comparison.peak_rss_bytes.change_percent).toBe(0.01);
    expect(object.comparison.regression).toBe(false);
    const fromZero = JSON.parse(json(compared(1, 10, { ...saved, peakRssBytes: 0 })));
    expect(fromZero.comparison.peak_rss_bytes.change_percent).toBeNull();
  });

  test("no comparison key without one", () => expect(JSON.parse(json(makeReport()))).not.toHaveProperty("comparison"));
});

describe("csv", () => {
  test("four columns after the original seven, which stay first and unchanged; the memory columns last", () => {
    const [header, row] = csv(compared(120)).trimEnd().split("\n");
    expect(header).toBe(`${HEADER},${COMPARISON_HEADER},${MEMORY_HEADER}`);
    expect(header).toBe(
      "command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp,baseline,baseline_peak_rss_bytes,rss_change_percent,regression," +
        "memory_limit_bytes,memory_limit_source,peak_rss_percent_of_limit,oom_kills,oom_killed,peak_swap_bytes",
    );
    const cells = row!.split(",");
    expect(cells).toHaveLength(17);
    expect(cells.slice(0, 11).join(",")).toBe(`cargo build --release,${120 * MiB},${880 * MiB},1500,0,false,2025-05-24T10:30:45Z,main,${100 * MiB},20,true`);
  });

  test("an empty change from a zero baseline; no comparison columns without a comparison", () => {
    const row = csv(compared(1, 10, { ...saved, peakRssBytes: 0 })).trimEnd().split("\n")[1];
    expect(row?.split(",").slice(7, 11)).toEqual(["main", "0", "", "true"]);
    expect(csv(makeReport()).split("\n")[0]).toBe(`${HEADER},${MEMORY_HEADER}`);
  });
});

describe("quiet and the exit status", () => {
  test("digits only, whatever the comparison says", () => {
    expect(quiet(compared(120))).toBe(`${120 * MiB}\n`);
  });

  test("a regression is exit 1 on success, the command's own code on failure", () => {
    expect(exitCodeFor(0, false, true)).toBe(1);
    expect(exitCodeFor(0, false, false)).toBe(0);
    expect(exitCodeFor(3, false, true)).toBe(3);
    expect(exitCodeFor(137, true, true)).toBe(137);
    expect(exitCodeFor(0, true)).toBe(1);
  });
});
