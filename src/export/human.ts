import { formatSize } from "../core/size/format.ts";
import { formatDuration } from "../core/text/duration.ts";
import type { Unit } from "../core/size/units.ts";
import { formatChange, formatGrowth, formatThreshold, grewBeyond } from "../baseline/compare.ts";
import { thresholdExceeded, type Comparison, type Report } from "../model/report.ts";
import { memoryRows } from "./memory-rows.ts";
import { programTable, pssRows, signalRows } from "./usage-rows.ts";
import { faultSentence, monitorFaultSentences, stopSentence, thresholdText } from "./notes.ts";
import type { Palette } from "./palette.ts";
import { psName, terminalCommand, visibleText } from "../core/text/visible.ts";

// The original report's four lines (command, peak, exit code, duration), which never change,
// then a threshold line when one was crossed, then the comparison with a baseline
// (--compare-baseline), then verbose facts. Text from outside (argv, process
// names, the baseline's name) is shown escaped: raw, it could drive the terminal or forge a line.

export interface HumanOptions {
  palette: Palette;
  verbose: boolean;
  units?: Unit;
}

export function render(report: Report, options: HumanOptions): string {
  const c = options.palette;
  const size = (value: number) => formatSize(value, options.units);
  const exit = report.signal ? `${report.exitCode} (${report.signal})` : String(report.exitCode);
  const lines = [
    `${c.bold("Command:")} ${terminalCommand(report.argv)}`,
    `${c.bold("Peak memory usage:")} ${c.cyan(size(report.peaks.rss.bytes))} (RSS) / ${size(report.peaks.vsz.bytes)} (VSZ)`,
    `${c.bold("Exit code:")} ${report.exitCode === 0 ? exit : c.red(exit)}`,
    `${c.bold("Duration:")} ${formatDuration(report.durationMs)}`,
  ];
  if (report.peaks.cgroup?.bytes !== undefined) {
    lines.push(`${c.bold("Cgroup peak:")} ${size(report.peaks.cgroup?.bytes)} (${report.peaks.cgroup?.source}; includes page cache and kernel memory)`);
  }
  for (const row of [...pssRows(report, size), ...memoryRows(report, size, options.verbose)]) {
    const line = `${c.bold(`${row.label}:`)} ${row.text}`;
    lines.push(row.tone === "bad" ? c.red(line) : row.tone === "warn" ? c.yellow(line) : line);
  }
  if (thresholdExceeded(report) && report.threshold?.bytes !== undefined) {
    const limit = thresholdText(report.threshold?.bytes, report.threshold?.percent, size);
    lines.push(c.red(c.bold(`THRESHOLD EXCEEDED: peak RSS ${size(report.peaks.rss.bytes)} is over the limit of ${limit}`)));
    const stop = stopSentence(report);
    if (stop) lines.push(c.red(stop.stopped ? `STOPPED: ${stop.text}` : c.bold(`NOT STOPPED: ${stop.text}`)));
  }
  const fault = faultSentence(report);
  if (fault) lines.push(c.yellow(`Incomplete: ${fault}`));
  for (const sentence of monitorFaultSentences(report)) lines.push(c.yellow(`Incomplete: ${sentence}`));
  if (report.comparison) lines.push(...comparisonLines(report.comparison, size, c));
  if (options.verbose) {
    lines.push(
      `${c.bold("Peak set by:")} RSS ${report.peaks.rss.source}, VSZ ${report.peaks.vsz.source}`,
      `${c.bold("Samples:")} ${report.sampling.samples} every ${report.sampling.intervalMs} ms (effective ${report.sampling.effectiveIntervalMs.toFixed(1)} ms)`,
      `${c.bold("Processes seen:")} ${report.sampling.processesSeen}${report.sampling.childrenTracked ? "" : " (children not tracked)"}`,
      ...signalRows(report, psName).map((row) => c.yellow(`${c.bold(`${row.label}:`)} ${row.text}`)),
      ...programLines(report, size, c),
      ...breakdown(report, size, c),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * --compare-baseline: baseline → current for peak RSS, peak VSZ and duration, then whether
 * it is a regression (only peak RSS decides; src/baseline/compare.ts says why).
 */
export function comparisonLines(comparison: Comparison, size: (value: number) => string, c: Palette): string[] {
  const label = c.bold(`Baseline ${visibleText(JSON.stringify(comparison.baselineName))}:`);
  const { peakRss, peakVsz, duration, thresholdPercent, spread } = comparison;
  // A series is compared by its medians (src/series/).
  const of = comparison.median ? "median " : "";
  const line = (metric: string, change: Comparison["peakRss"], show: (value: number) => string) =>
    `${label} ${of}${metric} ${show(change.baseline)} → ${show(change.current)} (${formatChange(change.changePercent)})`;
  const allowed = formatThreshold(thresholdPercent);
  const growth = peakRss.changePercent === null ? `from ${size(peakRss.baseline)} to ${size(peakRss.current)}` : formatGrowth(peakRss.changePercent, thresholdPercent);
  const lines = [line("peak RSS", peakRss, size), line("peak VSZ", peakVsz, size), line("duration", duration, formatDuration)];
  if (spread) lines.push(`${label} ${spreadSentence(comparison, size)}`);
  const beyond = spread ? " and above every run of the baseline" : "";
  if (comparison.regression) lines.push(c.red(c.bold(`REGRESSION: ${of}peak RSS grew ${growth}, over the ${allowed} allowed${beyond}`)));
  else if (spread && grewBeyond(peakRss.baseline, peakRss.current, thresholdPercent)) {
    lines.push(`No regression (threshold ${allowed}): ${of}peak RSS grew ${growth}, but within the baseline's run-to-run spread`);
  } else lines.push(`No regression (threshold ${allowed})`);
  return lines;
}

/** "its 5 runs' peak RSS 50.1 MiB to 50.9 MiB: the median is above them" (src/baseline/compare.ts). */
export function spreadSentence(comparison: Comparison, size: (value: number) => string): string {
  const spread = comparison.spread;
  if (!spread) return "";
  const runs = spread.runs === 1 ? "its 1 run's" : `its ${spread.runs} runs'`;
  const where = !comparison.outsideSpread ? "within them" : comparison.peakRss.current > spread.maxBytes ? "above them" : "below them";
  return `${runs} peak RSS ${size(spread.minBytes)} to ${size(spread.maxBytes)}: ${comparison.median ? "the median" : "this run"} is ${where}`;
}

/** The programs -v shows (JSON and Markdown have them all). */
const PROGRAMS_SHOWN = 10;

/** The tree by program, largest share of the peak first, as aligned columns. */
function programLines(report: Report, size: (value: number) => string, c: Palette): string[] {
  if (!report.programs || report.programs.list.length === 0) return [];
  const table = programTable(report.programs, size, PROGRAMS_SHOWN);
  const rows = [table.header, ...table.rows.map(([name = "", ...rest]) => [psName(name), ...rest])];
  const widths = table.header.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")}`.trimEnd();
  return [
    `${c.bold("Programs:")} ${report.programs.list.length} (${table.note})`,
    line(rows[0] ?? []),
    ...rows.slice(1).map(line),
    ...(table.more > 0 ? [`  … and ${table.more} more`] : []),
  ];
}

/** More lines than this and the breakdown says how many more there were. */
const BREAKDOWN_MAX_LINES = 40;

/**
 * The tree when the sum of RSS peaked: each process alive then, indented under its parent,
 * with its RSS at that moment and its own peak.
 */
function breakdown(report: Report, size: (value: number) => string, c: Palette): string[] {
  const atPeak = report.processes.filter((p) => p.rssAtPeak !== undefined);
  if (atPeak.length === 0) return [];
  const shown = atPeak.slice(0, BREAKDOWN_MAX_LINES);
  const labels = shown.map((p) => `  ${"  ".repeat(p.depth)}${p.pid} ${psName(p.name)}`);
  const title = "At the peak:";
  const column = Math.max(title.length + 1, ...labels.map((label) => label.length + 2));
  const row = (label: string, then: string, own: string) => `${label.padEnd(column)}${then.padStart(10)}  ${own.padStart(10)}`;
  const more = atPeak.length - shown.length;
  return [
    `${c.bold(title)}${row("", "RSS then", "own peak").slice(title.length)}`,
    ...shown.map((p, i) => row(labels[i] ?? "", size(p.rssAtPeak ?? 0), size(p.peakRss))),
    ...(more > 0 ? [`  … and ${more} more`] : []),
  ];
}

