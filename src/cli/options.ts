// The one list of peak-mem's options, as plain data: src/cli/scan.ts splits argv with it
// on every run, src/cli/help.ts turns it into --help through cac only when asked (loading
// cac costs start-up time and memory that a measuring tool should not spend).

export const DEFAULT_INTERVAL_MS = 100;
/** --regression-threshold when not given: peak RSS may grow this many percent over the baseline. */
export const DEFAULT_REGRESSION_THRESHOLD_PERCENT = 10;

/** The shells `--completions SHELL` writes a script for (src/cli/completions.ts). */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

export interface OptionSpec {
  /** As shown in --help: "-t, --threshold <SIZE>". A value in <> means the option takes one. */
  flags: string;
  description: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { flags: "-j, --json", description: "Output the report as JSON" },
  { flags: "-c, --csv", description: "Output the report as CSV (header and one row)" },
  { flags: "-q, --quiet", description: "Output only the peak RSS in bytes" },
  { flags: "-m, --markdown", description: "Output the report as a Markdown table (for $GITHUB_STEP_SUMMARY)" },
  { flags: "-v, --verbose", description: "Add samples, interval, processes seen and the source of each peak" },
  { flags: "-w, --watch", description: "Show live memory usage on stderr while the command runs" },
  { flags: "-t, --threshold <SIZE>", description: "Report, and exit 1 on success, when peak RSS exceeds SIZE (512M, 1G, 1.5GiB, or 80% of the memory limit)" },
  { flags: "--kill-on-threshold", description: "Stop the whole tree when peak RSS crosses --threshold (SIGTERM, SIGKILL 1 s later)" },
  { flags: "--pss", description: "Also read the tree's PSS and USS (shared pages divided among their processes), on a cadence kept within 5% of a core" },
  { flags: "--gpu", description: "Read the tree's GPU memory even where no GPU driver is found, and refuse to run where none can be read (on by default where an NVIDIA driver or a DRM device is present)" },
  { flags: "--no-gpu", description: "Do not read GPU memory" },
  { flags: "--gpu-threshold <SIZE>", description: "Report, and exit 1 on success, when the tree's GPU memory on any one device exceeds SIZE (or N% of that device's memory)" },
  { flags: "--no-children", description: "Measure only the command itself, not the processes it starts" },
  { flags: "--cgroup", description: "Also run it in a new cgroup and report the cgroup's exact peak (includes page cache)" },
  { flags: "--limit <SIZE>", description: "Run it in a new cgroup limited to SIZE, so the kernel stops it where a machine of that size would" },
  { flags: "--timeline <FILE>", description: "Record every sample to FILE: .json, .jsonl, .csv, or a chart: .html, .svg" },
  { flags: "--chart <TIMELINE>", description: "Draw a saved .json/.jsonl/.csv timeline as a chart into --output (.html or .svg); runs nothing" },
  { flags: "--interval <MS>", description: `Sampling interval in milliseconds, 1 to 60000 (default ${DEFAULT_INTERVAL_MS})` },
  { flags: "--runs <N>", description: "Run the command N times and report min, median, mean, max and standard deviation (commands separated by --- are compared)" },
  { flags: "--warmup <N>", description: "Run the command N times first, not counted" },
  { flags: "--ignore-failure", description: "In a series, go on after a run that fails, and let failures not set the exit status" },
  { flags: "-o, --output <FILE>", description: "Write the report to FILE instead of stdout" },
  { flags: "--units <UNIT>", description: "Show sizes in UNIT: B, KiB, MiB, GiB, TiB, KB, MB, GB or TB" },
  { flags: "--export-json <FILE>", description: "Also write the report as JSON to FILE" },
  { flags: "--export-csv <FILE>", description: "Also write the report as CSV to FILE" },
  { flags: "--export-markdown <FILE>", description: "Also add the report as Markdown to the end of FILE (e.g. $GITHUB_STEP_SUMMARY)" },
  { flags: "--no-annotations", description: "On GitHub Actions, do not turn an OOM kill, a crossed threshold or a regression into annotations" },
  { flags: "--save-baseline <NAME>", description: "Save this run's peaks and duration as baseline NAME (in --baseline-dir)" },
  { flags: "--compare-baseline <NAME>", description: "Compare with baseline NAME; exit 1 on success when peak RSS grew past --regression-threshold" },
  { flags: "--regression-threshold <PERCENT>", description: `Peak RSS growth allowed over the baseline, in percent (default ${DEFAULT_REGRESSION_THRESHOLD_PERCENT})` },
  { flags: "--baseline-dir <DIR>", description: "Where baselines live (default $XDG_CACHE_HOME/peak-mem/baselines or ~/.cache/peak-mem/baselines)" },
  { flags: "--list-baselines", description: "List saved baselines with their date and peak RSS; runs nothing" },
  { flags: "--delete-baseline <NAME>", description: "Delete saved baseline NAME; runs nothing" },
  { flags: "--completions <SHELL>", description: "Print the completion script for SHELL (bash, zsh or fish); runs nothing" },
  { flags: "-V, --version", description: "Print the version" },
  { flags: "-h, --help", description: "Print this help" },
];
