import { displayCommand } from "../../../src/core/text/display-command.ts";
import { FIGURES } from "../../../src/export/views/index.ts";
import { seriesReport, seriesRun, type SeriesInput, type SeriesReport, type SeriesRun } from "../../../src/model/series.ts";
import { makeReport, type ReportOverrides } from "../fixture.ts";

export const MiB = 2 ** 20;

/**
 * Run `run` of `mib` MiB peak RSS (VSZ twice that, 200 + run ms), as the series keeps it: a
 * whole report without its processes; override what a test is about (`interrupted`: Ctrl-C).
 */
export function makeRun(run: number, mib: number, overrides: ReportOverrides & { interrupted?: boolean } = {}): SeriesRun {
  const { interrupted, peaks, ...rest } = overrides;
  const report = makeReport({
    durationMs: 200 + run,
    ...rest,
    peaks: { ...peaks, rss: { bytes: mib * MiB, ...peaks?.rss }, vsz: { bytes: 2 * mib * MiB, ...peaks?.vsz } },
  });
  return seriesRun(report, run, interrupted === true);
}

/** A series of the given commands, each with its runs' peaks in MiB; each run's report is of its command. */
export function makeSeries(commands: [argv: string[], runs: (number | SeriesRun)[]][], overrides: Partial<SeriesInput> = {}): SeriesReport {
  return seriesReport(
    {
      commands: commands.map(([argv, runs]) => {
        const command = displayCommand(argv);
        return {
          command,
          argv,
          runs: runs.map((run, i) => (typeof run === "number" ? makeRun(i + 1, run) : run)).map((run) => ({ ...run, report: { ...run.report, command, argv } })),
        };
      }),
      runsRequested: Math.max(...commands.map(([, runs]) => runs.length)),
      warmupRuns: 0,
      ignoreFailure: false,
      timestamp: "2025-05-24T10:30:45Z",
      intervalMs: 100,
      version: "0.1.0",
      platform: "linux-x64",
      ...overrides,
    },
    FIGURES,
  );
}
