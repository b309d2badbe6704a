import type { Figure } from "../../model/series.ts";
import type { Report } from "../../model/report.ts";
import { buildView } from "./build.ts";
import { comparisonView } from "./comparison.ts";
import { gpuView } from "./gpu.ts";
import { memoryView } from "./memory.ts";
import { outcomeView } from "./outcome.ts";
import { peaksView } from "./peaks.ts";
import { processesView } from "./processes.ts";
import { programsView } from "./programs.ts";
import { pssView } from "./pss.ts";
import { samplingView } from "./sampling.ts";
import { thresholdView } from "./threshold.ts";
import type { CsvColumn, FactRow, FactTable, SampleField, Show, View } from "./view.ts";

// Every view, in the order every format shows the groups: what happened first, then where and
// how close to its limits, what the tree really cost and who used it, how it was measured,
// the comparison with a baseline, and what measured it.
export const VIEWS: readonly View[] = [outcomeView, peaksView, thresholdView, memoryView, pssView, gpuView, programsView, processesView, samplingView, comparisonView, buildView];

export function factRows(report: Report, show: Show, views = VIEWS): FactRow[] {
  return views.flatMap((view) => view.rows?.(report, show) ?? []);
}

export function factTables(report: Report, show: Show, terminal: boolean, views = VIEWS): FactTable[] {
  return views.flatMap((view) => view.tables?.(report, show, terminal) ?? []);
}

/** The JSON fields every view adds, in view order, after the original ones. */
export function viewJson(report: Report, verbose: boolean, views = VIEWS): Record<string, unknown> {
  return Object.assign({}, ...views.map((view) => view.json?.(report, verbose) ?? {}));
}

/** The CSV columns after the original seven: the same for every run, whatever it measured. */
export const CSV_COLUMNS: readonly CsvColumn[] = VIEWS.flatMap((view) => view.csv ?? []);

/** The figures a series keeps statistics of, in view order. */
export const FIGURES: readonly Figure[] = VIEWS.flatMap((view) => view.figures ?? []);

/**
 * The fields of a timeline sample after its time (t_ms), in view order, those every sample
 * carries first: a timeline's first columns stay where they were when fields are added.
 */
export const SAMPLE_FIELDS: readonly SampleField[] = VIEWS.flatMap((view) => view.sample ?? []).sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)));

/** A run's notes in a series ("over the threshold; OOM kill: 4211 cc1plus"). */
export function runNotes(report: Report, show: Show, views = VIEWS): string[] {
  return views.flatMap((view) => view.note?.(report, show) ?? []);
}

export type { CsvColumn, FactRow, FactTable, SampleField, Show, TableCell, View } from "./view.ts";
