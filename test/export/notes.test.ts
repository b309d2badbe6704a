// What a run could not do, worded once for the terminal and Markdown: how a stop went
// (--kill-on-threshold, the threshold view's rows, src/export/views/threshold.ts) and a
// measurement cut short by an internal error (the sampling view's Incomplete rows,
// src/export/views/sampling.ts). Each says what peak-mem could not do, rather than a number
// that looks complete.
import { describe, expect, test } from "bun:test";
import { terminalShow } from "../../src/export/human.ts";
import { markdownShow } from "../../src/export/markdown.ts";
import { samplingView } from "../../src/export/views/sampling.ts";
import { thresholdText, thresholdView } from "../../src/export/views/threshold.ts";
import type { FactRow } from "../../src/export/views/view.ts";
import type { Report, ThresholdFacts } from "../../src/model/report.ts";
import { makeReport } from "./fixture.ts";

const show = terminalShow(undefined);
const stopped = { exceeded: true, bytes: 100 * 2 ** 20 };
/** The threshold of a run stopped at 1.50s with SIGTERM alone, unless `stop` says otherwise. */
const stoppedAt = (stop: Partial<NonNullable<ThresholdFacts["stop"]>> = {}) => ({ threshold: { ...stopped, stop: { atMs: 1500, escalated: false, ...stop } } });
/** The stop's row: the one after THRESHOLD EXCEEDED (a stop is only ever of an exceeded threshold). */
const stopRow = (report: Report): FactRow | undefined => {
  const [first, ...rest] = thresholdView.rows!(report, show);
  if (rest.length > 0) expect(first?.label).toBe("THRESHOLD EXCEEDED");
  expect(rest.length).toBeLessThanOrEqual(1);
  return rest[0];
};

describe("the threshold view's rows", () => {
  test("no threshold, no rows; within it, a detail row that says so", () => {
    expect(thresholdView.rows!(makeReport(), show)).toEqual([]);
    expect(thresholdView.rows!(makeReport({ peaks: { rss: { bytes: 50 * 2 ** 20 } }, threshold: { bytes: 100 * 2 ** 20, exceeded: false } }), show)).toEqual([
      { label: "Threshold", text: "peak RSS 50.0 MiB is within the threshold of 100.0 MiB (104857600 bytes)", tone: "good", detail: true },
    ]);
  });

  test("exceeded: a loud row, with the share of the limit it was given as", () => {
    const report = makeReport({ peaks: { rss: { bytes: 150 * 2 ** 20 } }, threshold: { bytes: 100 * 2 ** 20, percent: 50, exceeded: true } });
    expect(thresholdView.rows!(report, show)).toEqual([
      { label: "THRESHOLD EXCEEDED", text: "peak RSS 150.0 MiB is over the threshold of 100.0 MiB (104857600 bytes, 50% of the memory limit)", tone: "bad", loud: true },
    ]);
    expect(thresholdText(1000, undefined, (bytes) => `${bytes} B`)).toBe("1000 B (1000 bytes)");
  });

  test("a series' run note: over the threshold, or none", () => {
    expect(thresholdView.note!(makeReport({ threshold: { bytes: 1, exceeded: true } }), show)).toBe("over the threshold");
    expect(thresholdView.note!(makeReport({ threshold: { bytes: 1, exceeded: false } }), show)).toBeUndefined();
    expect(thresholdView.note!(makeReport(), show)).toBeUndefined();
  });
});

describe("the stop's row", () => {
  test("no stop, no row", () => {
    expect(stopRow(makeReport())).toBeUndefined();
    expect(stopRow(makeReport({ threshold: { bytes: 1, exceeded: true } }))).toBeUndefined();
  });

  // Survivors without a stop cannot be: nothing is claimed either way. (The model can no
  // longer hold them, survivors being part of the stop: forced here, a stop with no time.)
  // Failing: the threshold view names no time for it, "began at NaNh NaNm NaNs" (the removed
  // stopSentence gave nothing without stop.atMs). Flip to test() when the view guards it.
  test("a stop that ended every process: STOPPED, with the time and the signals used; red, not loud", () => {
    expect(stopRow(makeReport(stoppedAt({ escalated: false })))).toEqual({
      label: "STOPPED",
      text: "the process tree was stopped at 1.50s (SIGTERM)",
      tone: "bad",
    });
    expect(stopRow(makeReport(stoppedAt({ escalated: true })))).toEqual({
      label: "STOPPED",
      text: "the process tree was stopped at 1.50s (SIGTERM, then SIGKILL)",
      tone: "bad",
    });
    expect(stopRow(makeReport(stoppedAt({ survivors: [] })))?.label).toBe("STOPPED");
  });

  test("survivors: NOT STOPPED, loud, each named with its pid and why", () => {
    const row = stopRow(
      makeReport(
        stoppedAt({
          atMs: 2000,
          escalated: true,
          survivors: [
            { pid: 4242, name: "sudo", reason: "permission denied" },
            { pid: 4243, name: "stuck" },
          ],
        }),
      ),
    );
    expect(row).toEqual({
      label: "NOT STOPPED",
      text:
        "stopping the process tree began at 2.00s (SIGTERM, then SIGKILL), but 2 processes could not be stopped " +
        "and still ran when peak-mem gave up: 4242 sudo (permission denied), 4243 stuck",
      tone: "bad",
      loud: true,
    });
  });

  test("one survivor is one process", () => {
    const row = stopRow(makeReport(stoppedAt({ survivors: [{ pid: 9, name: "d", reason: "EINVAL" }] })));
    expect(row?.label).toBe("NOT STOPPED");
    expect(row?.text).toContain("(SIGTERM), but 1 process could not be stopped");
    expect(row?.text).toEndWith(": 9 d (EINVAL)");
  });

  test("a survivor's name on a terminal is shown as ps shows it: hidden characters become ?", () => {
    const row = stopRow(makeReport(stoppedAt({ survivors: [{ pid: 5, name: "ev\x1b[2Jil\nname\u202e" }] })));
    expect(row?.text).toEndWith(": 5 ev?[2Jil?name?");
    expect(row?.text).not.toMatch(/[\x1b\n\u202e]/);
  });

  test("in Markdown, each hidden character as a visible escape", () => {
    const rows = thresholdView.rows!(makeReport(stoppedAt({ survivors: [{ pid: 5, name: "ev\x1b[2Jil\nname\u202e" }] })), markdownShow(undefined));
    expect(rows[1]?.text).toEndWith(": 5 ev\\x1b[2Jil\\nname\\u202e");
    expect(rows[1]?.text).not.toMatch(/[\x1b\n\u202e]/);
  });
});

describe("the sampling view's Incomplete rows", () => {
  const incomplete = (report: Report) => samplingView.rows!(report, show).filter((row) => row.label === "Incomplete");

  test("no fault, no row; the samples and processes seen are details", () => {
    expect(incomplete(makeReport())).toEqual([]);
    expect(samplingView.rows!(makeReport(), show)).toEqual([
      { label: "Samples", text: "142 every 100 ms", detail: true },
      { label: "Processes seen", text: "7", detail: true },
    ]);
    expect(samplingView.rows!(makeReport({ sampling: { childrenTracked: false, processesSeen: 1 } }), show)[1]?.text).toBe("1 (children not tracked)");
  });

  test("when measuring stopped, why, and that the peaks may be low: a warning, shown without -v", () => {
    const fault = { message: "reading /proc: EMFILE: too many open files", atMs: 2100 };
    expect(incomplete(makeReport({ sampling: { fault } }))).toEqual([
      {
        label: "Incomplete",
        text: "measuring stopped at 2.10s after an internal error (reading /proc: EMFILE: too many open files); the peaks are those seen until then and may be low",
        tone: "warn",
      },
    ]);
    expect(incomplete(makeReport({ sampling: { fault: { message: "x", atMs: 125_300 } } }))[0]?.text).toStartWith("measuring stopped at 2m 5.3s after");
  });

  test("a monitor's fault: a row each, after the tree's; the rest was measured", () => {
    const report = makeReport({
      sampling: {
        fault: { message: "EIO", atMs: 900 },
        monitorFaults: [
          { monitor: "reading the PSS", message: "smaps_rollup: unexpected line", atMs: 3050 },
          { monitor: "the cgroup peak", message: "EACCES", atMs: 10 },
        ],
      },
    });
    expect(incomplete(report).map((row) => row.text)).toEqual([
      "measuring stopped at 0.90s after an internal error (EIO); the peaks are those seen until then and may be low",
      "reading the PSS stopped at 3.05s after an internal error (smaps_rollup: unexpected line); its figures are left out, the rest was measured",
      "the cgroup peak stopped at 0.01s after an internal error (EACCES); its figures are left out, the rest was measured",
    ]);
    expect(samplingView.note!(report, show)).toBe("measuring stopped early: peaks may be low; reading the PSS failed; the cgroup peak failed");
    expect(samplingView.note!(makeReport(), show)).toBeUndefined();
  });
});
