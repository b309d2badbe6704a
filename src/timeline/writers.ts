import type { Sink } from "../io/sink.ts";
import type { ChartData, TimelineSample } from "../model/chart-data.ts";
import { processJson, programJson } from "./processes.ts";
import { quoteField } from "../core/text/csv-field.ts";
import { ThinnedSamples } from "./thin.ts";

// --timeline FILE, in the format its extension names: .json (one object), .jsonl/.ndjson
// (a header line, a line a sample, a summary line), .csv (a header, a row a sample),
// .html/.svg (a chart, drawn at the end), anything else JSON. The text formats are
// streamed, one write per sample, so peak-mem's memory does not grow with the run and a
// .jsonl or .csv stays valid up to its last complete line even if peak-mem is killed.
//
// When the tree was grouped by program, a sample also carries its largest programs
// (TimelineSample.programs) and the rest summed (otherRss):
//   .json/.jsonl: "programs": [["cc1", 123456], ["ld", 7890]] (name and RSS bytes, largest
//     first) and "other_rss_bytes": N, both left out when not grouped;
//   .csv: the columns programs (that same pairs array as JSON, quoted as RFC 4180 says, for
//     a name can hold commas and quotes) and other_rss_bytes, both empty when not grouped.
// The summary then carries "programs": [{name, processes, max_process_peak_bytes,
// rss_at_peak_bytes, peak_rss_bytes, process_seconds}] (src/model/report.ts ProgramUsage).

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

export const CSV_HEADER = "t_ms,rss_bytes,vsz_bytes,process_count,programs,other_rss_bytes";
/** The header before programs were recorded: still read by src/timeline/read.ts. */
export const CSV_HEADER_WITHOUT_PROGRAMS = "t_ms,rss_bytes,vsz_bytes,process_count";

function sampleObject(sample: TimelineSample) {
  return {
    t_ms: Math.round(sample.tMs),
    rss_bytes: sample.rss,
    vsz_bytes: sample.vsz,
    process_count: sample.processCount,
    // Pairs rather than objects: a sample a line, and 8 programs a sample, add up over a long run.
    ...(sample.programs && { programs: sample.programs.map((share) => [share.name, share.rss]) }),
    ...(sample.otherRss !== undefined && { other_rss_bytes: sample.otherRss }),
  };
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
    ...(summary.thresholdBytes !== undefined && { threshold_bytes: summary.thresholdBytes }),
    ...(summary.exitCode !== undefined && { exit_code: summary.exitCode }),
    ...(summary.signal !== undefined && { signal: summary.signal }),
    ...(summary.durationMs !== undefined && { duration_ms: summary.durationMs }),
    ...(summary.processes && {
      processes: summary.processes.map(processJson),
    }),
    ...(summary.programs && { programs: summary.programs.map(programJson) }),
    ...(summary.limitBytes !== undefined && { memory_limit_bytes: summary.limitBytes }),
    ...(summary.limitSource !== undefined && { memory_limit_source: summary.limitSource }),
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
    const row = sampleObject(sample);
    const programs = row.programs ? quoteField(JSON.stringify(row.programs)) : "";
    this.sink.write(`${row.t_ms},${row.rss_bytes},${row.vsz_bytes},${row.process_count},${programs},${row.other_rss_bytes ?? ""}\n`);
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
