import { formatDuration } from "../../core/text/duration.ts";
import { typedDiffers } from "../../core/size/format.ts";
import type { Report } from "../../model/report.ts";
import type { FactRow, Show, View } from "./view.ts";

// --threshold: whether the tree's peak RSS went over it, and with --kill-on-threshold how
// stopping the tree went. A stop that could not end every process says so, with who survived.

/** "100M (95.4 MiB, 100000000 bytes)" as typed, "95.4 MiB (100000000 bytes, 80% of the memory limit)" as a share. */
export function thresholdText(bytes: number, percent: number | undefined, size: (bytes: number) => string, given?: string): string {
  const share = percent === undefined ? "" : `, ${percent}% of the memory limit`;
  if (given === undefined) return `${size(bytes)} (${bytes} bytes${share})`;
  return typedDiffers(given) ? `${given} (${size(bytes)}, ${bytes} bytes)` : `${given} (${bytes} bytes)`;
}

/** "the process tree was stopped at 1.20s (SIGTERM)", or what survived the attempt. */
function stopRow(report: Report, show: Show): FactRow | undefined {
  const stop = report.threshold?.stop;
  if (!stop) return undefined;
  const how = stop.escalated ? "SIGTERM, then SIGKILL" : "SIGTERM";
  const at = formatDuration(stop.atMs);
  const survivors = stop.survivors ?? [];
  if (survivors.length === 0) return { label: "STOPPED", text: `the process tree was stopped at ${at} (${how})`, tone: "bad" };
  const listed = survivors.map((s) => `${s.pid} ${show.name(s.name)}${s.reason ? ` (${s.reason})` : ""}`).join(", ");
  const count = survivors.length === 1 ? "1 process" : `${survivors.length} processes`;
  return {
    label: "NOT STOPPED",
    text: `stopping the process tree began at ${at} (${how}), but ${count} could not be stopped and still ran when peak-mem gave up: ${listed}`,
    tone: "bad",
    loud: true,
  };
}

export const thresholdView: View = {
  group: "threshold",
  rows(report, show) {
    const threshold = report.threshold;
    if (!threshold) return [];
    const peak = show.size(report.peaks.rss.bytes);
    const limit = thresholdText(threshold.bytes, threshold.percent, show.size, threshold.given);
    const stop = stopRow(report, show);
    return threshold.exceeded
      ? [{ label: "THRESHOLD EXCEEDED", text: `peak RSS ${peak} is over the threshold of ${limit}`, tone: "bad", loud: true }, ...(stop ? [stop] : [])]
      : [{ label: "Threshold", text: `peak RSS ${peak} is within the threshold of ${limit}`, tone: "good", detail: true }];
  },
  json(report) {
    const threshold = report.threshold;
    if (!threshold) return {};
    const stop = threshold.stop;
    return {
      threshold_bytes: threshold.bytes,
      ...(threshold.given !== undefined && { threshold_given: threshold.given }),
      ...(threshold.percent !== undefined && { threshold_percent: threshold.percent }),
      ...(stop && { stopped_by_threshold: true, stopped_at_ms: stop.atMs, stop_escalated: stop.escalated }),
      // Processes a stop could not end: the stop is not claimed whole.
      ...(stop?.survivors && { stop_survivors: stop.survivors.map((s) => ({ pid: s.pid, name: s.name, ...(s.reason && { reason: s.reason }) })) }),
    };
  },
  csv: [{ name: "threshold_bytes", cell: (report) => report.threshold?.bytes }],
  note: (report) => (report.threshold?.exceeded ? "over the threshold" : undefined),
};
