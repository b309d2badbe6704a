import { readingsJson, type View } from "./view.ts";

// --pss: the tree's PSS at its peak, and the USS and swapped PSS of that same reading, labelled
// as sampled, with how often they were read. Processes not peak-mem's to read are counted by RSS.

export const pssView: View = {
  group: "pss",
  rows(report, show) {
    const pss = report.pss;
    if (!pss) return [];
    if (pss.readings === 0) return [{ label: "Peak PSS", text: `not read: the command ended before its first PSS reading (${pss.source})`, tone: "warn" }];
    const parts = [show.size(pss.peakPssBytes)];
    if (pss.ussAtPeakBytes !== undefined) parts.push(`USS ${show.size(pss.ussAtPeakBytes)}`);
    if (pss.swapPssAtPeakBytes) parts.push(`swap PSS ${show.size(pss.swapPssAtPeakBytes)}`);
    if (parts.length > 1) parts[parts.length - 1] += " then";
    const cadence =
      pss.readings === 1
        ? "1 reading"
        : `${pss.readings} readings, every ${Math.round(pss.effectiveIntervalMs)} ms on average, ${pss.meanReadMs.toFixed(2)} ms each, within ${pss.budgetPercent}% of a core`;
    return [
      { label: "Peak PSS", text: `${parts.join(", ")} (${pss.source}, summed over the tree at one reading; ${cadence})` },
      ...(pss.unreadable > 0
        ? [{ label: "PSS unreadable", text: `${pss.unreadable === 1 ? "1 process" : `${pss.unreadable} processes`} not peak-mem's to read (another user's): counted by RSS`, tone: "warn" as const }]
        : []),
    ];
  },
  json(report) {
    const pss = report.pss;
    if (!pss) return {};
    const read = pss.readings > 0;
    return {
      ...(read && { peak_pss_bytes: pss.peakPssBytes }),
      ...(read && pss.ussAtPeakBytes !== undefined && { uss_at_pss_peak_bytes: pss.ussAtPeakBytes }),
      ...(read && pss.swapPssAtPeakBytes !== undefined && { swap_pss_at_pss_peak_bytes: pss.swapPssAtPeakBytes }),
      pss_sampling: {
        source: pss.source,
        ...readingsJson(pss),
        unreadable_processes: pss.unreadable,
      },
    };
  },
  // Empty when not asked for, or not read (the command ended first).
  csv: [
    { name: "peak_pss_bytes", cell: (report) => (report.pss?.readings ? report.pss.peakPssBytes : undefined) },
    { name: "uss_at_pss_peak_bytes", cell: (report) => (report.pss?.readings ? report.pss.ussAtPeakBytes : undefined) },
    { name: "swap_pss_at_pss_peak_bytes", cell: (report) => (report.pss?.readings ? report.pss.swapPssAtPeakBytes : undefined) },
  ],
  figures: [{ key: "peak_pss_bytes", label: "Peak PSS", unit: "bytes", of: (report) => (report.pss?.readings ? report.pss.peakPssBytes : undefined) }],
};
