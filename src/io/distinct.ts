import type { Stats } from "node:fs";
import { UsageError } from "../core/errors.ts";

// Two outputs written to one file interleave into something that parses as neither (the
// report's JSON and a timeline, say). Whether two paths are one file is asked of the file
// system before anything is opened, so nothing is truncated when the answer is no: an
// existing file by device and inode (a symlink or a hard link is the same file), a file
// yet to be created by the real path it would get. The report's own stdout counts when
// it is a file or a pipe; terminals and devices like /dev/null take any number of writers.
// node:fs and node:path are loaded only when there are outputs to compare: not for a plain run.

export interface NamedOutput {
  /** How the user named it, for the message: "--output", "--timeline", "--save-baseline". */
  option: string;
  path: string;
}

/** Throws a UsageError when two of the outputs (or one and the report's stdout) are one file. */
export function checkDistinctOutputs(outputs: readonly NamedOutput[], stdoutForReport: boolean): void {
  if (outputs.length === 0) return; // stdout alone cannot clash with anything
  const seen = new Map<string, NamedOutput>();
  if (stdoutForReport) {
    const stdout = stdoutIdentity();
    if (stdout) seen.set(stdout, { option: "stdout (where the report goes)", path: "" });
  }
  for (const output of outputs) {
    const id = fileIdentity(output.path);
    if (id === undefined) continue;
    const other = seen.get(id);
    if (other) {
      const them = other.path ? `${other.option} '${other.path}'` : other.option;
      throw new UsageError(`${output.option} '${output.path}' is the same file as ${them}: give each output its own file`);
    }
    seen.set(id, output);
  }
}

function stdoutIdentity(): string | undefined {
  try {
    const stats = process.getBuiltinModule("node:fs").fstatSync(1);
    return shared(stats) ? inode(stats) : undefined;
  } catch {
    return undefined;
  }
}

/** Only regular files and pipes are spoilt by a second writer. */
function shared(stats: Stats): boolean {
  return stats.isFile() || stats.isFIFO() || stats.isSocket();
}

function inode(stats: Stats): string {
  return `inode:${stats.dev}:${stats.ino}`;
}

/**
 * The file a path names or would create; undefined when it cannot be told (the open will say
 * why). Paths are never normalised as text: `s/../x` through a symlinked `s` is not `./x`, so
 * the directory is resolved by the kernel (realpath) and a link's target is taken from there.
 */
export function fileIdentity(path: string, depth = 0): string | undefined {
  const { lstatSync, readlinkSync, realpathSync, statSync } = process.getBuiltinModule("node:fs");
  const { basename, dirname, isAbsolute } = process.getBuiltinModule("node:path");
  try {
    const stats = statSync(path);
    return shared(stats) ? inode(stats) : undefined;
  } catch {
    // Not there yet, or a dangling symlink: where would it be created?
  }
  let directory: string;
  try {
    // The native realpath(3): the JavaScript one normalises `..` as text first.
    directory = realpathSync.native(dirname(path));
  } catch {
    return undefined;
  }
  try {
    if (depth < 40 && lstatSync(path).isSymbolicLink()) {
      const target = readlinkSync(path);
      return fileIdentity(isAbsolute(target) ? target : `${directory}/${target}`, depth + 1);
    }
  } catch {
    // Not a symlink either: a new file.
  }
  return `path:${directory}/${basename(path)}`;
}
