import type { SeriesReport } from "../../model/series.ts";
import { terminalCommand } from "../../core/text/visible.ts";
import { terminalShow, type HumanOptions } from "../human.ts";
import { columns, terminalRow } from "../layout.ts";
import { comparisonRows as baselineRows } from "../views/comparison.ts";
import { COMPARISON_HEADER, comparisonRows, limitSentence, plural, runsTable, runsSentence, STATISTICS_HEADER, statisticsRows, stopSentence, thresholdSentence } from "./rows.ts";

// A series as one summary block per command: the command, how many runs, the memory limit they
// ran under, the statistics of each figure, each run's figures and notes; with several
// commands, then a table of their medians and ratios to the first. The command is shown
// escaped, as in the single run's report.

export function render(series: SeriesReport, options: HumanOptions): string {
  const c = options.palette;
  const show = terminalShow(options.units);
  const several = series.commands.length > 1;
  const blocks = series.commands.map((command, i) => {
    const lines = [
      `${c.bold(several ? `Command ${i + 1}:` : "Command:")} ${terminalCommand(command.argv)}`,
      `${c.bold("Runs:")} ${runsSentence(series, command)}`,
    ];
    const limit = limitSentence(command, show);
    if (limit) lines.push(`${c.bold("Memory limit:")} ${limit}`);
    const stats = statisticsRows(series, command, show);
    if (stats.length > 0) lines.push(...columns([STATISTICS_HEADER, ...stats], c, false, (row, cell) => (row === 1 && cell === 2 ? c.cyan : undefined)));
    if (command.runs.length > 0) {
      const runs = runsTable(series, command, show);
      lines.push(...columns([runs.header, ...runs.rows], c, runs.header.includes("Note")));
    }
    const threshold = thresholdSentence(series, command, show);
    if (threshold) lines.push(terminalRow({ label: "THRESHOLD EXCEEDED", text: threshold, loud: true }, c));
    return lines;
  });
  const lines = blocks.flatMap((block, i) => (i === 0 ? block : ["", ...block]));
  if (several) {
    const rounds = series.runsRequested;
    lines.push("", c.bold(`Compared (medians; ${plural(rounds, "round")} of interleaved runs, ratios to command 1):`));
    lines.push(...columns([COMPARISON_HEADER, ...comparisonRows(series, show, (each) => terminalCommand(each.argv))], c, true));
  }
  const stop = stopSentence(series);
  if (stop) lines.push(c.red(`STOPPED: ${stop}`));
  if (series.comparison) for (const row of baselineRows(series.comparison, show)) if (options.verbose || !row.detail) lines.push(terminalRow(row, c));
  return `${lines.join("\n")}\n`;
}
