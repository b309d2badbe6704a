import { displayCommand } from "../../../src/core/text/display-command.ts";
import { seriesReport, type RunFigures, type SeriesInput, type SeriesReport } from "../../../src/model/series.ts";

export const MiB = 2 ** 20;

/** A run of `mib` MiB peak RSS; override what a test is about. */
export function makeRun(run: number, mib: number, overrides: Partial<RunFigures> = {}): RunFigures {
  return {
    run,
    peakRssBytes: mib * MiB,
    peakVszBytes: 2 * mib * MiB,
    durationMs: 200 + run,
    exitCode: 0,
    thresholdExceeded: false,
    timestamp: "2025-05-24T10:30:45Z",
    ...overrides,
  };
}

/** A series of the given commands, each with its runs' peaks in MiB. */
export function makeSeries(commands: [argv: string[], runs: (number | RunFigures)[]][], overrides: Partial<SeriesInput> = {}): SeriesReport {
  return seriesReport({
    commands: commands.map(([argv, runs]) => ({ command: displayCommand(argv), argv, runs: runs.map((run, i) => (typeof run === "number" ? makeRun(i + 1, run) : run)) })),
    runsRequested: Math.max(...commands.map(([, runs]) => runs.length)),
    warmupRuns: 0,
    ignoreFailure: false,
    timestamp: "2025-05-24T10:30:45Z",
    intervalMs: 100,
    version: "0.1.0",
    platform: "linux-x64",
    ...overrides,
  });
}
