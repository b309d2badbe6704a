import type { PeakSource, Report } from "../../model/report.ts";
import { sampleNumber, type FactRow, type Show, type View } from "./view.ts";

// The tree's peaks beyond the original two: how far the RSS peak can be trusted (exact, or a
// lower bound with the most it can have been), where each came from, the swap, and the
// cgroup's own peak. Reports say in words where a peak came from; JSON keeps the exact source names.

/** What each source of a peak is, in words. */
export const PEAK_SOURCE_WORDS: Record<PeakSource, string> = {
  "sampled-sum": "the tree summed at one sample",
  "process-hwm": "one process's own high-water mark",
  rusage: "the kernel's exact figure for the command (ru_maxrss)",
  cgroup: "the cgroup's own peak",
};

/** The row that says whether the peak RSS is exact, and if not, its bounds: loud where it is a lower bound. */
function boundRow(report: Report, show: Show): FactRow[] {
  const bound = report.peaks.rss.bound;
  if (!bound) return [];
  if (bound.exact) return [{ label: "Peak RSS bound", text: "exact: the most the tree can have held, from each process's own peak and when it lived, meets it", detail: true }];
  // The command, too short to be read, with nothing to say whether it had children: ru_maxrss alone.
  if (bound.upperBytes === report.peaks.rss.bytes) {
    return [{ label: "Peak RSS bound", text: `at most ${show.size(bound.upperBytes)}: the command ended before it could be read, and its ru_maxrss also counts the children it waited for`, tone: "warn" }];
  }
  const least = `at least ${show.size(report.peaks.rss.bytes)}`;
  // With --no-children the bound is the command's ru_maxrss, which counts its children too.
  const why = report.sampling.childrenTracked ? "processes came and went, or grew and shrank, between samples" : "its ru_maxrss, which also counts the children it waited for";
  const text =
    bound.upperBytes !== undefined
      ? `${least}, at most ${show.size(bound.upperBytes)} (${why})`
      : `${least}; no upper bound, since ${bound.noUpper ?? "it cannot be known here"}`;
  return [{ label: "Peak RSS bound", text, tone: "warn" }];
}

export const peaksView: View = {
  group: "peaks",
  sample: [sampleNumber("rss_bytes", "rss", true), sampleNumber("vsz_bytes", "vsz", true)],
  rows(report, show) {
    const { peaks } = report;
    return [
      ...boundRow(report, show),
      // Its own measure, not RSS's: above it by the page cache and kernel memory it is charged
      // for, below it by pages charged elsewhere (a shared library another cgroup read first).
      ...(peaks.cgroup
        ? [{ label: "Cgroup peak", text: `${show.size(peaks.cgroup.bytes)} (${peaks.cgroup.source}: what the cgroup was charged, page cache and kernel memory included, pages charged to other cgroups left out, so above or below RSS)` }]
        : []),
      ...(peaks.swapBytes ? [{ label: "Swap", text: `${show.size(peaks.swapBytes)} of the tree swapped out at most (VmSwap, summed at one sample)`, tone: "warn" as const }] : []),
      { label: "Peak set by", text: `RSS: ${PEAK_SOURCE_WORDS[peaks.rss.source]}; VSZ: ${PEAK_SOURCE_WORDS[peaks.vsz.source]}`, detail: true },
    ];
  },
  json: ({ peaks }) => ({
    peak_rss_source: peaks.rss.source,
    ...(peaks.rss.bound && {
      peak_rss_exact: peaks.rss.bound.exact,
      peak_rss_upper_bytes: peaks.rss.bound.upperBytes ?? null,
      ...(peaks.rss.bound.noUpper !== undefined && { peak_rss_no_upper: peaks.rss.bound.noUpper }),
    }),
    peak_vsz_source: peaks.vsz.source,
    ...(peaks.swapBytes !== undefined && { peak_swap_bytes: peaks.swapBytes }),
    // The file it came from; a cgroup's charge includes page cache and kernel memory.
    ...(peaks.cgroup && { cgroup_peak_bytes: peaks.cgroup.bytes, cgroup_peak_source: peaks.cgroup.source }),
  }),
  csv: [
    { name: "peak_rss_source", cell: (report) => report.peaks.rss.source },
    { name: "peak_rss_exact", cell: (report) => report.peaks.rss.bound?.exact },
    { name: "peak_rss_upper_bytes", cell: (report) => report.peaks.rss.bound?.upperBytes },
    { name: "peak_swap_bytes", cell: (report) => report.peaks.swapBytes },
    { name: "cgroup_peak_bytes", cell: (report) => report.peaks.cgroup?.bytes },
  ],
  figures: [
    { key: "peak_rss_upper_bytes", label: "Peak RSS at most", unit: "bytes", of: (report) => (report.peaks.rss.bound?.exact === false ? report.peaks.rss.bound.upperBytes : undefined) },
    { key: "peak_swap_bytes", label: "Swap", unit: "bytes", of: (report) => report.peaks.swapBytes, shownAbove: 0 },
    { key: "cgroup_peak_bytes", label: "Cgroup peak", unit: "bytes", of: (report) => report.peaks.cgroup?.bytes },
  ],
};
