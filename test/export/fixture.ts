import type { Report } from "../../src/model/report.ts";
import { displayCommand } from "../../src/core/text/display-command.ts";

/**
 * A complete report of a plain successful run; override what a test is about. An `argv`
 * override also sets `command` (as src/run.ts derives it) unless that is given too.
 */
export function makeReport(overrides: Partial<Report> = {}): Report {
  return {
    command: overrides.argv ? displayCommand(overrides.argv) : "cargo build --release",
    argv: ["cargo", "build", "--release"],
    peakRssBytes: Math.round(487.3 * 2 ** 20),
    peakVszBytes: Math.round(892.1 * 2 ** 20),
    rssSource: "sampled-sum",
    vszSource: "process-hwm",
    durationMs: 14_200,
    exitCode: 0,
    thresholdExceeded: false,
    timestamp: "2025-05-24T10:30:45Z",
    samples: 142,
    intervalMs: 100,
    effectiveIntervalMs: 100,
    processesSeen: 7,
    childrenTracked: true,
    processes: [
      { pid: 100, ppid: 1, name: "cargo", depth: 0, peakRss: 50 * 2 ** 20, rssAtPeak: 40 * 2 ** 20, firstSeenMs: 0, lastSeenMs: 14_100 },
      { pid: 120, ppid: 100, name: "rustc", depth: 1, peakRss: 447 * 2 ** 20, rssAtPeak: 447 * 2 ** 20, firstSeenMs: 300, lastSeenMs: 14_000 },
      { pid: 130, ppid: 100, name: "build script", depth: 1, peakRss: 3 * 2 ** 20, firstSeenMs: 100, lastSeenMs: 200 },
    ],
    version: "0.1.0",
    platform: "linux",
    ...overrides,
  };
}
