import { AT_PEAK_COLUMNS } from "../../core/text/vocabulary.ts";
import { formatDuration } from "../../core/text/duration.ts";
import type { Report } from "../../model/report.ts";
import { PEAK_SOURCE_WORDS } from "./peaks.ts";
import type { ProcessSummary } from "../../model/chart-data.ts";
import type { FactRow, Show } from "./view.ts";
import { sampleNumber, type View } from "./view.ts";

// The processes of the tree: those the kernel said were killed by a signal (a compiler's
// SIGSEGV, an OOM kill's SIGKILL), and the tree as it stood when its RSS peaked, each process
// under its parent with its RSS then and its own peak. JSON lists every process with -v.

/** Processes of the tree (not the command: its own line says) shown by name before "and N more". */
const SIGNALLED_SHOWN = 5;
/** The most processes of the tree at the peak a terminal shows. */
const AT_PEAK_SHOWN = 40;

/** Which moment the breakdown shows: the peak, or the largest sample when the peak fell between samples. */
function breakdownTitle(report: Report, show: Show): string {
  const moment = report.peaks.breakdown;
  if (!moment || moment.isPeak) return `At the peak: the tree when its RSS peaked${moment?.atMs !== undefined ? `, at ${formatDuration(moment.atMs)}` : ""}`;
  const at = moment.atMs !== undefined ? ` at ${formatDuration(moment.atMs)}` : "";
  return `At the largest sample: ${show.size(moment.bytes)}${at}; the peak of ${show.size(report.peaks.rss.bytes)} (${PEAK_SOURCE_WORDS[report.peaks.rss.source]}) fell between samples`;
}

const processCount = (count: number) => (count === 1 ? "1 process" : `${count} processes`);

/** The first SIGNALLED_SHOWN of `items` as `label` shows each, then "and N more". */
function named<T>(items: readonly T[], label: (item: T) => string): string {
  const more = items.length > SIGNALLED_SHOWN ? `, and ${items.length - SIGNALLED_SHOWN} more` : "";
  return `${items.slice(0, SIGNALLED_SHOWN).map(label).join(", ")}${more}`;
}

export const processesView: View = {
  group: "processes",
  sample: [sampleNumber("process_count", "processCount", true)],
  rows(report, show) {
    const rows: FactRow[] = [];
    const concurrency = report.concurrency;
    const running = concurrency?.stillRunning ?? [];
    if (running.length > 0) {
      const listed = named(running, (p) => `${p.pid} ${show.name(p.name)}`);
      rows.push({ label: "Still running", text: `${processCount(running.length)} of the tree, left when the command ended: ${listed}`, tone: "warn" });
    }
    if (concurrency) {
      const text = concurrency.exact
        ? `${concurrency.peakProcesses} at most (when each lived, from the kernel's process events)`
        : `${concurrency.peakProcesses} at most, at one sample (a process between two samples is missed)`;
      rows.push({ label: "Processes at once", text, detail: true });
    }
    const killed = report.processes.filter((p) => p.depth > 0 && p.signal !== undefined);
    if (killed.length > 0) {
      const listed = named(killed, (p) => `${p.pid} ${show.name(p.name)} (${p.signal})`);
      rows.push({ label: "Killed by a signal", text: `${processCount(killed.length)} of the tree: ${listed}`, tone: "warn", detail: true });
    }
    return rows;
  },
  tables(report, show, terminal) {
    const atPeak = report.processes.filter((p) => p.rssAtPeak !== undefined);
    if (atPeak.length === 0) return [];
    const shown = terminal ? atPeak.slice(0, AT_PEAK_SHOWN) : atPeak;
    return [
      {
        title: breakdownTitle(report, show),
        header: ["Process", ...AT_PEAK_COLUMNS],
        rows: shown.map((p) => [{ prefix: `${"  ".repeat(p.depth)}${p.pid} `, name: p.name }, show.size(p.rssAtPeak ?? 0), show.size(p.peakRss)]),
        more: atPeak.length - shown.length,
        detail: true,
      },
    ];
  },
  json: (report, verbose) => ({
    ...(report.concurrency?.stillRunning && { still_running: report.concurrency.stillRunning }),
    ...(report.peaks.breakdown && {
      breakdown: { rss_bytes: report.peaks.breakdown.bytes, at_ms: report.peaks.breakdown.atMs ?? null, is_peak: report.peaks.breakdown.isPeak },
    }),
    ...(report.concurrency && { peak_processes: report.concurrency.peakProcesses, peak_processes_exact: report.concurrency.exact }),
    ...(verbose && { processes: report.processes.map(processJson) }),
  }),
  csv: [
    { name: "peak_processes", cell: (report) => report.concurrency?.peakProcesses },
    { name: "still_running", cell: (report) => (report.concurrency ? (report.concurrency.stillRunning?.length ?? 0) : undefined) },
  ],
  figures: [{ key: "peak_processes", label: "Processes at once", unit: "count", of: (report) => report.concurrency?.peakProcesses, shownAbove: 1 }],
};

/** A process summary as JSON (report `processes`, timeline summaries), snake_case. */
export function processJson(p: ProcessSummary) {
  return {
    pid: p.pid,
    ppid: p.ppid,
    name: p.name,
    depth: p.depth,
    peak_rss_bytes: p.peakRss,
    rss_at_peak_bytes: p.rssAtPeak ?? null,
    first_seen_ms: p.firstSeenMs,
    last_seen_ms: p.lastSeenMs,
    ...(p.exitCode !== undefined && { exit_code: p.exitCode }),
    ...(p.signal !== undefined && { signal: p.signal }),
    ...(p.running && { running: true }),
  };
}

