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

/**
 * What each view gives, one list in view order. A loop rather than Array#flatMap: flatMap is
 * JavaScript inside the runtime, compiled at its first call, and this runs once or twice a
 * run, where that compile (a few hundred microseconds) would be most of the cost.
 */
function gather<T>(views: readonly View[], part: (view: View) => readonly T[] | undefined): T[] {
  const all: T[] = [];
  for (const view of views) {
    const items = part(view);
    if (items) for (const item of items) all.push(item);
  }
  return all;
}

export function factRows(report: Report, show: Show, views = VIEWS): FactRow[] {
  return gather(views, (view) => view.rows?.(report, show));
}

export function factTables(report: Report, show: Show, terminal: boolean, views = VIEWS): FactTable[] {
  return gather(views, (view) => view.tables?.(report, show, terminal));
}

/** The JSON fields every view adds, in view order, after the original ones. */
export function viewJson(report: Report, verbose: boolean, views = VIEWS): Record<string, unknown> {
  return Object.assign({}, ...views.map((view) => view.json?.(report, verbose) ?? {}));
}

/** The CSV columns after the original seven: the same for every run, whatever it measured. */
export const CSV_COLUMNS: readonly CsvColumn[] = gather(VIEWS, (view) => view.csv);

/** The figures a series keeps statistics of, in view order. */
export const FIGURES: readonly Figure[] = gather(VIEWS, (view) => view.figures);

/**
 * The fields of a timeline sample after its time (t_ms), in view order, those every sample
 * carries first: a timeline's first columns stay where they were when fields are added.
 */
export const SAMPLE_FIELDS: readonly SampleField[] = gather(VIEWS, (view) => view.sample).sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)));

/** A run's notes in a series ("over the threshold; OOM kill: 4211 cc1plus"). */
export function runNotes(report: Report, show: Show, views = VIEWS): string[] {
  return gather(views, (view) => {
    const note = view.note?.(report, show);
    return note === undefined ? undefined : [note];
  });
}

export type { CsvColumn, FactRow, FactTable, SampleField, Show, TableCell, View } from "./view.ts";
