import { formatSize } from "../core/size/format.ts";
import type { Unit } from "../core/size/units.ts";
import { formatDuration } from "../core/text/duration.ts";
import { terminalCommand, visibleText } from "../core/text/visible.ts";
import type { Report } from "../model/report.ts";
import { factRows, factTables, type FactRow, type FactTable, type Show, type TableCell } from "./views/index.ts";
import { exitText } from "./views/outcome.ts";

// The report as GitHub-flavoured Markdown, ready to append to $GITHUB_STEP_SUMMARY: a
// heading with the command, then a two-column table of facts (the original four, then every
// view's rows, the detail rows of -v included: a job summary is a record), then the views'
// tables. It starts with the heading and ends with a blank line, so reports appended to one
// summary stay apart. Text from outside is shown escaped (src/core/text/visible.ts): a control
// or bidirectional character would otherwise reach whoever reads the page or cats the file.

export function markdownShow(units: Unit | undefined): Show {
  return { size: (bytes) => formatSize(bytes, units), name: visibleText, text: visibleText };
}

export function render(report: Report, options: { units?: Unit } = {}): string {
  const show = markdownShow(options.units);
  const { rss, vsz } = report.peaks;
  const exit = exitText(report);
  const rows: Array<[string, string]> = [
    ["Peak RSS", `**${show.size(rss.bytes)}** (${rss.bytes} bytes)`],
    ["Peak VSZ", `${show.size(vsz.bytes)} (${vsz.bytes} bytes)`],
    ["Exit code", report.exitCode === 0 ? exit : `❌ ${exit}`],
    ["Duration", formatDuration(report.durationMs)],
    ...factRows(report, show).map(markdownRow),
  ];
  const lines = [`### peak-mem: ${codeSpan(terminalCommand(report.argv))}`, "", ...table(["", ""], rows), ""];
  for (const each of factTables(report, show, false)) lines.push(...markdownTable(each));
  return `${lines.join("\n")}\n`;
}

/** A fact row's cells: its tone as a mark before the text. */
export function markdownRow(row: FactRow): [string, string] {
  const mark = row.tone === "bad" ? "❌ " : row.tone === "warn" ? "⚠️ " : row.tone === "good" ? "✅ " : "";
  return [row.label, `${mark}${row.text}`];
}

/** A view's table: its title, then the table with names as code. */
export function markdownTable(each: FactTable): string[] {
  const cellOf = (value: TableCell): Cell => (typeof value === "string" ? value : { code: visibleText(value.name), ...(value.prefix && { prefix: value.prefix.trim() }) });
  return [each.title, "", ...table(each.header, each.rows.map((row) => row.map(cellOf))), ""];
}

/** A table cell shown as code: its text exactly, whatever characters it holds (after `prefix`, plain text). */
export interface CodeCell {
  code: string;
  prefix?: string;
}
export type Cell = string | CodeCell;

/** A GFM table: header, delimiter row, rows; every cell escaped. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string[] {
  const text = (value: Cell) =>
    typeof value === "string" ? (value === "" ? " " : ` ${cell(value)} `) : ` ${value.prefix ? `${cell(value.prefix)} ` : ""}${codeCell(value.code)} `;
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
