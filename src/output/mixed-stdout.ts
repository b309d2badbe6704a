import type { Format } from "../cli/config.ts";
import { warn } from "../io/stderr.ts";
import { files } from "../platform/files.ts";

// The report goes to stdout, as the command's own output does (time(1) writes to stderr; the
// original design keeps stdout). Where stdout is a regular file and the command wrote to it
// too, a --json, --csv or --quiet report follows the command's output there, and the file is
// no longer what a parser expects: that is said once, on stderr, with how to keep them apart.

const MACHINE: readonly Format[] = ["json", "csv", "quiet"];

/** Before the command starts: returns the check to make before the report is written, or nothing to check. */
export function watchMixedStdout(format: Format, toStdout: boolean): (() => void) | undefined {
  if (!toStdout || !MACHINE.includes(format)) return undefined;
  const size = regularFileSize();
  if (size === undefined) return undefined;
  return () => {
    const after = regularFileSize();
    if (after !== undefined && after > size) warn(`the command wrote to stdout too, and the --${format} report follows its output in the same file; give -o FILE (or --export-${format === "quiet" ? "json" : format} FILE) to keep the report apart`);
  };
}

/** The size of stdout when it is a regular file, else undefined (a terminal, a pipe, closed). */
const regularFileSize = () => files().regularFileSize(1);
