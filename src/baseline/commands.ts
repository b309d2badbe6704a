import { stdSink } from "../io/sink.ts";
import { say } from "../io/stderr.ts";
import { formatSize } from "../core/size/format.ts";
import { showName } from "./name.ts";
import type { BaselineAction } from "./settings.ts";
import { baselineDir, deleteBaseline, listBaselines } from "./store.ts";

// `--list-baselines` and `--delete-baseline NAME`: they run nothing. Loaded by src/command-line.ts
// only when asked for.

export function baselineCommand(action: BaselineAction): number {
  const dir = baselineDir(action.dir);
  if (action.kind === "delete-baseline") {
    const path = deleteBaseline(dir, action.name);
    stdSink(1).write(`Deleted baseline ${showName(action.name)} ('${path}')\n`);
    return 0;
  }
  const listed = listBaselines(dir);
  // Nothing on stdout (a script reads an empty list), and on stderr where they were looked for.
  if (listed.length === 0) say(`no baselines saved in '${dir.path}'`);
  stdSink(1).write(listingText(listed, action.units));
  return 0;
}

/**
 * One line per baseline, sorted by name: name, when it was saved (the saved run's start,
 * RFC 3339 UTC) and its peak RSS. A file that cannot be read is listed with why, so that it
 * can be deleted. Nothing at all when there are none.
 */
export function listingText(listed: ReturnType<typeof listBaselines>, units?: Parameters<typeof formatSize>[1]): string {
  const width = Math.max(0, ...listed.map((entry) => [...entry.name].length));
  const lines = listed.map(({ name, baseline }) => {
    const padded = name + " ".repeat(width - [...name].length);
    if ("problem" in baseline) return `${padded}  (${baseline.problem})`;
    const of = baseline.runs ? ` (median of ${baseline.runs.length === 1 ? "1 run" : `${baseline.runs.length} runs`})` : "";
    return `${padded}  ${baseline.timestamp}  peak RSS ${formatSize(baseline.peakRssBytes, units)}${of}`;
  });
  return lines.map((line) => `${line}\n`).join("");
}
