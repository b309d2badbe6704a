import { UsageError } from "../core/errors.ts";
import type { ProgramUsage } from "../model/report.ts";
import type { ChartData, OomKill, ProcessSummary, TimelineSample } from "../model/chart-data.ts";
import { SAMPLE_FIELDS, type SampleField } from "../export/views/index.ts";
import { CSV_HEADER, timelineFormat } from "./writers.ts";

// Reads a timeline that peak-mem saved (.json, .jsonl/.ndjson, .csv) back into chart data,
// for `peak-mem --chart FILE`. Pure: text in, data or one clear error out.

type Json = Record<string, unknown>;

export function readTimeline(path: string, text: string): ChartData {
  const format = timelineFormat(path);
  if (format === "html" || format === "svg") throw new UsageError(`--chart reads a saved .json, .jsonl or .csv timeline, not ${path}`);
  try {
    const data = format === "csv" ? fromCsv(text) : format === "jsonl" ? fromJsonLines(text) : fromJson(text);
    // What the file did not record is said on the chart, not made up (0 ms, an empty date).
    const header = data.command !== "" || data.startedAt !== "";
    const summary = data.exitCode !== undefined || data.signal !== undefined;
    if (!header || !summary) {
      const why = format === "csv" ? "a CSV timeline records the samples only" : "the timeline ends before its summary: the run was cut short";
      data.notRecorded = { why, summary, from: process.getBuiltinModule("node:path").basename(path) };
    }
    return data;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read timeline '${path}': ${(error as Error).message}`);
  }
}

function fromJson(text: string): ChartData {
  const object = JSON.parse(text) as Json;
  if (!Array.isArray(object.samples)) throw new Error("no samples array");
  return build(object, object.samples.map(sampleFrom), object.summary as Json | undefined);
}

function fromJsonLines(text: string): ChartData {
  let header: Json = {};
  let summary: Json | undefined;
  const samples: TimelineSample[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let object: Json;
    try {
      object = JSON.parse(line) as Json;
    } catch {
      // A run killed mid-write leaves a partial last line: everything before it stands.
      if (index === lines.length - 1) return;
      throw new Error(`line ${index + 1} is not JSON`);
    }
    if ("t_ms" in object) samples.push(sampleFrom(object));
    else if ("summary" in object) summary = object.summary as Json;
    else header = object;
  });
  return build(header, samples, summary);
}

function fromCsv(text: string): ChartData {
  const lines = text.split("\n");
  // Columns are found by name: a timeline written before a field was added lacks its column.
  const names = (lines[0] ?? "").trim().split(",");
  const columns = names.slice(1).map((name) => SAMPLE_FIELDS.find((field) => field.name === name));
  const complete = names[0] === "t_ms" && columns.every((field) => field !== undefined) && SAMPLE_FIELDS.every((field) => !field.required || columns.includes(field));
  if (!complete) throw new Error(`the first line is not "${CSV_HEADER}"`);
  const samples: TimelineSample[] = [];
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === "") return;
    const sample = csvSample(line.endsWith("\r") ? line.slice(0, -1) : line, columns as SampleField[]);
    if (!sample) {
      if (index === lines.length - 2) return; // a partial last line
      throw new Error(`line ${index + 2} is not a sample of ${names.length} columns`);
    }
    samples.push(sample);
  });
  return build({}, samples, undefined);
}

/** One row: the time, then a cell for each column (a number, or a list as JSON), empty where the sample did not carry it. */
function csvSample(line: string, columns: readonly SampleField[]): TimelineSample | undefined {
  const cells = csvFields(line);
  if (!cells || cells.length !== columns.length + 1) return undefined;
  const tMs = cells[0]?.trim() === "" ? Number.NaN : Number(cells[0]);
  if (!Number.isFinite(tMs)) return undefined;
  const sample: TimelineSample = { tMs, rss: 0, vsz: 0, processCount: 0 };
  try {
    columns.forEach((field, i) => {
      const cell = cells[i + 1] as string;
      if (cell.trim() === "") {
        if (field.required) throw new Error(`no "${field.name}"`);
        return;
      }
      field.read(cell.startsWith("[") ? JSON.parse(cell) : Number(cell), sample);
    });
  } catch {
    return undefined;
  }
  return sample;
}

/** The fields of one RFC 4180 line, or undefined when its quotes do not close (a cut line). */
function csvFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote === -1) return undefined;
        value += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (i < line.length && line[i] !== ",") return undefined;
    } else {
      const comma = line.indexOf(",", i);
      fields.push(line.slice(i, comma === -1 ? line.length : comma));
      i = comma === -1 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

function sampleFrom(value: unknown): TimelineSample {
  const object = value as Json;
  if (typeof object?.t_ms !== "number" || !Number.isFinite(object.t_ms)) throw new Error(`a sample has no number "t_ms"`);
  const sample: TimelineSample = { tMs: object.t_ms, rss: 0, vsz: 0, processCount: 0 };
  for (const field of SAMPLE_FIELDS) {
    if (object[field.name] !== undefined) field.read(object[field.name], sample);
    else if (field.required) throw new Error(`a sample has no number "${field.name}"`);
  }
  return sample;
}

/** Peaks default to the largest sampled values when the file has no summary (CSV, a killed run). */
function build(header: Json, samples: TimelineSample[], summary: Json | undefined): ChartData {
  const number = (object: Json | undefined, key: string) => (typeof object?.[key] === "number" ? (object[key] as number) : undefined);
  const string = (object: Json | undefined, key: string) => (typeof object?.[key] === "string" ? (object[key] as string) : undefined);
  const maxOf = (pick: (s: TimelineSample) => number) => samples.reduce((max, s) => Math.max(max, pick(s)), 0);
  const processes = Array.isArray(summary?.processes) ? summary.processes.map(processFrom) : undefined;
  const programs = Array.isArray(summary?.programs) ? summary.programs.flatMap(programFrom) : undefined;
  const data: ChartData = {
    command: string(header, "command") ?? "",
    startedAt: string(header, "started_at") ?? "",
    intervalMs: number(header, "interval_ms") ?? 0,
    samples,
    peakRssBytes: number(summary, "peak_rss_bytes") ?? maxOf((s) => s.rss),
    peakVszBytes: number(summary, "peak_vsz_bytes") ?? maxOf((s) => s.vsz),
    peakRssSource: string(summary, "peak_rss_source") ?? "sampled-sum",
  };
  if (typeof summary?.peak_rss_exact === "boolean") data.peakRssExact = summary.peak_rss_exact;
  const upper = number(summary, "peak_rss_upper_bytes");
  if (upper !== undefined) data.peakRssUpperBytes = upper;
  // Without a summary, the largest GPU figure the samples carry (a lower bound, as every sampled peak).
  const gpu = number(summary, "peak_gpu_bytes") ?? (samples.some((s) => s.gpu !== undefined) ? maxOf((s) => s.gpu ?? 0) : undefined);
  if (gpu !== undefined) data.peakGpuBytes = gpu;
  if (typeof summary?.peak_gpu_exact === "boolean") data.peakGpuExact = summary.peak_gpu_exact;
  else if (gpu !== undefined) data.peakGpuExact = false;
  const threshold = number(summary, "threshold_bytes");
  if (threshold !== undefined) data.thresholdBytes = threshold;
  const thresholdGiven = string(summary, "threshold_given");
  if (thresholdGiven !== undefined) data.thresholdGiven = thresholdGiven;
  const exitCode = number(summary, "exit_code");
  if (exitCode !== undefined) data.exitCode = exitCode;
  const signal = string(summary, "signal");
  if (signal !== undefined) data.signal = signal;
  const duration = number(summary, "duration_ms") ?? samples.at(-1)?.tMs;
  if (duration !== undefined) data.durationMs = duration;
  if (processes) data.processes = processes;
  if (programs) data.programs = programs;
  // The report's names; timelines written by earlier versions said limit_bytes, limit_source.
  const limit = number(summary, "memory_limit_bytes") ?? number(summary, "limit_bytes");
  if (limit !== undefined) data.limitBytes = limit;
  const limitSource = string(summary, "memory_limit_source") ?? string(summary, "limit_source");
  if (limitSource !== undefined) data.limitSource = limitSource;
  const limitGiven = string(summary, "memory_limit_given");
  if (limitGiven !== undefined) data.limitGiven = limitGiven;
  const cgroupPeak = number(summary, "cgroup_peak_bytes");
  if (cgroupPeak !== undefined) data.cgroupPeakBytes = cgroupPeak;
  const oomKill = oomKillFrom(summary?.oom_kill);
  if (oomKill) data.oomKill = oomKill;
  return data;
}

/** An OOM kill needs its time to be drawn; without one (or not an object) it is left out. */
function oomKillFrom(value: unknown): OomKill | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const object = value as Json;
  if (typeof object.at_ms !== "number" || !Number.isFinite(object.at_ms)) return undefined;
  const kill: OomKill = { atMs: object.at_ms };
  if (typeof object.pid === "number") kill.pid = object.pid;
  if (typeof object.name === "string") kill.name = object.name;
  if (typeof object.certain === "boolean") kill.certain = object.certain;
  return kill;
}

/** A program of the summary; one without a name cannot be told from the others and is left out. */
function programFrom(value: unknown): ProgramUsage[] {
  if (typeof value !== "object" || value === null || typeof (value as Json).name !== "string") return [];
  const object = value as Json;
  const number = (key: string) => (typeof object[key] === "number" && Number.isFinite(object[key]) ? (object[key] as number) : 0);
  return [
    {
      name: object.name as string,
      processes: number("processes"),
      maxProcessPeakBytes: number("max_process_peak_bytes"),
      rssAtPeakBytes: number("rss_at_peak_bytes"),
      peakRssBytes: number("peak_rss_bytes"),
      processSeconds: number("process_seconds"),
    },
  ];
}

function processFrom(value: unknown): ProcessSummary {
  const object = value as Json;
  const number = (key: string) => (typeof object[key] === "number" ? (object[key] as number) : 0);
  const summary: ProcessSummary = {
    pid: number("pid"),
    ppid: number("ppid"),
    name: typeof object.name === "string" ? object.name : "?",
    depth: number("depth"),
    peakRss: number("peak_rss_bytes"),
    firstSeenMs: number("first_seen_ms"),
    lastSeenMs: number("last_seen_ms"),
  };
  if (typeof object.rss_at_peak_bytes === "number") summary.rssAtPeak = object.rss_at_peak_bytes;
  return summary;
}
