import { UsageError } from "../core/errors.ts";
import { DEFAULT_REGRESSION_THRESHOLD_PERCENT } from "./options.ts";
import { unitNamed, UNIT_NAMES } from "../core/size/units.ts";
import { checkBaselineName } from "../baseline/name.ts";
import type { BaselineAction, BaselineSettings } from "../baseline/settings.ts";

export type { BaselineAction, BaselineSettings };

// The baseline options, validated for src/cli/config.ts: names are checked here, before
// anything runs. `--list-baselines` and `--delete-baseline NAME` are actions of their own
// (they run nothing); the others go with a command.

type Options = Map<string, string | true>;

/** --list-baselines or --delete-baseline NAME, with only --baseline-dir (and --units for the list) beside it. */
export function baselineAction(options: Options, command: string[]): BaselineAction | undefined {
  const list = options.has("list-baselines");
  const remove = options.get("delete-baseline");
  if (!list && remove === undefined) return undefined;
  const flag = list ? "--list-baselines" : "--delete-baseline";
  if (list && remove !== undefined) throw new UsageError("--list-baselines and --delete-baseline cannot be used together: choose one");
  const allowed = list ? ["list-baselines", "baseline-dir", "units"] : ["delete-baseline", "baseline-dir"];
  const other = [...options.keys()].find((name) => !allowed.includes(name));
  if (other !== undefined) throw new UsageError(`${flag} cannot be used with --${other}: it runs nothing`);
  if (command.length > 0) throw new UsageError(`${flag} runs nothing: remove the command`);
  const dir = baselineDirOption(options);
  const withDir = dir === undefined ? {} : { dir };
  if (list) {
    const given = options.get("units");
    if (given === undefined) return { kind: "list-baselines", ...withDir };
    const units = unitNamed(String(given));
    if (!units) throw new UsageError(`invalid --units '${given}': expected one of ${UNIT_NAMES.join(", ")}`);
    return { kind: "list-baselines", ...withDir, units };
  }
  return { kind: "delete-baseline", name: checkBaselineName(String(remove), "--delete-baseline"), ...withDir };
}

/** The settings for a run, or undefined when it neither saves nor compares. */
export function baselineSettings(options: Options): BaselineSettings | undefined {
  const save = options.get("save-baseline");
  const compare = options.get("compare-baseline");
  const threshold = options.get("regression-threshold");
  const dir = baselineDirOption(options);
  if (threshold !== undefined && compare === undefined) {
    throw new UsageError("--regression-threshold needs --compare-baseline NAME: the baseline to compare with");
  }
  if (save === undefined && compare === undefined) {
    if (dir !== undefined) throw new UsageError("--baseline-dir needs --save-baseline, --compare-baseline, --list-baselines or --delete-baseline");
    return undefined;
  }
  return {
    ...(dir !== undefined && { dir }),
    ...(save !== undefined && { save: checkBaselineName(String(save), "--save-baseline") }),
    ...(compare !== undefined && { compare: checkBaselineName(String(compare), "--compare-baseline") }),
    thresholdPercent: threshold === undefined ? DEFAULT_REGRESSION_THRESHOLD_PERCENT : parseThresholdPercent(String(threshold)),
  };
}

export const MAX_REGRESSION_THRESHOLD_PERCENT = 1_000_000;
const MAX_DECIMALS = 6;

/**
 * A number of percent from 0 to 1000000, up to 6 decimals, an optional % sign: 10, 2.5, 0,
 * 15%. The bound is checked on the digits, not the float (1000000.0000001 would round to
 * the bound). 7 digits and 6 decimals stay within a double's 15 exact digits, so the report
 * shows the threshold exactly as typed.
 */
export function parseThresholdPercent(text: string): number {
  const match = /^\s*(\d*)(?:\.(\d*))?\s*%?\s*$/.exec(text);
  const whole = (match?.[1] ?? "").replace(/^0+(?=\d)/, "");
  const decimals = (match?.[2] ?? "").replace(/0+$/, "");
  const invalid = (expected: string) => new UsageError(`invalid --regression-threshold '${text}': expected ${expected}`);
  if (!match || (match[1] === "" && !match[2])) throw invalid(`a percentage from 0 to ${MAX_REGRESSION_THRESHOLD_PERCENT}, such as 10 or 2.5`);
  const limit = String(MAX_REGRESSION_THRESHOLD_PERCENT);
  const over = whole.length > limit.length || (whole.length === limit.length && (whole > limit || (whole === limit && decimals !== "")));
  if (over) throw invalid(`a percentage from 0 to ${MAX_REGRESSION_THRESHOLD_PERCENT}`);
  if (decimals.length > MAX_DECIMALS) throw invalid(`a percentage with at most ${MAX_DECIMALS} decimal places`);
  return Number(`${whole || "0"}.${decimals || "0"}`);
}

function baselineDirOption(options: Options): string | undefined {
  const dir = options.get("baseline-dir");
  if (dir === undefined) return undefined;
  if (dir === "") throw new UsageError("--baseline-dir needs a directory");
  return String(dir);
}
