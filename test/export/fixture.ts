import type { BuildFacts, Peak, PeakFacts, Report, SamplingFacts } from "../../src/model/report.ts";
import { displayCommand } from "../../src/core/text/display-command.ts";

/**
 * What a test may override of makeReport's report: any top-level field whole (threshold
 * included), and within peaks, sampling and build just the fields it is about (the rest
 * keep their defaults; a peak's bytes without its source, too).
 */
export interface ReportOverrides extends Partial<Omit<Report, "peaks" | "sampling" | "build">> {
  peaks?: Partial<Omit<PeakFacts, "rss" | "vsz">> & { rss?: Partial<Peak>; vsz?: Partial<Peak> };
  sampling?: Partial<SamplingFacts>;
  build?: Partial<BuildFacts>;
}

/**
 * A complete report of a plain successful run; override what a test is about. An `argv`
 * override also sets `command` (as src/session/run.ts derives it) unless that is given too.
 */
export function makeReport(overrides: ReportOverrides = {}): Report {
  const { peaks, sampling, build, ...rest } = overrides;
  return {
    command: overrides.argv ? displayCommand(overrides.argv) : "cargo build --release",
    argv: ["cargo", "build", "--release"],
    durationMs: 14_200,
    exitCode: 0,
    timestamp: "2025-05-24T10:30:45Z",
    processes: [
      { pid: 100, ppid: 1, name: "cargo", depth: 0, peakRss: 50 * 2 ** 20, rssAtPeak: 40 * 2 ** 20, firstSeenMs: 0, lastSeenMs: 14_100 },
      { pid: 120, ppid: 100, name: "rustc", depth: 1, peakRss: 447 * 2 ** 20, rssAtPeak: 447 * 2 ** 20, firstSeenMs: 300, lastSeenMs: 14_000 },
      { pid: 130, ppid: 100, name: "build script", depth: 1, peakRss: 3 * 2 ** 20, firstSeenMs: 100, lastSeenMs: 200 },
    ],
    ...rest,
    peaks: {
      ...peaks,
      rss: { bytes: Math.round(487.3 * 2 ** 20), source: "sampled-sum", ...peaks?.rss },
      vsz: { bytes: Math.round(892.1 * 2 ** 20), source: "process-hwm", ...peaks?.vsz },
    },
    sampling: {
      samples: 142,
      intervalMs: 100,
      effectiveIntervalMs: 100,
      processesSeen: 7,
      childrenTracked: true,
      ...sampling,
    },
    build: { version: "0.1.0", platform: "linux", ...build },
  };
}
