import type { Comparison, Report } from "../model/report.ts";
import { compareRuns, baselineFigures, type BaselineFigures } from "./compare.ts";
import type { BaselineSettings } from "./settings.ts";
import { baselineDir, baselineFromReport, baselinePath, prepareBaselineDir, readBaseline, writeBaseline, type Baseline } from "./store.ts";

// --save-baseline and --compare-baseline around one run. Opened before the command starts,
// so that a missing or corrupt baseline, or a directory where none can be saved, is exit 2
// with nothing run. Loaded by src/command-line.ts only when one of them is given.

export interface Baselines {
  /** The file --save-baseline will write, if given. */
  savePath?: string;
  /** The comparison with --compare-baseline, if given. */
  compare(report: Report): Comparison | undefined;
  /** Saves the run as --save-baseline, if given. Throws a PeakMemError (exit 1). */
  save(report: Report): { name: string; path: string } | undefined;
  /** A series (src/session/): its medians (of `command`'s runs) against --compare-baseline, if given. */
  compareMedians(medians: BaselineFigures, command?: string): Comparison | undefined;
  /** A series: saves the baseline built from it as --save-baseline, if given. */
  saveBaseline(baseline: Baseline): { name: string; path: string } | undefined;
}

export function openBaselines(settings: BaselineSettings): Baselines {
  const dir = baselineDir(settings.dir);
  const compareName = settings.compare;
  const saveName = settings.save;
  const baseline: Baseline | undefined = compareName === undefined ? undefined : readBaseline(dir, compareName);
  if (saveName !== undefined) prepareBaselineDir(dir);
  return {
    ...(saveName !== undefined && { savePath: baselinePath(dir.path, saveName, "--save-baseline") }),
    compare(report) {
      if (compareName === undefined || baseline === undefined) return undefined;
      const comparison = compareRuns(compareName, baseline, baselineFigures(report), settings.thresholdPercent);
      // Saved for another command: compared all the same (a renamed script, new flags), but said.
      return baseline.command === report.command ? comparison : { ...comparison, baselineCommand: baseline.command };
    },
    save: (report) => (saveName === undefined ? undefined : { name: saveName, path: writeBaseline(dir.path, saveName, baselineFromReport(report)) }),
    compareMedians(medians, command) {
      if (compareName === undefined || baseline === undefined) return undefined;
      const comparison = compareRuns(compareName, baseline, medians, settings.thresholdPercent, true);
      return command === undefined || baseline.command === command ? comparison : { ...comparison, baselineCommand: baseline.command };
    },
    saveBaseline: (saved) => (saveName === undefined ? undefined : { name: saveName, path: writeBaseline(dir.path, saveName, saved) }),
  };
}
