import type { SeriesReport } from "../../model/series.ts";
import { HEADER, quoteField } from "../csv.ts";

// A series as CSV: a header and one row per run, in the order the runs ran within each
// command. The single run's seven columns come first, unchanged, so that a reader of one
// run's CSV reads each row; then which run of which command (1-based), whether it was
// interrupted, the signal that killed it, and with --pss its peak PSS. The statistics are in
// the other formats: they are a function of these rows.

export const SERIES_HEADER = `${HEADER},run,command_index,interrupted,signal`;

export function render(series: SeriesReport): string {
  const pss = series.commands.some((command) => command.runs.some((run) => run.peakPssBytes !== undefined));
  const rows = series.commands.flatMap((command, i) =>
    command.runs.map((run) =>
      [
        command.command,
        run.peakRssBytes,
        run.peakVszBytes,
        run.durationMs,
        run.exitCode,
        run.thresholdExceeded,
        run.timestamp,
        run.run,
        i + 1,
        run.interrupted === true,
        run.signal ?? "",
        ...(pss ? [run.peakPssBytes ?? ""] : []),
      ]
        .map((value) => quoteField(String(value)))
        .join(","),
    ),
  );
  return [`${SERIES_HEADER}${pss ? ",peak_pss_bytes" : ""}`, ...rows].map((line) => `${line}\n`).join("");
}
