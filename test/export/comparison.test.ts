// --compare-baseline in every format: human lines, a JSON object, CSV columns (the comparison
// view's, in the one header every CSV has), nothing in --quiet (a regression shows only in the
// exit status).
import { describe, expect, test } from "bun:test";
import { baselineFigures, compareRuns } from "../../src/baseline/compare.ts";
import type { Baseline } from "../../src/baseline/store.ts";
import { CSV_HEADER, HEADER, render as csv } from "../../src/export/csv.ts";
import { render as human } from "../../src/export/human.ts";
import { render as json } from "../../src/export/json.ts";
import { PLAIN } from "../../src/export/palette.ts";
import { render as quiet } from "../../src/export/quiet.ts";
import { exitCodeFor } from "../../src/core/exit-code.ts";
import type { Report } from "../../src/model/report.ts";
import { makeReport } from "./fixture.ts";

const MiB = 2 ** 20;
const saved: Baseline = { command: "x", peakRssBytes: 100 * MiB, peakVszBytes: 800 * MiB, durationMs: 1000, timestamp: "2025-05-20T08:00:00Z", version: "0.1.0" };

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
      "No regression: peak RSS -5.0%, within the 2.5% allowed",
    ]);
  });

  test("growth within the allowance is no regression, and says by how much", () => {
    expect(lines(compared(105)).at(-1)).toBe("No regression: peak RSS +5.0%, within the 10% allowed");
  });

  test("-v adds when the baseline was saved, before its figures", () => {
    const text = human(compared(120), { palette: PLAIN, verbose: true }).split("\n");
    const saved = text.indexOf('Baseline "main": saved 2025-05-20T08:00:00Z');
    expect(saved).toBeGreaterThan(3);
    expect(text[saved + 1]).toBe('Baseline "main": peak RSS 100.0 MiB → 120.0 MiB (+20.0%)');
    expect(lines(compared(120)).join("\n")).not.toContain("saved");
  });

  test("against a baseline saved from a series: its runs' spread, and growth within it is no regression", () => {
    const runs = [90, 100, 130].map((mib) => ({ peakRssBytes: mib * MiB, peakVszBytes: 800 * MiB, durationMs: 1000 }));
    const within = compared(120, 10, { ...saved, runs });
    expect(lines(within).slice(-2)).toEqual([
      "Baseline \"main\": its 3 runs' peak RSS 90.0 MiB to 130.0 MiB: this run is within them",
      "No regression: peak RSS grew 20.0%, over the 10% allowed but within the baseline's run-to-run spread",
    ]);
    const above = compared(140, 10, { ...saved, runs });
    expect(lines(above).slice(-2)).toEqual([
      "Baseline \"main\": its 3 runs' peak RSS 90.0 MiB to 130.0 MiB: this run is above them",
      "REGRESSION: peak RSS grew 40.0%, over the 10% allowed and above every run of the baseline",
    ]);
    // Within the allowance, the spread does not matter: the plain verdict.
    expect(lines(compared(105, 10, { ...saved, runs })).at(-1)).toBe("No regression: peak RSS +5.0%, within the 10% allowed");
  });

  test("growth from a zero baseline", () => {
    const text = lines(compared(1, 10, { ...saved, peakRssBytes: 0 }));
    expect(text).toContain('Baseline "main": peak RSS 0 B → 1.00 MiB (new (was 0))');
    expect(text.at(-1)).toBe("REGRESSION: peak RSS grew from 0 B to 1.00 MiB, over the 10% allowed");
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
  test("four columns last, after the original seven, which stay first and unchanged", () => {
    const [header, row] = csv(compared(120)).trimEnd().split("\n");
    expect(header).toBe(CSV_HEADER);
    expect(header).toStartWith(`${HEADER},`);
    expect(header).toEndWith(",baseline,baseline_peak_rss_bytes,rss_change_percent,regression");
    const cells = row!.split(",");
    expect(cells).toHaveLength(header!.split(",").length);
    expect(cells.slice(0, 7).join(",")).toBe(`cargo build --release,${120 * MiB},${880 * MiB},1500,0,false,2025-05-24T10:30:45Z`);
    expect(cells.slice(-4).join(",")).toBe(`main,${100 * MiB},20,true`);
  });

  test("an empty change from a zero baseline; without a comparison, the same header and its cells empty", () => {
    const row = csv(compared(1, 10, { ...saved, peakRssBytes: 0 })).trimEnd().split("\n")[1];
    expect(row?.split(",").slice(-4)).toEqual(["main", "0", "", "true"]);
    const [header, plain] = csv(makeReport()).trimEnd().split("\n");
    expect(header).toBe(CSV_HEADER);
    expect(plain?.split(",").slice(-4)).toEqual(["", "", "", ""]);
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
