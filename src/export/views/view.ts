import type { Figure } from "../../model/series.ts";
import type { Report } from "../../model/report.ts";
import type { TimelineSample } from "../../model/chart-data.ts";

// A view says how one group of the report shows in every format, so that the formats loop
// over views instead of naming facts: the rows the terminal and Markdown both show (the same
// rows, laid out each its own way), the tables after them, the JSON fields, the CSV columns,
// the figures a series keeps statistics of, a run's note in a series, and what a timeline
// sample carries. The original report
// fields (the four terminal lines, the seven JSON keys and CSV columns) are written by the
// formats themselves, first and unchanged; views add to them. src/export/views/index.ts
// lists the views in the order every format shows them.

/** How a format shows sizes and outside text. */
export interface Show {
  size(bytes: number): string;
  /** A process or program name made visible for this format (escaped: it comes from outside). */
  name(text: string): string;
  /** Other text from outside (a baseline's name), made visible. */
  text(text: string): string;
}

/** One labelled fact. The terminal shows `Label: text`; Markdown a table row. */
export interface FactRow {
  label: string;
  text: string;
  /** "bad": the run suffered from it; "warn": it came close, or a figure may be low; "good": a check passed. */
  tone?: "bad" | "warn" | "good";
  /** The whole line stands out on a terminal (a crossed threshold, a regression). */
  loud?: boolean;
  /** Shown on a terminal only with -v; Markdown, a record, shows every row. */
  detail?: boolean;
}

/** A cell: text, or a name from outside that each format escapes its own way (after `prefix`, plain text). */
export type TableCell = string | { name: string; prefix?: string };

/** A table after the rows: a title line, a header, rows (the first column left-aligned). */
export interface FactTable {
  title: string;
  header: string[];
  rows: TableCell[][];
  /** Rows left out (the terminal shows at most so many): "… and N more". */
  more?: number;
  detail?: boolean;
}

export interface View {
  /** What the view shows, for tests and docs: the group's name. */
  readonly group: string;
  rows?(report: Report, show: Show): FactRow[];
  /** `terminal`: the terminal's cut of long tables; Markdown and JSON have them whole. */
  tables?(report: Report, show: Show, terminal: boolean): FactTable[];
  /** Its JSON fields, after the original ones; `verbose`: what -v adds (the process list). */
  json?(report: Report, verbose: boolean): Record<string, unknown>;
  /** Its CSV columns, always all of them (a cell is empty where the fact is not known), so that every CSV of peak-mem has one header. */
  readonly csv?: readonly CsvColumn[];
  /** The figures a series keeps statistics of. */
  readonly figures?: readonly Figure[];
  /** A run's short note in a series' table of runs ("killed by the OOM killer"). */
  note?(report: Report, show: Show): string | undefined;
  /** What a timeline sample carries of this group: its fields in .json, .jsonl and .csv. */
  readonly sample?: readonly SampleField[];
}

/**
 * One field of a timeline sample, under one name as a JSON key and a CSV column. A number is
 * saved as it is; a list as JSON (in CSV, quoted as RFC 4180 says).
 */
export interface SampleField {
  readonly name: string;
  /** Its value in `sample`; undefined where this sample does not carry it (left out of JSON, an empty CSV cell). */
  write(sample: TimelineSample): number | readonly unknown[] | undefined;
  /** Puts a saved value back into `sample`; throws, naming the field, on a value it cannot be. */
  read(value: unknown, sample: TimelineSample): void;
  /** Every sample carries it: a timeline without it is refused. */
  readonly required?: boolean;
}

type NumberKey = { [K in keyof TimelineSample]-?: TimelineSample[K] extends number | undefined ? K : never }[keyof TimelineSample];

/** A sample's number field `key`, saved as `name`. */
export function sampleNumber(name: string, key: NumberKey, required = false): SampleField {
  return {
    name,
    required,
    write: (sample) => sample[key],
    read(value, sample) {
      if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`a sample has no number "${name}"`);
      sample[key] = value;
    },
  };
}

/**
 * The pace and cost of a reading on its own cadence (PSS's, the GPUs'), as JSON: the same keys
 * and rounding in every group that has one. `maxReadMs` is absent from reports made before it.
 */
export function readingsJson(facts: { readings: number; effectiveIntervalMs: number; meanReadMs: number; maxReadMs?: number; budgetPercent: number }): Record<string, number> {
  return {
    readings: facts.readings,
    effective_interval_ms: Math.round(facts.effectiveIntervalMs * 10) / 10,
    mean_read_ms: Math.round(facts.meanReadMs * 1000) / 1000,
    ...(facts.maxReadMs !== undefined && { max_read_ms: Math.round(facts.maxReadMs * 1000) / 1000 }),
    budget_percent: facts.budgetPercent,
  };
}

export interface CsvColumn {
  name: string;
  cell(report: Report): string | number | boolean | undefined;
}
