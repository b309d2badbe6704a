import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { PeakMemError, UsageError, describe } from "../core/errors.ts";
import type { Report } from "../model/report.ts";
import { checkBaselineName, isBaselineName, showName } from "./name.ts";

// Saved runs, one JSON file per name in one directory: `<dir>/<name>.json`, holding the
// report's fields under the names --json uses. Files are written to a temp file in the same
// directory, flushed, then renamed over the old one, so a reader sees the old baseline or
// the new one, never half of one. Anything wrong with a baseline that is asked for (missing,
// unreadable, corrupt) is one line and exit 2; loading happens before the command runs.

export interface Baseline {
  command: string;
  peakRssBytes: number;
  peakVszBytes: number;
  durationMs: number;
  /** The command's status in the saved run. */
  exitCode?: number;
  /** When the saved run started, RFC 3339 UTC. */
  timestamp: string;
  /** The peak-mem that saved it. */
  version: string;
  platform?: string;
  /**
   * Saved from a series (--runs): each run's figures, in order; the three above are then the
   * medians, so that a peak-mem that knows nothing of series still reads a fair baseline.
   */
  runs?: BaselineRun[];
}

export interface BaselineRun {
  peakRssBytes: number;
  peakVszBytes: number;
  durationMs: number;
}

/**
 * The directory baselines are kept in. Messages name it as the user chose it: `--baseline-dir`
 * given is the user's own; the default is derived from the environment, and when it fails
 * the user is told so, and how to choose another, rather than about an option never typed.
 */
export interface BaselineDir {
  /** Absolute. */
  path: string;
  /** No --baseline-dir was given. */
  isDefault: boolean;
  /** The home directory a default under ~/.cache lies in: it must exist, and is never created. */
  home?: string;
}

type Env = Record<string, string | undefined>;

/** `$XDG_CACHE_HOME/peak-mem/baselines`, else `~/.cache/peak-mem/baselines`. */
export function defaultBaselineDir(env: Env = process.env, home: () => string = homedir): string {
  return defaultLocation(env, home).path;
}

function defaultLocation(env: Env, home: () => string): { path: string; home?: string } {
  const cache = env.XDG_CACHE_HOME;
  // The XDG spec: a relative path in the variable is invalid and is ignored.
  if (cache && isAbsolute(cache)) return { path: join(cache, "peak-mem", "baselines") };
  let homeDir = env.HOME;
  if (!homeDir) {
    try {
      homeDir = home(); // the passwd entry's; it throws for a uid that has none
    } catch {
      homeDir = undefined;
    }
  }
  if (!homeDir) throw new UsageError(`no default baseline directory: HOME is not set and this user has no home directory ${HOW_TO_CHOOSE}`);
  return { path: join(homeDir, ".cache", "peak-mem", "baselines"), home: homeDir };
}

const HOW_TO_CHOOSE = "(set --baseline-dir or XDG_CACHE_HOME)";

/** The resolved directory: `--baseline-dir` when given, else the default. */
export function baselineDir(given: string | undefined, env: Env = process.env, home: () => string = homedir): BaselineDir {
  if (given !== undefined) return { path: resolve(given), isDefault: false };
  const location = defaultLocation(env, home);
  return { path: resolve(location.path), isDefault: true, ...(location.home !== undefined && { home: location.home }) };
}

/** A plain path is a directory the user gave. */
function asDir(dir: string | BaselineDir): BaselineDir {
  return typeof dir === "string" ? { path: dir, isDefault: false } : dir;
}

/** The directory as a message names it: `'dir'`, or `the default baseline directory 'dir'`. */
function shownDir(dir: BaselineDir, option?: string): string {
  if (dir.isDefault) return `the default baseline directory '${dir.path}'`;
  return option === undefined ? `'${dir.path}'` : `${option} '${dir.path}'`;
}

/** After a failure with the default directory, how to choose another. */
function hint(dir: BaselineDir): string {
  return dir.isDefault ? ` ${HOW_TO_CHOOSE}` : "";
}

export function baselineFromReport(report: Report): Baseline {
  return {
    command: report.command,
    peakRssBytes: report.peaks.rss.bytes,
    peakVszBytes: report.peaks.vsz.bytes,
    durationMs: report.durationMs,
    exitCode: report.exitCode,
    timestamp: report.timestamp,
    version: report.build.version,
    platform: report.build.platform,
  };
}

/** The file a name is kept in; the name is checked first, so the file is always directly in `dir`. */
export function baselinePath(dir: string, name: string, option = "baseline"): string {
  return join(dir, `${checkBaselineName(name, option)}.json`);
}

export function serialize(baseline: Baseline): string {
  const object = {
    command: baseline.command,
    peak_rss_bytes: baseline.peakRssBytes,
    peak_vsz_bytes: baseline.peakVszBytes,
    duration_ms: baseline.durationMs,
    ...(baseline.exitCode !== undefined && { exit_code: baseline.exitCode }),
    timestamp: baseline.timestamp,
    version: baseline.version,
    ...(baseline.platform !== undefined && { platform: baseline.platform }),
    ...(baseline.runs && {
      statistic: "median",
      runs: baseline.runs.map((run) => ({ peak_rss_bytes: run.peakRssBytes, peak_vsz_bytes: run.peakVszBytes, duration_ms: run.durationMs })),
    }),
  };
  return `${JSON.stringify(object, null, 2)}\n`;
}

/** The baseline in `text`, or why it is not one (a short phrase). */
export function parse(text: string): Baseline | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "it is not valid JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "it is not a JSON object";
  const object = value as Record<string, unknown>;
  for (const field of ["peak_rss_bytes", "peak_vsz_bytes", "duration_ms"]) {
    const number = object[field];
    if (typeof number !== "number" || !Number.isFinite(number) || number < 0) return `${field} is missing or not a number ≥ 0`;
  }
  for (const field of ["command", "timestamp", "version"]) {
    if (typeof object[field] !== "string") return `${field} is missing or not a string`;
  }
  const exitCode = object.exit_code;
  const platform = object.platform;
  const runs = parseRuns(object.runs);
  if (typeof runs === "string") return runs;
  return {
    command: object.command as string,
    peakRssBytes: object.peak_rss_bytes as number,
    peakVszBytes: object.peak_vsz_bytes as number,
    durationMs: object.duration_ms as number,
    ...(typeof exitCode === "number" && { exitCode }),
    timestamp: object.timestamp as string,
    version: object.version as string,
    ...(typeof platform === "string" && { platform }),
    ...(runs && { runs }),
  };
}

/** A series baseline's runs (absent in a single run's), or why they are not valid. */
function parseRuns(value: unknown): BaselineRun[] | undefined | string {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) return "runs is not a list of runs";
  const runs: BaselineRun[] = [];
  for (const [i, run] of value.entries()) {
    const object = (typeof run === "object" && run !== null ? run : {}) as Record<string, unknown>;
    for (const field of ["peak_rss_bytes", "peak_vsz_bytes", "duration_ms"]) {
      const number = object[field];
      if (typeof number !== "number" || !Number.isFinite(number) || number < 0) return `runs[${i}].${field} is missing or not a number ≥ 0`;
    }
    runs.push({ peakRssBytes: object.peak_rss_bytes as number, peakVszBytes: object.peak_vsz_bytes as number, durationMs: object.duration_ms as number });
  }
  return runs;
}

/** Loads a saved baseline, or a UsageError (exit 2) saying in one line what is wrong with it. */
export function readBaseline(dirGiven: string | BaselineDir, name: string, option = "--compare-baseline"): Baseline {
  const dir = asDir(dirGiven);
  const path = baselinePath(dir.path, name, option);
  const loaded = load(path);
  if ("baseline" in loaded) return loaded.baseline;
  if (loaded.missing) {
    throw new UsageError(`no baseline named ${showName(name)} in ${shownDir(dir)} (save one with --save-baseline; --list-baselines shows them)`);
  }
  if (loaded.corrupt) {
    throw new UsageError(`baseline ${showName(name)} is corrupt ('${path}': ${loaded.problem}): save it again or delete it with --delete-baseline`);
  }
  throw new UsageError(`baseline ${showName(name)} cannot be read: ${loaded.problem}`);
}

type Loaded = { baseline: Baseline } | { missing: true } | { missing?: false; corrupt: boolean; problem: string };

function load(path: string): Loaded {
  let text: string;
  try {
    // A FIFO or a device would block or never end: only a regular file is read.
    if (!statSync(path).isFile()) return { corrupt: false, problem: `'${path}' is not a file` };
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT", "ENOTDIR")) return { missing: true };
    return { corrupt: false, problem: describe(error) };
  }
  const baseline = parse(text);
  return typeof baseline === "string" ? { corrupt: true, problem: baseline } : { baseline };
}

/**
 * Makes sure a baseline can be saved in `dir` before the command runs: the directory is
 * created (with its parents) and must be writable. Problems are usage errors, like an
 * unwritable --output.
 */
export function prepareBaselineDir(dirGiven: string | BaselineDir): void {
  const dir = asDir(dirGiven);
  const refuse = (why: string) => new UsageError(`cannot save baselines in ${shownDir(dir, "--baseline-dir")}: ${why}${hint(dir)}`);
  // A HOME that does not exist (nobody's /nonexistent) is no place to make one, even as root.
  if (dir.home !== undefined && !isDirectory(dir.home)) throw refuse(`the home directory '${dir.home}' does not exist`);
  try {
    mkdirSync(dir.path, { recursive: true });
    if (!statSync(dir.path).isDirectory()) throw new Error("it is not a directory");
    accessSync(dir.path, constants.W_OK);
  } catch (error) {
    throw refuse(isCode(error, "EEXIST", "ENOTDIR") ? "it is not a directory" : isCode(error, "EACCES", "EPERM") ? "permission denied" : describe(error));
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Saves a baseline atomically: a temp file beside the target, flushed to disk, renamed over
 * it. On failure the temp file is removed and a PeakMemError with exit code 1 is thrown (the
 * command has run by then: this is not bad usage). Returns the file's path.
 */
export function writeBaseline(dir: string, name: string, baseline: Baseline): string {
  const path = baselinePath(dir, name, "--save-baseline");
  // Starts with a dot and ends in .tmp: never listed, never taken for a baseline.
  const temp = join(dir, `.${name}.json.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  let created = false;
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, "wx", 0o644);
    created = true;
    try {
      const data = Buffer.from(serialize(baseline));
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    created = false;
  } catch (error) {
    throw new PeakMemError(`cannot save baseline ${showName(name)} to '${path}': ${describe(error)}`, 1);
  } finally {
    if (created) {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone: nothing left behind.
      }
    }
  }
  return path;
}

export interface Listed {
  name: string;
  /** The baseline, or why it cannot be read. */
  baseline: Baseline | { problem: string };
}

/** Every baseline in `dir`, sorted by name; a missing directory holds none. */
export function listBaselines(dirGiven: string | BaselineDir): Listed[] {
  const dir = asDir(dirGiven);
  let files: string[];
  try {
    files = readdirSync(dir.path);
  } catch (error) {
    if (isCode(error, "ENOENT")) return [];
    const why = isCode(error, "ENOTDIR") ? "it is not a directory" : isCode(error, "EACCES", "EPERM") ? "permission denied" : describe(error);
    throw new UsageError(`cannot list baselines in ${shownDir(dir)}: ${why}${hint(dir)}`);
  }
  const names = files
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .filter(isBaselineName)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => {
    const loaded = load(join(dir.path, `${name}.json`));
    if ("baseline" in loaded) return { name, baseline: loaded.baseline };
    // Removed since readdir: listed as gone rather than left out silently.
    if (loaded.missing) return { name, baseline: { problem: "deleted meanwhile" } };
    return { name, baseline: { problem: `${loaded.corrupt ? "corrupt" : "unreadable"}: ${loaded.problem}` } };
  });
}

/** Deletes a saved baseline; a missing one is a UsageError (exit 2). Returns the deleted file's path. */
export function deleteBaseline(dirGiven: string | BaselineDir, name: string): string {
  const dir = asDir(dirGiven);
  const path = baselinePath(dir.path, name, "--delete-baseline");
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`cannot delete baseline ${showName(name)}: '${path}' is a directory`);
    unlinkSync(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (isCode(error, "ENOENT", "ENOTDIR")) throw new UsageError(`no baseline named ${showName(name)} in ${shownDir(dir)} (--list-baselines shows them)`);
    throw new UsageError(`cannot delete baseline ${showName(name)}: ${describe(error)}`);
  }
  return path;
}

function isCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && codes.includes(code);
}
