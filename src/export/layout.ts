import { PLAIN, type Palette } from "./palette.ts";
import type { FactRow, FactTable, TableCell } from "./views/index.ts";

// How the terminal lays out what views describe, for one run and for a series alike: a row as
// `Label: text`, coloured by its tone; a table as aligned columns under its title.

/** `Label: text`; a bad row red, a warning yellow, a loud one red and bold throughout. */
export function terminalRow(row: FactRow, c: Palette): string {
  if (row.loud) return c.red(c.bold(`${row.label}: ${row.text}`));
  const line = `${c.bold(`${row.label}:`)} ${row.text}`;
  return row.tone === "bad" ? c.red(line) : row.tone === "warn" ? c.yellow(line) : line;
}

/** The title in bold, then the columns indented under it, the header plain: a view's table is a block of the report. */
export function terminalTable(table: FactTable, c: Palette, name: (text: string) => string): string[] {
  const text = (cell: TableCell) => (typeof cell === "string" ? cell : `${cell.prefix ?? ""}${name(cell.name)}`);
  const lines = columns([table.header, ...table.rows.map((row) => row.map(text))], PLAIN).map((line) => `  ${line}`);
  return [c.bold(table.title), ...lines, ...(table.more ? [`  … and ${table.more} more`] : [])];
}

/**
 * Rows as aligned columns, two spaces apart: the first column left-aligned, the others right;
 * `freeLast`: the last is free text (a note, the command), left-aligned. The header in bold.
 */
export function columns(rows: string[][], c: Palette, freeLast = false, tone?: (row: number, cell: number) => ((text: string) => string) | undefined): string[] {
  const count = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  return rows.map((row, r) => {
    const cells = row.map((cell, i) => {
      const padded = i === 0 || (freeLast && i === count - 1) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0);
      const paint = r === 0 ? c.bold : tone?.(r, i);
      return paint ? paint(padded) : padded;
    });
    return cells.join("  ").trimEnd();
  });
}
