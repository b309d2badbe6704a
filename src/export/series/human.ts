import type { SeriesReport } from "../../model/series.ts";
import { formatSize } from "../../core/size/format.ts";
import { terminalCommand } from "../../core/text/visible.ts";
import { comparisonLines, type HumanOptions } from "../human.ts";
import type { Palette } from "../palette.ts";
import { COMPARISON_HEADER, comparisonRows, plural, runsTable, runsSentence, STATISTICS_HEADER, statisticsRows, stopSentence, thresholdSentence } from "./rows.ts";

// A series as one summary block per command: the command, how many runs, the statistics of
// each metric, each run's figures; with several commands, then a table of their medians and
// ratios to the first. The command is shown escaped, as in the single run's report.

export function render(series: SeriesReport, options: HumanOptions): string {
  const c = options.palette;
  const size = (value: number) => formatSize(value, options.units);
  const several = series.commands.length > 1;
  const blocks = series.commands.map((command, i) => {
    const lines = [
      `${c.bold(several ? `Command ${i + 1}:` : "Command:")} ${terminalCommand(command.argv)}`,
      `${c.bold("Runs:")} ${runsSentence(series, command)}`,
    ];
    const stats = statisticsRows(command, size);
    if (stats.length > 0) lines.push(...columns([STATISTICS_HEADER, ...stats], c, false, (row, cell) => (row === 1 && cell === 2 ? c.cyan : undefined)));
    if (command.runs.length > 0) {
      const runs = runsTable(series, command, size);
      lines.push(...columns([runs.header, ...runs.rows], c, runs.header.includes("Note")));
    }
    const threshold = thresholdSentence(series, command, size);
    if (threshold) lines.push(c.red(c.bold(`THRESHOLD EXCEEDED: ${threshold}`)));
    return lines;
  });
  const lines = blocks.flatMap((block, i) => (i === 0 ? block : ["", ...block]));
  if (several) {
    const rounds = series.runsRequested;
    lines.push("", c.bold(`Compared (medians; ${plural(rounds, "round")} of interleaved runs, ratios to command 1):`));
    lines.push(...columns([COMPARISON_HEADER, ...comparisonRows(series, size, (each) => terminalCommand(each.argv))], c, true));
  }
  const stop = stopSentence(series);
  if (stop) lines.push(c.red(`STOPPED: ${stop}`));
  if (series.comparison) lines.push(...comparisonLines(series.comparison, size, c));
  return `${lines.join("\n")}\n`;
}

/**
 * Rows as aligned columns, two spaces apart: the first column left-aligned, the others right;
 * `freeLast`: the last is free text (a note, the command), left-aligned. The header in bold.
 */
function columns(rows: string[][], c: Palette, freeLast = false, tone?: (row: number, cell: number) => ((text: string) => string) | undefined): string[] {
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
