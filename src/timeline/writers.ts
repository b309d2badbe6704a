import type { Sink } from "../io/sink.ts";
import type { ChartData, TimelineSample } from "../model/chart-data.ts";
import { SAMPLE_FIELDS } from "../export/views/index.ts";
import { processJson } from "../export/views/processes.ts";
import { programJson } from "../export/views/programs.ts";
import { quoteField } from "../core/text/csv-field.ts";
import { ThinnedSamples } from "./thin.ts";

// --timeline FILE, in the format its extension names: .json (one object), .jsonl/.ndjson
// (a header line, a line a sample, a summary line), .csv (a header, a row a sample),
// .html/.svg (a chart, drawn at the end), anything else JSON. The text formats are
// streamed, one write per sample, so peak-mem's memory does not grow with the run and a
// .jsonl or .csv stays valid up to its last complete line even if peak-mem is killed.
//
// A sample is its time (t_ms) and the fields the report's views say a sample carries
// (src/export/views/index.ts SAMPLE_FIELDS): the tree's RSS, VSZ and process count, and where
// the tree was grouped by program its largest programs and the rest summed. JSON leaves out a
// field this sample does not carry; CSV leaves its cell empty. The summary is the report's
// peaks, outcome, processes, programs, limit and OOM kill, under the report's JSON names.

export interface TimelineHeader {
  command: string;
  intervalMs: number;
  startedAt: string;
}

/** What is only known at the end: the report's peaks, the processes, the limit and an OOM kill. */
export type TimelineSummary = Omit<ChartData, "command" | "startedAt" | "intervalMs" | "samples">;

export interface TimelineWriter {
  start(header: TimelineHeader): void;
  add(sample: TimelineSample): void;
  finish(summary: TimelineSummary): void;
}

export type TimelineFormat = "json" | "jsonl" | "csv" | "html" | "svg";

export function timelineFormat(path: string): TimelineFormat {
  switch (process.getBuiltinModule("node:path").extname(path).toLowerCase()) {
    case ".jsonl":
    case ".ndjson":
      return "jsonl";
    case ".csv":
      return "csv";
    case ".html":
    case ".htm":
      return "html";
    case ".svg":
      return "svg";
    default:
      return "json";
  }
}

/** The chart renderers are loaded only when a chart is asked for. */
export type ChartRenderer = (data: ChartData) => string;

export function createTimelineWriter(format: TimelineFormat, sink: Sink, render?: ChartRenderer): TimelineWriter {
  switch (format) {
    case "json":
      return new JsonWriter(sink);
    case "jsonl":
      return new JsonLinesWriter(sink);
    case "csv":
      return new CsvWriter(sink);
    case "html":
    case "svg":
      if (!render) throw new Error(`no renderer for ${format}`);
      return new ChartWriter(sink, render);
  }
}

export const CSV_HEADER = ["t_ms", ...SAMPLE_FIELDS.map((field) => field.name)].join(",");

function sampleObject(sample: TimelineSample): Record<string, unknown> {
  const object: Record<string, unknown> = { t_ms: Math.round(sample.tMs) };
  for (const field of SAMPLE_FIELDS) {
    const value = field.write(sample);
    if (value !== undefined) object[field.name] = value;
  }
  return object;
}

function sampleRow(sample: TimelineSample): string {
  let row = String(Math.round(sample.tMs));
  for (const field of SAMPLE_FIELDS) {
    const value = field.write(sample);
    row += `,${value === undefined ? "" : typeof value === "number" ? value : quoteField(JSON.stringify(value))}`;
  }
  return row;
}

function headerObject(header: TimelineHeader) {
  return { command: header.command, interval_ms: header.intervalMs, started_at: header.startedAt };
}

/** The summary as saved in a timeline file, read back by src/timeline/read.ts. */
export function summaryObject(summary: TimelineSummary) {
  return {
    peak_rss_bytes: summary.peakRssBytes,
    peak_vsz_bytes: summary.peakVszBytes,
    ...(summary.peakRssSource !== undefined && { peak_rss_source: summary.peakRssSource }),
    ...(summary.peakRssExact !== undefined && { peak_rss_exact: summary.peakRssExact }),
    ...(summary.peakRssUpperBytes !== undefined && { peak_rss_upper_bytes: summary.peakRssUpperBytes }),
    ...(summary.peakGpuBytes !== undefined && { peak_gpu_bytes: summary.peakGpuBytes }),
    ...(summary.peakGpuExact !== undefined && { peak_gpu_exact: summary.peakGpuExact }),
    ...(summary.thresholdBytes !== undefined && { threshold_bytes: summary.thresholdBytes }),
    ...(summary.thresholdGiven !== undefined && { threshold_given: summary.thresholdGiven }),
    ...(summary.exitCode !== undefined && { exit_code: summary.exitCode }),
    ...(summary.signal !== undefined && { signal: summary.signal }),
    ...(summary.durationMs !== undefined && { duration_ms: summary.durationMs }),
    ...(summary.processes && {
      processes: summary.processes.map(processJson),
    }),
    ...(summary.programs && { programs: summary.programs.map(programJson) }),
    ...(summary.limitBytes !== undefined && { memory_limit_bytes: summary.limitBytes }),
    ...(summary.limitSource !== undefined && { memory_limit_source: summary.limitSource }),
    ...(summary.cgroupPeakBytes !== undefined && { cgroup_peak_bytes: summary.cgroupPeakBytes }),
    ...(summary.limitGiven !== undefined && { memory_limit_given: summary.limitGiven }),
    ...(summary.oomKill && {
      oom_kill: {
        at_ms: Math.round(summary.oomKill.atMs),
        ...(summary.oomKill.pid !== undefined && { pid: summary.oomKill.pid }),
        ...(summary.oomKill.name !== undefined && { name: summary.oomKill.name }),
        ...(summary.oomKill.certain !== undefined && { certain: summary.oomKill.certain }),
      },
    }),
  };
}

class JsonWriter implements TimelineWriter {
  private count = 0;
  constructor(private readonly sink: Sink) {}

  start(header: TimelineHeader): void {
    this.sink.write(`${JSON.stringify(headerObject(header)).slice(0, -1)},"samples":[`);
  }

  add(sample: TimelineSample): void {
    this.sink.write(`${this.count++ === 0 ? "\n" : ",\n"}${JSON.stringify(sampleObject(sample))}`);
  }

  finish(summary: TimelineSummary): void {
    this.sink.write(`\n],"summary":${JSON.stringify(summaryObject(summary))}}\n`);
    this.sink.close();
  }
}

class JsonLinesWriter implements TimelineWriter {
  constructor(private readonly sink: Sink) {}

  start(header: TimelineHeader): void {
    this.sink.write(`${JSON.stringify(headerObject(header))}\n`);
  }

  add(sample: TimelineSample): void {
    this.sink.write(`${JSON.stringify(sampleObject(sample))}\n`);
  }

  finish(summary: TimelineSummary): void {
    this.sink.write(`${JSON.stringify({ summary: summaryObject(summary) })}\n`);
    this.sink.close();
  }
}

class CsvWriter implements TimelineWriter {
  constructor(private readonly sink: Sink) {}

  start(): void {
    this.sink.write(`${CSV_HEADER}\n`);
  }

  add(sample: TimelineSample): void {
    this.sink.write(`${sampleRow(sample)}\n`);
  }

  finish(): void {
    this.sink.close();
  }
}

/** A chart needs every sample at the end: they are kept thinned, in constant memory. */
class ChartWriter implements TimelineWriter {
  private header: TimelineHeader | undefined;
  private readonly samples = new ThinnedSamples();

  constructor(
    private readonly sink: Sink,
    private readonly render: ChartRenderer,
  ) {}

  start(header: TimelineHeader): void {
    this.header = header;
  }

  add(sample: TimelineSample): void {
    this.samples.add(sample);
  }

  finish(summary: TimelineSummary): void {
    const header = this.header ?? { command: "", intervalMs: 0, startedAt: "" };
    this.sink.write(this.render({ ...header, samples: this.samples.all(), sampleCount: this.samples.count, ...summary }));
    this.sink.close();
  }
}
