import type { SeriesReport } from "../../model/series.ts";
import type { Unit } from "../../core/size/units.ts";
import { terminalCommand } from "../../core/text/visible.ts";
import { codeSpan, markdownRow, markdownShow, table } from "../markdown.ts";
import { comparisonRows as baselineRows } from "../views/comparison.ts";
import { COMPARISON_HEADER, comparisonRows, limitSentence, plural, runsTable, runsSentence, STATISTICS_HEADER, statisticsRows, stopSentence, thresholdSentence } from "./rows.ts";

// A series as GitHub-flavoured Markdown: a heading, then (several commands) the table of
// medians and ratios, then for each command its statistics and each run's figures. Like
// the single run's, it ends with a blank line, so that reports appended to one summary stay apart.

export function render(series: SeriesReport, options: { units?: Unit } = {}): string {
  const show = markdownShow(options.units);
  const several = series.commands.length > 1;
  const shown = (argv: string[]) => codeSpan(terminalCommand(argv));
  const first = series.commands[0];
  const heading = several
    ? `### peak-mem: ${series.commands.length} commands compared, ${plural(series.runsRequested, "run")} each`
    : `### peak-mem: ${plural(series.runsRequested, "run")} of ${shown(first?.argv ?? [])}`;
  const lines = [heading, ""];
  if (several) {
    lines.push("Medians, runs interleaved; ratios to command 1:", "", ...table(COMPARISON_HEADER, comparisonRows(series, show, (each) => ({ code: terminalCommand(each.argv) }))), "");
  }
  const stop = stopSentence(series);
  if (stop) lines.push(`❌ **Stopped**: ${stop}.`, "");
  series.commands.forEach((command, i) => {
    if (several) lines.push(`#### ${i + 1}. ${shown(command.argv)}`, "");
    lines.push(`Runs: ${runsSentence(series, command)}.`, "");
    const limit = limitSentence(command, show);
    if (limit) lines.push(`Memory limit: ${limit}.`, "");
    const threshold = thresholdSentence(series, command, show);
    if (threshold) lines.push(`❌ **Threshold exceeded**: ${threshold}.`, "");
    const stats = statisticsRows(series, command, show);
    if (stats.length > 0) lines.push(...table(STATISTICS_HEADER, stats), "");
    if (command.runs.length > 0) {
      const runs = runsTable(series, command, show);
      lines.push(...table(runs.header, runs.rows), "");
    }
  });
  if (series.comparison) lines.push(...table(["", ""], baselineRows(series.comparison, show).map(markdownRow)), "");
  return `${lines.join("\n")}\n`;
}
