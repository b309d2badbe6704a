// The words every format uses for the same thing, kept in one place so that the terminal,
// Markdown and the chart's HTML page cannot drift apart (docs/ARCHITECTURE.md has the glossary).

/** The columns of every table of programs, in this order. */
export const PROGRAM_COLUMNS = ["Program", "Processes", "Largest process", "At tree peak", "Own peak", "Process-seconds"] as const;

/** The columns of every table of the tree's processes at its peak, after the process itself. */
export const AT_PEAK_COLUMNS = ["At tree peak", "Own peak"] as const;

/** Process-seconds as every table shows them: 2 decimals, whole from 100 on. */
export function processSeconds(seconds: number): string {
  const value = Number.isFinite(seconds) ? seconds : 0;
  return value.toFixed(value >= 100 ? 0 : 2);
}
