import { baselineAction, baselineSettings, type BaselineAction, type BaselineSettings } from "../baseline/options.ts";
import { UsageError } from "../errors.ts";
import { parseSize } from "../size/parse.ts";
import { unitNamed, UNIT_NAMES, type Unit } from "../size/units.ts";
import { DEFAULT_INTERVAL_MS } from "./options.ts";
import type { Scanned } from "./scan.ts";

// Turns scanned options into a validated configuration. Everything that can be wrong with
// the user's input is found here, before anything runs.

export type Format = "human" | "json" | "csv" | "quiet" | "markdown";

export const MAX_INTERVAL_MS = 60_000;

export interface Config {
  command: string[];
  format: Format;
  verbose: boolean;
  watch: boolean;
  children: boolean;
  /** Stop the tree once the peak crosses the threshold. */
  killOnThreshold: boolean;
  /** Run the command in a new memory cgroup and report its peak too. */
  cgroup: boolean;
  intervalMs: number;
  thresholdBytes?: number;
  timelinePath?: string;
  outputPath?: string;
  units?: Unit;
  /** --save-baseline / --compare-baseline (src/baseline/): only when one of them is given. */
  baseline?: BaselineSettings;
}

export type Action =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "chart"; input: string; outputPath?: string }
  | BaselineAction
  | { kind: "run"; config: Config };

export function toAction({ options, command }: Scanned): Action {
  if (options.has("help")) return { kind: "help" };
  if (options.has("version")) return { kind: "version" };

  const chart = options.get("chart");
  if (chart !== undefined) return chartAction(String(chart), options, command);
  const listOrDelete = baselineAction(options, command);
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
    cgroup: options.has("cgroup"),
    killOnThreshold: options.has("kill-on-threshold"),
    intervalMs: DEFAULT_INTERVAL_MS,
  };
  const interval = options.get("interval");
  if (interval !== undefined) config.intervalMs = parseInterval(String(interval));
  const threshold = options.get("threshold");
  if (threshold !== undefined) {
    const size = parseSize(String(threshold));
    if (!size.ok) throw new UsageError(`invalid --threshold '${threshold}': ${size.reason}`);
    config.thresholdBytes = size.bytes;
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
  if (config.killOnThreshold && config.thresholdBytes === undefined) {
    throw new UsageError("--kill-on-threshold needs --threshold SIZE: the limit to enforce");
  }
  if (config.cgroup && !config.children) {
    throw new UsageError("--cgroup measures the whole tree: it cannot be used with --no-children");
  }
  const baseline = baselineSettings(options);
  if (baseline) config.baseline = baseline;
  if (command.length === 0) throw new UsageError("no command given (usage: peak-mem [OPTIONS] [--] COMMAND [ARGS...])");
  if (command[0] === "") throw new UsageError("the command name is empty");
  return { kind: "run", config };
}

/** `--chart TIMELINE [-o FILE]`: draws a saved timeline; nothing else applies, nothing runs. */
function chartAction(input: string, options: Map<string, string | true>, command: string[]): Action {
  if (input === "") throw new UsageError("--chart needs a timeline file");
  const others = [...options.keys()].filter((name) => name !== "chart" && name !== "output");
  if (others.length > 0) throw new UsageError(`--chart cannot be used with --${others[0]}: it only draws a saved timeline`);
  if (command.length > 0) throw new UsageError("--chart draws a saved timeline and runs nothing: remove the command");
  const output = options.get("output");
  if (output === "") throw new UsageError("--output needs a file name");
  return output === undefined ? { kind: "chart", input } : { kind: "chart", input, outputPath: String(output) };
}

function parseInterval(text: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_INTERVAL_MS) {
    throw new UsageError(`invalid --interval '${text}': expected whole milliseconds from 1 to ${MAX_INTERVAL_MS}`);
  }
  return value;
}
