import { formatSize } from "../core/size/format.ts";
import type { Unit } from "../core/size/units.ts";
import { formatDuration } from "../core/text/duration.ts";
import { psName, terminalCommand, visibleText } from "../core/text/visible.ts";
import type { Report } from "../model/report.ts";
import { terminalRow, terminalTable } from "./layout.ts";
import type { Palette } from "./palette.ts";
import { factRows, factTables, type Show } from "./views/index.ts";
import { exitText } from "./views/outcome.ts";

// The original report's four lines (command, peak, exit code, duration), which never change,
// then every view's rows in view order (with -v, the detail rows too), then with -v the
// tables. Text from outside (argv, process names, the baseline's name) is shown escaped:
// raw, it could drive the terminal or forge a line.

export interface HumanOptions {
  palette: Palette;
  verbose: boolean;
  units?: Unit;
}

export function terminalShow(units: Unit | undefined): Show {
  return { size: (value) => formatSize(value, units), name: psName, text: visibleText };
}

export function render(report: Report, options: HumanOptions): string {
  const c = options.palette;
  const show = terminalShow(options.units);
  const exit = exitText(report);
  const lines = [
    `${c.bold("Command:")} ${terminalCommand(report.argv)}`,
    `${c.bold("Peak memory usage:")} ${c.cyan(show.size(report.peaks.rss.bytes))} (RSS) / ${show.size(report.peaks.vsz.bytes)} (VSZ)`,
    `${c.bold("Exit code:")} ${report.exitCode === 0 ? exit : c.red(exit)}`,
    `${c.bold("Duration:")} ${formatDuration(report.durationMs)}`,
  ];
  for (const row of factRows(report, show)) if (options.verbose || !row.detail) lines.push(terminalRow(row, c));
  for (const table of factTables(report, show, true)) if (options.verbose || !table.detail) lines.push(...terminalTable(table, c, psName));
  return `${lines.join("\n")}\n`;
}
