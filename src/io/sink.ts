import { UsageError, describe } from "../core/errors.ts";
import { files } from "../platform/files.ts";

// Every byte peak-mem writes goes through a Sink: stdout, stderr or a file opened before
// the command starts (so an unwritable path is a usage error, not a lost report).
// Writes are synchronous so nothing is left in a buffer when peak-mem exits. A write to a
// file that fails part-way (disk full) is taken back whole, so a file of records never
// ends in half of one. Writes go through src/platform/files.ts (libc on Linux, not node:fs);
// node:fs is loaded for a file sink only, when one is opened.

export interface Sink {
  readonly isTerminal: boolean;
  /** Appending to a file that held something: its last two bytes (kept, and written after). */
  readonly keptEnd?: string;
  write(text: string): void;
  close(): void;
}

/** `isTerminal`: the platform's answer (see ProcessReader.isTerminal); only colour and --watch ask. */
export function stdSink(fd: 1 | 2, isTerminal = false): Sink {
  return {
    isTerminal,
    write: (text) => writeAll(fd, text),
    close: () => {},
  };
}

/**
 * The whole of an invocation's output in one write (--version, --help, --completions), by the
 * runtime's own writer: libc is not loaded (bun:ffi) for one write, which cost `--version` a
 * sixth of its time and 3 MiB (measured against an empty program). Resolves once all of it is
 * written; rejects as a write does (EPIPE, ENOSPC: the same codes).
 */
export async function writeWhole(fd: 1 | 2, text: string): Promise<void> {
  await Bun.write(fd === 1 ? Bun.stdout : Bun.stderr, text);
}

/**
 * Opens a file for writing, or explains in one line why not. It is created or emptied, or
 * with `append` (a Markdown summary, which several steps of a job write into one file) kept
 * whole and written after: what was there is never lost, not even to a write that fails.
 */
export function fileSink(path: string, option: string, append = false): Sink {
  const { closeSync, fstatSync, ftruncateSync, openSync, readSync } = process.getBuiltinModule("node:fs");
  let fd: number;
  try {
    fd = openSync(path, append ? "a+" : "w"); // a+: its end is read, for the blank line before
  } catch (error) {
    throw new UsageError(`cannot write ${option} file '${path}': ${failureReason(error)}`);
  }
  let open = true;
  /** Where complete writes end: a failed write is cut back to it (regular files only). */
  let committed = 0;
  // Devices and pipes (/dev/stderr, a FIFO) cannot be written at a position, nor cut back.
  let regular = false;
  let keptEnd: string | undefined;
  try {
    const stat = fstatSync(fd);
    regular = stat.isFile();
    if (regular && append && stat.size > 0) {
      committed = stat.size;
      const tail = Buffer.alloc(Math.min(2, stat.size));
      keptEnd = tail.toString("latin1", 0, readSync(fd, tail, 0, tail.length, stat.size - tail.length));
    }
  } catch {
    // Unknown: written as a stream.
  }
  return {
    isTerminal: false,
    ...(keptEnd !== undefined && { keptEnd }),
    write: (text) => {
      try {
        // At an explicit position: after a write is taken back, the next one follows the last
        // complete write instead of leaving a hole where the failed one stopped. (Appending,
        // the kernel writes at the end whatever the position, which is the same place.)
        committed += writeAll(fd, text, regular ? committed : undefined);
      } catch (error) {
        try {
          ftruncateSync(fd, committed);
        } catch {
          // Not a regular file (a device, a pipe): there is nothing to take back.
        }
        throw error;
      }
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Writes all of `text` (at `position` when given); returns the bytes written. */
function writeAll(fd: number, text: string, position?: number): number {
  const data = Buffer.from(text);
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += files().write(fd, data, offset, data.length - offset, position === undefined ? undefined : position + offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") continue;
      throw error;
    }
  }
  return data.length;
}

/** Why a file could not be opened or written, in words: one table for every output. */
export function failureReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "ENOENT":
      return "its directory does not exist";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EFBIG":
      return "file too large";
    case "EIO":
      return "input/output error";
    case "EPIPE":
      return "the reader went away";
    case "EBADF":
      return "the file is closed";
    default:
      return describe(error);
  }
}
