import type { PeakSource } from "../../model/report.ts";
import { sampleNumber, type View } from "./view.ts";

// The tree's peaks beyond the original two: where each came from, the swap, and the cgroup's
// own peak. Reports say in words where a peak came from; JSON keeps the exact source names.

/** What each source of a peak is, in words. */
export const PEAK_SOURCE_WORDS: Record<PeakSource, string> = {
  "sampled-sum": "the tree summed at one sample",
  "process-hwm": "one process's own high-water mark",
  rusage: "the kernel's exact figure for the command (ru_maxrss)",
  cgroup: "the cgroup's own peak",
};

export const peaksView: View = {
  group: "peaks",
  sample: [sampleNumber("rss_bytes", "rss", true), sampleNumber("vsz_bytes", "vsz", true)],
  rows(report, show) {
    const { peaks } = report;
    return [
      ...(peaks.cgroup ? [{ label: "Cgroup peak", text: `${show.size(peaks.cgroup.bytes)} (${peaks.cgroup.source}; includes page cache and kernel memory)` }] : []),
      ...(peaks.swapBytes ? [{ label: "Swap", text: `${show.size(peaks.swapBytes)} of the tree swapped out at most (VmSwap, summed at one sample)`, tone: "warn" as const }] : []),
      { label: "Peak set by", text: `RSS: ${PEAK_SOURCE_WORDS[peaks.rss.source]}; VSZ: ${PEAK_SOURCE_WORDS[peaks.vsz.source]}`, detail: true },
    ];
  },
  json: ({ peaks }) => ({
    peak_rss_source: peaks.rss.source,
    peak_vsz_source: peaks.vsz.source,
    ...(peaks.swapBytes !== undefined && { peak_swap_bytes: peaks.swapBytes }),
    // The file it came from; a cgroup's charge includes page cache and kernel memory.
    ...(peaks.cgroup && { cgroup_peak_bytes: peaks.cgroup.bytes, cgroup_peak_source: peaks.cgroup.source }),
  }),
  csv: [
    { name: "peak_rss_source", cell: (report) => report.peaks.rss.source },
    { name: "peak_swap_bytes", cell: (report) => report.peaks.swapBytes },
    { name: "cgroup_peak_bytes", cell: (report) => report.peaks.cgroup?.bytes },
  ],
  figures: [
    { key: "peak_swap_bytes", label: "Swap", unit: "bytes", of: (report) => report.peaks.swapBytes, shownAbove: 0 },
    { key: "cgroup_peak_bytes", label: "Cgroup peak", unit: "bytes", of: (report) => report.peaks.cgroup?.bytes },
  ],
};
