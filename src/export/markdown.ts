import { formatSize } from "../core/size/format.ts";
import type { Unit } from "../core/size/units.ts";
import { formatChange, formatGrowth, formatThreshold, grewBeyond } from "../baseline/compare.ts";
import { thresholdExceeded, type Comparison, type MetricChange, type Report } from "../model/report.ts";
import { formatDuration } from "../core/text/duration.ts";
import { spreadSentence } from "./human.ts";
import { memoryRows } from "./memory-rows.ts";
import { programTable, pssRows, signalRows } from "./usage-rows.ts";
import { faultSentence, monitorFaultSentences, stopSentence, thresholdText } from "./notes.ts";
import { terminalCommand, visibleText } from "../core/text/visible.ts";

// The report as GitHub-flavoured Markdown, ready to append to $GITHUB_STEP_SUMMARY: a
// heading with the command, then a two-column table of facts and, with --compare-baseline,
// a table of baseline → current and a line saying whether it is a regression. It starts
// with the heading and ends with a blank line, so reports appended to one summary stay apart.
// The command and the baseline's name are shown escaped (src/core/text/visible.ts): a control or
// bidirectional character would otherwise reach whoever reads the page or cats the file.

export function render(report: Report, options: { units?: Unit } = {}): string {
  const size = (bytes: number) => formatSize(bytes, options.units);
  const exit = report.signal ? `${report.exitCode} (${report.signal})` : String(report.exitCode);
  const rows: Array<[string, string]> = [
    ["Peak RSS", `**${size(report.peaks.rss.bytes)}** (${report.peaks.rss.bytes} bytes)`],
    ["Peak VSZ", `${size(report.peaks.vsz.bytes)} (${report.peaks.vsz.bytes} bytes)`],
    ["Exit code", report.exitCode === 0 ? exit : `❌ ${exit}`],
    ["Duration", formatDuration(report.durationMs)],
  ];
  for (const row of [...pssRows(report, size), ...memoryRows(report, size, true)]) rows.push([row.label, row.tone === "bad" ? `❌ ${row.text}` : row.tone === "warn" ? `⚠️ ${row.text}` : row.text]);
  if (report.threshold?.bytes !== undefined) {
    const limit = thresholdText(report.threshold?.bytes, report.threshold?.percent, size);
    rows.push(["Threshold", thresholdExceeded(report) ? `❌ exceeded: over ${limit}` : `✅ within ${limit}`]);
  }
  const stop = stopSentence(report);
  if (stop) rows.push(["Stopped", `❌ ${stop.text}`]);
  const fault = faultSentence(report);
  if (fault) rows.push(["Incomplete", `⚠️ ${fault}`]);
  for (const sentence of monitorFaultSentences(report)) rows.push(["Incomplete", `⚠️ ${sentence}`]);
  if (report.peaks.cgroup?.bytes !== undefined) {
    rows.push(["Cgroup peak", `${size(report.peaks.cgroup?.bytes)} (${report.peaks.cgroup?.source}; includes page cache)`]);
  }
  for (const row of signalRows(report, visibleText)) rows.push([row.label, `⚠️ ${row.text}`]);
  rows.push(["Peak set by", `RSS ${report.peaks.rss.source}, VSZ ${report.peaks.vsz.source}`]);
  const lines = [`### peak-mem: ${codeSpan(terminalCommand(report.argv))}`, "", ...table(["", ""], rows), ""];
  if (report.comparison) lines.push(...comparisonLines(report.comparison, size));
  if (report.programs && report.programs.list.length > 0) {
    const programs = programTable(report.programs, size);
    lines.push(`Memory by program (${programs.note}):`, "", ...table(programs.header, programs.rows.map(([name = "", ...rest]) => [{ code: visibleText(name) }, ...rest])), "");
  }
  return `${lines.join("\n")}\n`;
}

/** --compare-baseline: which baseline, its table, and the verdict (only peak RSS decides). */
export function comparisonLines(comparison: Comparison, size: (bytes: number) => string): string[] {
  const { peakRss, peakVsz, duration, thresholdPercent, spread } = comparison;
  const row = (metric: string, change: MetricChange, show: (value: number) => string) => [metric, show(change.baseline), show(change.current), formatChange(change.changePercent)];
  const allowed = formatThreshold(thresholdPercent);
  const growth = peakRss.changePercent === null ? `from ${size(peakRss.baseline)} to ${size(peakRss.current)}` : formatGrowth(peakRss.changePercent, thresholdPercent);
  // A series is compared by its medians (src/series/); a series baseline has a spread.
  const of = comparison.median ? "median " : "";
  const beyond = spread ? " and above every run of the baseline" : "";
  const verdict = comparison.regression
    ? `❌ **Regression**: ${of}peak RSS grew ${growth}, over the ${allowed} allowed${beyond}.`
    : spread && grewBeyond(peakRss.baseline, peakRss.current, thresholdPercent)
      ? `✅ No regression: ${of}peak RSS grew ${growth}, over the ${allowed} allowed but within the baseline's run-to-run spread.`
      : `✅ No regression: ${of}peak RSS ${formatChange(peakRss.changePercent)}, within the ${allowed} allowed.`;
  const name = comparison.median ? (metric: string) => `${metric} (median)` : (metric: string) => metric;
  return [
    `Compared with baseline ${codeSpan(visibleText(comparison.baselineName))} (saved ${comparison.baselineTimestamp}):`,
    "",
    ...table(["Metric", "Baseline", "Current", "Change"], [
      row(name("Peak RSS"), peakRss, size),
      row(name("Peak VSZ"), peakVsz, size),
      row(name("Duration"), duration, formatDuration),
    ]),
    "",
    ...(spread ? [`Baseline ${spreadSentence(comparison, size)}.`, ""] : []),
    verdict,
    "",
  ];
}

/** A table cell shown as code: its text exactly, whatever characters it holds. */
export interface CodeCell {
  code: string;
}
export type Cell = string | CodeCell;

/** A GFM table: header, delimiter row, rows; every cell escaped. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string[] {
  const text = (value: Cell) => (typeof value === "string" ? (value === "" ? " " : ` ${cell(value)} `) : ` ${codeCell(value.code)} `);
  const row = (cells: readonly Cell[]) => `|${cells.map(text).join("|")}|`;
  return [row(header), `|${header.map(() => " --- |").join("")}`, ...rows.map(row)];
}

/**
 * One table cell's text: a line break would end the row (it becomes <br>), and a pipe
 * would split the cell (it is escaped; backslashes first, so `\|` stays two characters).
 */
export function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replace(/\r\n|\r|\n/g, "<br>");
}

/**
 * Code in a table cell. GitHub's table parser turns each `\|` into `|` before the cell's
 * inlines are parsed, and a code span shows backslashes as they are: so a code span with
 * its pipes escaped shows the text exactly. Except where an odd run of backslashes comes
 * right before a pipe (`grep 'a\|b'`): the parser reads `\\|` as an escaped backslash and a
 * bare pipe, and the cell splits (as micromark, which follows GitHub's parser, showed).
 * There, <code> around the text with every ASCII punctuation character backslash-escaped
 * shows it exactly.
 */
export function codeCell(text: string): string {
  const visible = text.replace(/\r\n|\r|\n/g, " ");
  if (!/(^|[^\\])(\\\\)*\\\|/.test(visible)) return codeSpan(visible).replaceAll("|", "\\|");
  return `<code>${visible.replace(/[!-/:-@[-`{-~]/g, "\\$&")}</code>`;
}

/**
 * A CommonMark code span around any text: the fence is one backtick longer than the
 * longest run of backticks inside, and a space pads content that starts or ends with a
 * backtick (the parser strips exactly one space from each side).
 */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ") && text.trim() !== "") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}
