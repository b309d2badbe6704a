import type { Report } from "../model/report.ts";
import { psName } from "../core/text/visible.ts";
import { formatDuration } from "../core/text/duration.ts";

// Sentences that the human report and Markdown both show, worded once: the threshold, how a
// stop went (--kill-on-threshold) and a measurement cut short by an internal error. Each says what
// peak-mem could not do, rather than a number that looks complete.

/** "the process tree was stopped at 1.20s (SIGTERM)", or what survived the attempt. */
export function stopSentence(report: Report): { stopped: boolean; text: string } | undefined {
  if (report.threshold?.stop?.atMs === undefined) return undefined;
  const how = report.threshold?.stop?.escalated ? "SIGTERM, then SIGKILL" : "SIGTERM";
  const at = formatDuration(report.threshold?.stop?.atMs);
  const survivors = report.threshold?.stop?.survivors ?? [];
  if (survivors.length === 0) return { stopped: true, text: `the process tree was stopped at ${at} (${how})` };
  const listed = survivors.map((s) => `${s.pid} ${psName(s.name)}${s.reason ? ` (${s.reason})` : ""}`).join(", ");
  const count = survivors.length === 1 ? "1 process" : `${survivors.length} processes`;
  return { stopped: false, text: `stopping the process tree began at ${at} (${how}), but ${count} could not be stopped and still ran when peak-mem gave up: ${listed}` };
}

/** The threshold as both formats show it: "95.4 MiB (100000000 bytes)", with its share of the limit when given as one. */
export function thresholdText(bytes: number, percent: number | undefined, size: (bytes: number) => string): string {
  const share = percent === undefined ? "" : `, ${percent}% of the memory limit`;
  return `${size(bytes)} (${bytes} bytes${share})`;
}

/** "measuring stopped at 2.10s after an internal error (…): the peaks are what was seen until then" */
export function faultSentence(report: Report): string | undefined {
  if (!report.sampling.fault) return undefined;
  return `measuring stopped at ${formatDuration(report.sampling.fault.atMs)} after an internal error (${report.sampling.fault.message}); the peaks are those seen until then and may be low`;
}

/** "reading the PSS stopped at 2.10s after an internal error (…); its figures are left out", one per monitor. */
export function monitorFaultSentences(report: Report): string[] {
  return (report.sampling.monitorFaults ?? []).map((f) => `${f.monitor} stopped at ${formatDuration(f.atMs)} after an internal error (${f.message}); its figures are left out, the rest was measured`);
}
