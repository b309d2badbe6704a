import type { SeriesReport } from "../../model/series.ts";
import { CSV_HEADER, csvCells } from "../csv.ts";

// A series as CSV: a header and one row per run, in the order the runs ran within each
// command. Each row is the single run's row, every column of it, so that a reader of one run's
// CSV reads each row; then which run of which command (1-based) and whether it was
// interrupted. The statistics are in the other formats: they are a function of these rows.

export const SERIES_HEADER = `${CSV_HEADER},run,command_index,interrupted`;

export function render(series: SeriesReport): string {
  const rows = series.commands.flatMap((command, i) => command.runs.map((run) => [...csvCells(run.report), String(run.run), String(i + 1), String(run.interrupted === true)].join(",")));
  return [SERIES_HEADER, ...rows].map((line) => `${line}\n`).join("");
}
