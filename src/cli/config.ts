import { baselineAction, baselineSettings, type BaselineAction, type BaselineSettings } from "./baseline-options.ts";
import { UsageError } from "../core/errors.ts";
import { parseSize } from "../core/size/parse.ts";
import { unitNamed, UNIT_NAMES, type Unit } from "../core/size/units.ts";
import { COMPLETION_SHELLS, DEFAULT_INTERVAL_MS, type CompletionShell } from "./options.ts";
import type { Scanned } from "./scan.ts";
import { SEPARATOR, splitCommands } from "./separator.ts";

// Turns scanned options into a validated configuration. Everything that can be wrong with
// the user's input is found here, before anything runs.

export type Format = "human" | "json" | "csv" | "quiet" | "markdown";

export const MAX_INTERVAL_MS = 60_000;
/** --limit below this cannot even start a shell. */
export const MIN_LIMIT_BYTES = 4 * 1024 * 1024;

export interface Config {
  command: string[];
  format: Format;
  verbose: boolean;
  watch: boolean;
  children: boolean;
  /** --pss: read proportional and private memory too (src/monitor/pss.ts). */
  pss: boolean;
  /** --gpu ("on"), --no-gpu ("off"), else "auto": read where a GPU driver or device is present (src/monitor/gpu.ts). */
  gpu: "auto" | "on" | "off";
  /** --gpu-threshold SIZE, and as typed; or N% of each device's memory. */
  gpuThresholdBytes?: number;
  gpuThresholdText?: string;
  gpuThresholdPercent?: number;
  /** Stop the tree once the peak crosses the threshold. */
  killOnThreshold: boolean;
  /** Run the command in a new memory cgroup and report its peak too. */
  cgroup: boolean;
  intervalMs: number;
  thresholdBytes?: number;
  /** --threshold SIZE as typed ("100M"): reports show it so, with its binary form beside it. */
  thresholdText?: string;
  /** --threshold N%: a share of the memory limit, resolved to bytes once the limit is known. */
  thresholdPercent?: number;
  /** --limit SIZE: a new cgroup with the kernel's memory limit set to it (implies cgroup). */
  /** --limit SIZE as typed ("200M"). */
  limitText?: string;
  limitBytes?: number;
  /** --export-json/-csv/-markdown FILE: the report in more formats, beside the main one. */
  exports: ExportTarget[];
  /** GitHub Actions annotations for an OOM kill, a crossed threshold, a regression (off: --no-annotations). */
  annotations: boolean;
  timelinePath?: string;
  outputPath?: string;
  units?: Unit;
  /** --save-baseline / --compare-baseline (src/baseline/): only when one of them is given. */
  baseline?: BaselineSettings;
  /** --runs, --warmup, or commands separated by `---` (src/session/): only when one is given. */
  series?: SeriesSettings;
}

/** A series of runs (src/session/): `command` above is the first of `commands`. */
export interface SeriesSettings {
  /** Each command's argv, in the order given; runs are interleaved, a round each command once. */
  commands: string[][];
  /** Counted runs of each command (--runs, default 1). */
  runs: number;
  /** Runs of each command before those, not counted (--warmup, default 0). */
  warmup: number;
  /** --ignore-failure: a failing run does not stop the series, nor set the exit status. */
  ignoreFailure: boolean;
}

/** Most runs (and warm-up runs) of each command: beyond, a typo rather than a plan. */
export const MAX_RUNS = 100_000;

export interface ExportTarget {
  format: "json" | "csv" | "markdown";
  path: string;
  /** The option as given, for messages. */
  option: string;
}

/** Whole percent or decimals, 0 < N <= 1000: "80%", "12.5%". */
const PERCENT = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/;
const MAX_THRESHOLD_PERCENT = 1000;

export type Action =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "chart"; input: string; outputPath?: string }
  | { kind: "completions"; shell: CompletionShell }
  | BaselineAction
  | { kind: "run"; config: Config };

export function toAction({ options, command: argv }: Scanned): Action {
  if (options.has("help")) return { kind: "help" };
  if (options.has("version")) return { kind: "version" };

  const completions = options.get("completions");
  if (completions !== undefined) return completionsAction(String(completions), options, argv);
  const chart = options.get("chart");
  if (chart !== undefined) return chartAction(String(chart), options, argv);
  const commands = splitCommands(argv);
  const command = commands[0] ?? [];
  const listOrDelete = baselineAction(options, argv);
  if (listOrDelete) return listOrDelete;

  const formats = (["json", "csv", "quiet", "markdown"] as const).filter((name) => options.has(name));
  if (formats.length > 1) {
    throw new UsageError(`--${formats[0]} and --${formats[1]} cannot be used together: choose one output format`);
  }
  const config: Config = {
    command,
    format: formats[0] ?? "human",
    verbose: options.has("verbose"),
    watch: options.has("watch"),
    children: !options.has("no-children"),
    pss: options.has("pss"),
    gpu: options.has("no-gpu") ? "off" : options.has("gpu") ? "on" : "auto",
    cgroup: options.has("cgroup"),
    killOnThreshold: options.has("kill-on-threshold"),
    intervalMs: DEFAULT_INTERVAL_MS,
    exports: [],
    annotations: !options.has("no-annotations"),
  };
  const interval = options.get("interval");
  if (interval !== undefined) config.intervalMs = parseInterval(String(interval));
  const threshold = options.get("threshold");
  if (threshold !== undefined) {
    const parsed = sizeOrShare(String(threshold), "--threshold", "the memory limit");
    if (parsed.percent !== undefined) config.thresholdPercent = parsed.percent;
    else {
      config.thresholdBytes = parsed.bytes;
      config.thresholdText = String(threshold);
    }
  }
  if (options.has("gpu") && options.has("no-gpu")) throw new UsageError("--gpu and --no-gpu cannot be used together");
  const gpuThreshold = options.get("gpu-threshold");
  if (gpuThreshold !== undefined) {
    if (config.gpu === "off") throw new UsageError("--gpu-threshold cannot be used with --no-gpu: it needs the GPU memory read");
    const parsed = sizeOrShare(String(gpuThreshold), "--gpu-threshold", "each device's memory");
    if (parsed.percent !== undefined) config.gpuThresholdPercent = parsed.percent;
    else {
      config.gpuThresholdBytes = parsed.bytes;
      config.gpuThresholdText = String(gpuThreshold);
    }
  }
  const limit = options.get("limit");
  if (limit !== undefined) {
    const size = parseSize(String(limit));
    if (!size.ok) throw new UsageError(`invalid --limit '${limit}': ${size.reason}`);
    // Below a few MiB nothing starts at all: the kernel kills the command before it runs.
    if (size.bytes < MIN_LIMIT_BYTES) throw new UsageError(`invalid --limit '${limit}': it must be at least 4 MiB, or nothing can start under it`);
    config.limitBytes = size.bytes;
    config.limitText = String(limit);
  }
  for (const format of ["json", "csv", "markdown"] as const) {
    const option = `--export-${format}`;
    const path = options.get(`export-${format}`);
    if (path === undefined) continue;
    if (path === "") throw new UsageError(`${option} needs a file name`);
    config.exports.push({ format, path: String(path), option });
  }
  const units = options.get("units");
  if (units !== undefined) {
    config.units = unitNamed(String(units));
    if (!config.units) throw new UsageError(`invalid --units '${units}': expected one of ${UNIT_NAMES.join(", ")}`);
  }
  for (const name of ["timeline", "output"] as const) {
    const path = options.get(name);
    if (path === undefined) continue;
    if (path === "") throw new UsageError(`--${name} needs a file name`);
    config[name === "timeline" ? "timelinePath" : "outputPath"] = String(path);
  }
  if (config.killOnThreshold && config.thresholdBytes === undefined && config.thresholdPercent === undefined) {
    throw new UsageError("--kill-on-threshold needs --threshold SIZE: the limit to enforce");
  }
  if (config.cgroup && !config.children) {
    throw new UsageError("--cgroup measures the whole tree: it cannot be used with --no-children");
  }
  if (config.limitBytes !== undefined && !config.children) {
    throw new UsageError("--limit holds the whole tree to the limit: it cannot be used with --no-children");
  }
  const baseline = baselineSettings(options);
  if (baseline) config.baseline = baseline;
  if (command.length === 0 && commands.length === 1) throw new UsageError("no command given (usage: peak-mem [OPTIONS] [--] COMMAND [ARGS...])");
  commands.forEach((each, i) => {
    const which = commands.length > 1 ? `command ${i + 1} (between separators '${SEPARATOR}')` : "the command";
    if (each.length === 0) throw new UsageError(`${which} is empty: give each command after its own '${SEPARATOR}' (a literal ${SEPARATOR} is written \\${SEPARATOR})`);
    if (each[0] === "") throw new UsageError(commands.length > 1 ? `the name of command ${i + 1} is empty` : "the command name is empty");
  });
  const series = seriesSettings(options, commands, config);
  if (series) config.series = series;
  return { kind: "run", config };
}

/** A size ("512M"), or a share ("80%") of what `of` names; a bad one is a usage error naming `option`. */
function sizeOrShare(text: string, option: string, of: string): { bytes?: number; percent?: number } {
  const percent = PERCENT.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    if (!(value > 0 && value <= MAX_THRESHOLD_PERCENT)) {
      throw new UsageError(`invalid ${option} '${text}': a share of ${of} must be more than 0% and at most ${MAX_THRESHOLD_PERCENT}%`);
    }
    return { percent: value };
  }
  const size = parseSize(text);
  if (!size.ok) throw new UsageError(`invalid ${option} '${text}': ${size.reason} (or a share of ${of}, e.g. 80%)`);
  return { bytes: size.bytes };
}

/** --runs, --warmup, --ignore-failure and several commands: what only a series can do. */
function seriesSettings(options: Map<string, string | true>, commands: string[][], config: Config): SeriesSettings | undefined {
  const runs = options.get("runs");
  const warmup = options.get("warmup");
  const ignoreFailure = options.has("ignore-failure");
  if (runs === undefined && warmup === undefined && commands.length === 1) {
    if (ignoreFailure) throw new UsageError("--ignore-failure applies to a series: give --runs N (or several commands)");
    return undefined;
  }
  if (config.watch) throw new UsageError("--watch cannot be used with a series (--runs, --warmup, several commands): it shows its own progress on stderr");
  if (config.baseline && commands.length > 1) {
    throw new UsageError("--save-baseline and --compare-baseline take one command: compare several commands with each other, or one with a baseline");
  }
  return {
    commands,
    runs: runs === undefined ? 1 : count(String(runs), "--runs", 1),
    warmup: warmup === undefined ? 0 : count(String(warmup), "--warmup", 0),
    ignoreFailure,
  };
}

function count(text: string, option: string, min: number): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > MAX_RUNS) {
    throw new UsageError(`invalid ${option} '${text}': expected a whole number from ${min} to ${MAX_RUNS}`);
  }
  return value;
}

/** `--chart TIMELINE [-o FILE]`: draws a saved timeline; nothing else applies, nothing runs. */
function chartAction(input: string, options: Map<string, string | true>, command: string[]): Action {
  if (input === "") throw new UsageError("--chart needs a timeline file");
  const others = [...options.keys()].filter((name) => name !== "chart" && name !== "output");
  if (others.length > 0) throw new UsageError(`--chart cannot be used with --${others[0]}: it only draws a saved timeline`);
  if (command.length > 0) throw new UsageError("--chart draws a saved timeline and runs nothing: remove the command");
  const output = options.get("output");
  if (output === "") throw new UsageError("--output needs a file name");
  // A chart is HTML or SVG: any other name would get HTML under a name that says otherwise.
  if (output !== undefined && !/\.(html?|svg)$/i.test(String(output))) throw new UsageError(`--chart writes a .html or .svg file, not '${String(output)}'`);
  return output === undefined ? { kind: "chart", input } : { kind: "chart", input, outputPath: String(output) };
}

/** `--completions SHELL`: prints a script; nothing else applies, nothing runs. */
function completionsAction(shell: string, options: Map<string, string | true>, command: string[]): Action {
  const known = COMPLETION_SHELLS.find((name) => name === shell.trim().toLowerCase());
  if (!known) throw new UsageError(`invalid --completions '${shell}': expected one of ${COMPLETION_SHELLS.join(", ")}`);
  const other = [...options.keys()].find((name) => name !== "completions");
  if (other !== undefined) throw new UsageError(`--completions cannot be used with --${other}: it only prints a script`);
  if (command.length > 0) throw new UsageError("--completions prints a script and runs nothing: remove the command");
  return { kind: "completions", shell: known };
}

function parseInterval(text: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_INTERVAL_MS) {
    throw new UsageError(`invalid --interval '${text}': expected whole milliseconds from 1 to ${MAX_INTERVAL_MS}`);
  }
  return value;
}
