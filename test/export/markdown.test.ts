import { describe, expect, test } from "bun:test";
import { render as renderHuman } from "../../src/export/human.ts";
import { cell, codeCell, codeSpan, render, table } from "../../src/export/markdown.ts";
import { PLAIN } from "../../src/export/palette.ts";
import type { Comparison } from "../../src/model/report.ts";
import { makeReport } from "./fixture.ts";
import { terminalCommand } from "../../src/core/text/visible.ts";
import { parseMarkdownReport, parseTable } from "./markdown-table.ts";

/** Reads a CommonMark code span that must make up the whole of `text`: its content. */
function readCodeSpan(text: string): string {
  const fence = /^`+/.exec(text)?.[0] ?? "";
  expect(fence.length).toBeGreaterThan(0);
  expect(text.endsWith(fence)).toBe(true);
  const inner = text.slice(fence.length, text.length - fence.length);
  // The span closes at the first run of exactly as many backticks: there must be none inside.
  for (const run of inner.match(/`+/g) ?? []) expect(run.length).not.toBe(fence.length);
  expect(inner.startsWith("`")).toBe(false);
  expect(inner.endsWith("`")).toBe(false);
  const padded = inner.length > 2 && inner.startsWith(" ") && inner.endsWith(" ") && inner.trim() !== "";
  return padded ? inner.slice(1, -1) : inner;
}

const facts = (text: string) => Object.fromEntries(parseMarkdownReport(text).tables[0]!.rows.map(([name, value]) => [name, value]));
/** The facts table's rows in order, labels repeated (a baseline's rows share one). */
const factRows = (text: string) => parseMarkdownReport(text).tables[0]!.rows;
/** The report of makeReport without its processes: no "At the peak" table after the facts. */
const noTree = { processes: [] };

const MiB = 2 ** 20;
const comparison = (baselineRss: number, regression: boolean): Comparison => ({
  baselineName: "main",
  baselineTimestamp: "2025-05-20T08:00:00Z",
  peakRss: { baseline: baselineRss, current: Math.round(487.3 * MiB), changePercent: baselineRss === 0 ? null : ((Math.round(487.3 * MiB) - baselineRss) / baselineRss) * 100 },
  peakVsz: { baseline: 900 * MiB, current: Math.round(892.1 * MiB), changePercent: ((Math.round(892.1 * MiB) - 900 * MiB) / (900 * MiB)) * 100 },
  duration: { baseline: 14_200, current: 14_200, changePercent: 0 },
  thresholdPercent: 10,
  regression,
});

describe("Markdown report", () => {
  test("a heading with the command, a blank line, then a two-column table of every row, the terminal's details too", () => {
    const text = render(makeReport(noTree));
    const lines = text.split("\n");
    expect(lines[0]).toBe("### peak-mem: `cargo build --release`");
    expect(lines[1]).toBe("");
    expect(lines[2]).toBe("| | |");
    expect(lines[3]).toBe("| --- | --- |");
    expect(text.endsWith("|\n\n")).toBe(true); // a blank line after: the next appended report stays apart
    const { tables, other } = parseMarkdownReport(text);
    expect(other).toEqual([]);
    expect(tables).toHaveLength(1);
    expect(tables[0]!.header).toEqual(["", ""]);
    expect(factRows(text)).toEqual([
      ["Peak RSS", `**487.3 MiB** (${Math.round(487.3 * 2 ** 20)} bytes)`],
      ["Peak VSZ", `892.1 MiB (${Math.round(892.1 * 2 ** 20)} bytes)`],
      ["Exit code", "0"],
      ["Duration", "14.2s"],
      ["Peak set by", "RSS: the tree summed at one sample; VSZ: one process's own high-water mark"],
      ["Samples", "142 every 100 ms"],
      ["Processes seen", "7"],
    ]);
  });

  test("the tree at its peak: a table under its own title, each process's name as code", () => {
    const text = render(makeReport());
    expect(text).toEndWith("|\n\n");
    const { tables, other } = parseMarkdownReport(text);
    expect(other).toEqual(["At the peak: the tree when its RSS peaked"]);
    expect(tables).toHaveLength(2);
    // The process not alive at the peak (130, "build script") is left out.
    expect(tables[1]).toEqual({
      header: ["Process", "At tree peak", "Own peak"],
      rows: [
        ["100 `cargo`", "40.0 MiB", "50.0 MiB"],
        ["120 `rustc`", "447.0 MiB", "447.0 MiB"],
      ],
    });
  });

  test("the same rows as the terminal, in the same order", () => {
    const report = makeReport({
      exitCode: 137,
      signal: "SIGKILL",
      peaks: { swapBytes: 2 ** 20, cgroup: { bytes: 2 ** 30, source: "memory.peak" } },
      threshold: { bytes: 10 ** 8, exceeded: true, stop: { atMs: 1500, escalated: true } },
      memory: { limit: { bytes: 2 ** 30, source: "cgroup memory.max" } },
      sampling: { fault: { message: "EIO", atMs: 900 } },
      comparison: comparison(400 * MiB, true),
    });
    const terminal = renderHuman(report, { palette: PLAIN, verbose: true }).split("\n").slice(4);
    const labels = terminal.filter((line) => /^[A-Z][^:]*: /.test(line) && !line.startsWith("At the peak:")).map((line) => line.slice(0, line.indexOf(": ")));
    expect(factRows(render(report)).slice(4).map(([label]) => label)).toEqual(labels);
    expect(labels).toEqual([
      "Cgroup peak",
      "Swap",
      "Peak set by",
      "THRESHOLD EXCEEDED",
      "STOPPED",
      "Memory limit",
      "Samples",
      "Processes seen",
      "Incomplete",
      'Baseline "main"',
      'Baseline "main"',
      'Baseline "main"',
      'Baseline "main"',
      "REGRESSION",
    ]);
  });

  test("the threshold row: within, or exceeded; none without a threshold", () => {
    const within = facts(render(makeReport({ threshold: { bytes: 10 ** 9, exceeded: false } })));
    expect(within["Threshold"]).toBe("✅ peak RSS 487.3 MiB is within the threshold of 953.7 MiB (1000000000 bytes)");
    expect(within["THRESHOLD EXCEEDED"]).toBeUndefined();
    const over = facts(render(makeReport({ threshold: { bytes: 10 ** 8, exceeded: true } })));
    expect(over["THRESHOLD EXCEEDED"]).toBe("❌ peak RSS 487.3 MiB is over the threshold of 95.4 MiB (100000000 bytes)");
    expect(over["Threshold"]).toBeUndefined();
    expect(facts(render(makeReport({ threshold: { bytes: 10 ** 8, percent: 25, exceeded: true } })))["THRESHOLD EXCEEDED"]).toBe(
      "❌ peak RSS 487.3 MiB is over the threshold of 95.4 MiB (100000000 bytes, 25% of the memory limit)",
    );
    expect(facts(render(makeReport()))["Threshold"]).toBeUndefined();
    expect(facts(render(makeReport()))["THRESHOLD EXCEEDED"]).toBeUndefined();
  });

  test("the exit code carries the signal; a tree stopped by --kill-on-threshold says so", () => {
    expect(facts(render(makeReport({ exitCode: 3 })))["Exit code"]).toBe("❌ 3");
    const killed = facts(render(makeReport({ exitCode: 143, signal: "SIGTERM", threshold: { bytes: 1, exceeded: true, stop: { atMs: 1500, escalated: true } } })));
    expect(killed["Exit code"]).toBe("❌ 143 (SIGTERM)");
    expect(killed["STOPPED"]).toBe("❌ the process tree was stopped at 1.50s (SIGTERM, then SIGKILL)");
    expect(killed["NOT STOPPED"]).toBeUndefined();
  });

  test("survivors of a stop: a NOT STOPPED row names them; no stop, no row", () => {
    const report = makeReport({
      threshold: {
        bytes: 1,
        exceeded: true,
        stop: {
          atMs: 1500,
          escalated: false,
          survivors: [
            { pid: 4242, name: "a|b", reason: "permission denied" },
            { pid: 4243, name: "e\x1b[2Jvil" },
          ],
        },
      },
    });
    const text = render({ ...report, processes: [] });
    // A name's hidden characters as visible escapes.
    expect(facts(text)["NOT STOPPED"]).toBe(
      "❌ stopping the process tree began at 1.50s (SIGTERM), but 2 processes could not be stopped " +
        "and still ran when peak-mem gave up: 4242 a|b (permission denied), 4243 e\\x1b[2Jvil",
    );
    expect(facts(text)["STOPPED"]).toBeUndefined();
    expect(text).not.toContain("\x1b");
    expect(parseMarkdownReport(text).tables).toHaveLength(1); // the pipe in a name did not split the row
    expect(facts(render(makeReport()))["STOPPED"]).toBeUndefined();
    expect(facts(render(makeReport()))["NOT STOPPED"]).toBeUndefined();
  });

  test("a fault: an Incomplete row with the sampling's, after the stop; none without one", () => {
    const fault = { message: "reading /proc: EMFILE: too many open files", atMs: 2100 };
    const text = render(makeReport({ threshold: { bytes: 1, exceeded: true, stop: { atMs: 1500, escalated: false } }, sampling: { fault } }));
    const rows = parseMarkdownReport(text).tables[0]!.rows.map(([name]) => name);
    expect(rows.indexOf("STOPPED")).toBeGreaterThan(0);
    expect(rows.indexOf("Incomplete")).toBeGreaterThan(rows.indexOf("STOPPED"));
    expect(rows.indexOf("Incomplete")).toBe(rows.indexOf("Processes seen") + 1);
    expect(facts(text)["Incomplete"]).toBe(
      "⚠️ measuring stopped at 2.10s after an internal error (reading /proc: EMFILE: too many open files); the peaks are those seen until then and may be low",
    );
    expect(facts(render(makeReport({ sampling: { fault } })))["Incomplete"]).toStartWith("⚠️ measuring stopped at 2.10s");
    expect(facts(render(makeReport()))["Incomplete"]).toBeUndefined();
  });

  test("the cgroup peak, and --units", () => {
    const text = render(makeReport({ peaks: { cgroup: { bytes: 2 * 2 ** 30, source: "memory.peak" } } }), { units: "MB" });
    expect(facts(text)["Cgroup peak"]).toBe("2147.5 MB (memory.peak: what the cgroup was charged, page cache and kernel memory included, pages charged to other cgroups left out, so above or below RSS)");
    expect(facts(text)["Peak RSS"]).toStartWith("**511.0 MB**");
  });

  test("backticks in the command keep the heading's code span valid", () => {
    for (const argv of [["echo", "`date`"], ["sh", "-c", "echo ``x`` `y`"], ["`starts"], ["ends`"], ["```"], ["a ` b"], ["sh", "-c", " x "], ["printf", "`\e`"]]) {
      const heading = render(makeReport({ argv })).split("\n")[0]!;
      expect(heading).toStartWith("### peak-mem: `");
      expect(readCodeSpan(heading.slice("### peak-mem: ".length))).toBe(terminalCommand(argv));
    }
    expect(codeSpan("a`b")).toBe("``a`b``");
    expect(codeSpan("`a")).toBe("`` `a ``");
  });

  test("a command with line breaks still has a one-line heading: they are escaped", () => {
    const text = render(makeReport({ argv: ["sh", "-c", "echo a\necho b\r\necho c"], ...noTree }));
    const { heading, tables, other } = parseMarkdownReport(text);
    expect(heading).toBe("### peak-mem: `sh -c $'echo a\\necho b\\r\\necho c'`");
    expect(tables).toHaveLength(1);
    expect(other).toEqual([]);
  });

  test("control and bidirectional characters in the command are escaped, the table stays one", () => {
    const argv = ["sh", "-c", "true\nPeak memory usage: 1.00 KiB (RSS) / 1.00 KiB (VSZ)", "\x1b[2J\u202e|x\r"];
    const text = render(makeReport({ argv, ...noTree }));
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    const { heading, tables, other } = parseMarkdownReport(text);
    expect(heading).toBe("### peak-mem: `sh -c $'true\\nPeak memory usage: 1.00 KiB (RSS) / 1.00 KiB (VSZ)' $'\\E[2J\\u202e|x\\r'`");
    expect(tables).toHaveLength(1);
    expect(other).toEqual([]);
    expect(text.split("\n").filter((line) => line.includes("Peak memory usage:"))).toEqual([heading]);
  });

  test("a baseline name's hidden characters are escaped too", () => {
    const text = render(makeReport({ comparison: { ...comparison(480 * MiB, false), baselineName: "main\u202eniam" } }));
    expect(text).not.toContain("\u202e");
    const baseline = factRows(text).filter(([label]) => label!.startsWith("Baseline"));
    expect(baseline).toHaveLength(4);
    for (const [label] of baseline) expect(label).toBe('Baseline "main\\u202eniam"');
  });

  test("pipes, backslashes and line breaks in cells do not break the table", () => {
    expect(cell("a|b")).toBe("a\\|b");
    expect(cell("a\\|b")).toBe("a\\\\\\|b");
    expect(cell("one\ntwo\r\nthree")).toBe("one<br>two<br>three");
    const lines = table(["name", "value"], [
      ["pipe", "a | b"],
      ["escaped already", "a \\| b"],
      ["ends in a backslash", "c:\\"],
      ["lines", "one\ntwo"],
      ["", "empty name"],
    ]);
    expect(lines).toHaveLength(7);
    const { header, rows } = parseTable(lines);
    expect(header).toEqual(["name", "value"]);
    expect(rows).toEqual([
      ["pipe", "a | b"],
      ["escaped already", "a \\| b"],
      ["ends in a backslash", "c:\\"],
      ["lines", "one<br>two"],
      ["", "empty name"],
    ]);
  });

  // The expected Markdown was checked by rendering it with micromark and its GFM table
  // extension (which follows GitHub's parser): each cell showed exactly the code below.
  test("code in a cell shows exactly: backslashes as they are, pipes escaped; <code> where a code span cannot", () => {
    const cases: Array<[string, string]> = [
      ["a\\b", "`a\\b`"],
      ["a|b", "`a\\|b`"],
      ["a\\\\|b", "`a\\\\\\|b`"],
      ["x`y", "``x`y``"],
      ["c:\\", "`c:\\`"],
      // One backslash before a pipe: `\\|` would be an escaped backslash and a bare pipe.
      ["grep 'a\\|b'", "<code>grep \\'a\\\\\\|b\\'</code>"],
      ["a\\|b <i>&amp;</i> *x*", "<code>a\\\\\\|b \\<i\\>\\&amp\\;\\<\\/i\\> \\*x\\*</code>"],
    ];
    for (const [code, markdown] of cases) expect(codeCell(code)).toBe(markdown);
    const { rows } = parseTable(table(["code", "n"], cases.map(([code], i) => [{ code }, String(i)])));
    expect(rows.map((row) => row[1])).toEqual(cases.map((_, i) => String(i)));
    expect(rows.slice(0, 5).map((row) => row[0])).toEqual(["`a\\b`", "`a|b`", "`a\\\\|b`", "``x`y``", "`c:\\`"]);
    expect(rows[5]![0]).toBe("<code>grep 'a\\|b'</code>");
  });

  test("with a baseline: rows in the facts table, when it was saved, baseline → current, and the verdict last", () => {
    const text = render(makeReport({ comparison: comparison(400 * MiB, true), ...noTree }));
    const { tables, other } = parseMarkdownReport(text);
    expect(tables).toHaveLength(1);
    expect(other).toEqual([]);
    expect(factRows(text).slice(-5)).toEqual([
      ['Baseline "main"', "saved 2025-05-20T08:00:00Z"],
      ['Baseline "main"', "peak RSS 400.0 MiB → 487.3 MiB (+21.8%)"],
      ['Baseline "main"', "peak VSZ 900.0 MiB → 892.1 MiB (-0.9%)"],
      ['Baseline "main"', "duration 14.2s → 14.2s (0.0%)"],
      ["REGRESSION", "❌ peak RSS grew 21.8%, over the 10% allowed"],
    ]);
    expect(text).toEndWith("allowed |\n\n");
  });

  test("with a baseline: no regression says so; growth from zero is stated plainly", () => {
    const within = factRows(render(makeReport({ comparison: comparison(480 * MiB, false) })));
    expect(within).toContainEqual(['Baseline "main"', "peak RSS 480.0 MiB → 487.3 MiB (+1.5%)"]);
    expect(within.at(-1)).toEqual(["No regression", "✅ peak RSS +1.5%, within the 10% allowed"]);
    const fromZero = factRows(render(makeReport({ comparison: comparison(0, true) })));
    expect(fromZero).toContainEqual(['Baseline "main"', "peak RSS 0 B → 487.3 MiB (new (was 0))"]);
    expect(fromZero.at(-1)).toEqual(["REGRESSION", "❌ peak RSS grew from 0 B to 487.3 MiB, over the 10% allowed"]);
    expect(factRows(render(makeReport())).some(([label]) => label!.startsWith("Baseline") || label === "REGRESSION" || label === "No regression")).toBe(false);
  });

  test("with a baseline saved from a series: its spread, then the verdict", () => {
    const spread = { ...comparison(480 * MiB, false), spread: { runs: 5, minBytes: 470 * MiB, maxBytes: 500 * MiB }, outsideSpread: false };
    const rows = factRows(render(makeReport({ comparison: spread })));
    expect(rows.at(-2)).toEqual(['Baseline "main"', "its 5 runs' peak RSS 470.0 MiB to 500.0 MiB: this run is within them"]);
    expect(rows.at(-1)).toEqual(["No regression", "✅ peak RSS +1.5%, within the 10% allowed"]);
  });

  test("the reader used here rejects what is not a table", () => {
    expect(() => parseTable(["| a | b |", "| --- |"])).toThrow();
    expect(() => parseTable(["| a | b |", "| --- | --- |", "| 1 | 2 | 3 |"])).toThrow();
    expect(() => parseTable(["| a | b |", "| - | - |"])).toThrow();
    expect(() => parseTable(["| a | b |"])).toThrow();
    expect(() => parseTable(["| a | b |", "| --- | --- |", "| 1 | 2 \\|"])).toThrow();
  });
});
