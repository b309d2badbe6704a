import { formatDuration } from "../../core/text/duration.ts";
import type { View } from "./view.ts";

// How the run was measured: the samples, the processes seen, and what stopped measuring early.
// A figure that may be low says so: a fault in reading the tree leaves the peaks as seen until
// then; a fault in one monitor leaves out only its figures.

/**
 * "12 every 100 ms": the samples on the interval's grid (the start-up burst's and those taken
 * while the tree churned are not counted). A run shorter than the interval was sampled at its
 * start and its end; the effective gap is said only where sampling fell behind the interval.
 */
function samplesText(samples: number, intervalMs: number, effectiveMs: number, durationMs: number): string {
  if (durationMs < intervalMs) return `${samples} every ${intervalMs} ms: at the start and the end of a ${formatDuration(durationMs)} run`;
  const behind = effectiveMs > intervalMs * 1.1 ? ` (effective ${effectiveMs.toFixed(1)} ms: sampling fell behind)` : "";
  return `${samples} every ${intervalMs} ms${behind}`;
}

export const samplingView: View = {
  group: "sampling",
  rows(report) {
    const { sampling } = report;
    return [
      { label: "Samples", text: samplesText(sampling.samples, sampling.intervalMs, sampling.effectiveIntervalMs, report.durationMs), detail: true },
      { label: "Processes seen", text: `${sampling.processesSeen}${sampling.childrenTracked ? "" : " (children not tracked)"}`, detail: true },
      ...(sampling.fault
        ? [
            {
              label: "Incomplete",
              text: `measuring stopped at ${formatDuration(sampling.fault.atMs)} after an internal error (${sampling.fault.message}); the peaks are those seen until then and may be low`,
              tone: "warn" as const,
            },
          ]
        : []),
      ...(sampling.monitorFaults ?? []).map((f) => ({
        label: "Incomplete",
        text: `${f.monitor} stopped at ${formatDuration(f.atMs)} after an internal error (${f.message}); its figures are left out, the rest was measured`,
        tone: "warn" as const,
      })),
    ];
  },
  json: ({ sampling }) => ({
    samples: sampling.samples,
    interval_ms: sampling.intervalMs,
    processes_seen: sampling.processesSeen,
    children_tracked: sampling.childrenTracked,
    // Measuring ended early (the command was still supervised): the peaks may be low.
    ...(sampling.fault && { measurement_error: { message: sampling.fault.message, at_ms: sampling.fault.atMs } }),
    // A monitor that stopped on an internal error: its facts are absent, the rest is whole.
    ...(sampling.monitorFaults && { monitor_errors: sampling.monitorFaults.map((f) => ({ monitor: f.monitor, message: f.message, at_ms: f.atMs })) }),
  }),
  note(report) {
    const notes = [];
    if (report.sampling.fault) notes.push("measuring stopped early: peaks may be low");
    for (const f of report.sampling.monitorFaults ?? []) notes.push(`${f.monitor} failed`);
    return notes.length > 0 ? notes.join("; ") : undefined;
  },
};
