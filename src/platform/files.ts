import type { SyncFiles } from "./linux/ffi.ts";

// The file access of the Linux reader and of every write peak-mem makes. On Linux it goes
// through libc (bun:ffi, loaded anyway for prctl): loading node:fs (with node:os and
// node:path) was the largest part of Bun's start-up that peak-mem could avoid, about 1.5 ms
// and 2 MiB of every run. Elsewhere, or where libc cannot be loaded, node:fs does the same,
// loaded on first use. Errors are node:fs's either way: the same codes, messages and fields.

let chosen: SyncFiles | undefined;

/** The file calls of this system: libc's on Linux, else node:fs's. */
export function files(): SyncFiles {
  return (chosen ??= (process.platform === "linux" ? (require("./linux/ffi.ts") as typeof import("./linux/ffi.ts")).libcFiles(nodeFiles) : undefined) ?? nodeFiles());
}

let viaNode: SyncFiles | undefined;

function nodeFiles(): SyncFiles {
  if (viaNode) return viaNode;
  const fs = process.getBuiltinModule("node:fs");
  return (viaNode = {
    openRead: (path) => fs.openSync(path, "r"),
    pread: (fd, buffer, position) => fs.readSync(fd, buffer, 0, buffer.length, position),
    read: (fd, buffer, offset, length) => fs.readSync(fd, buffer, offset, length, null),
    close: (fd) => fs.closeSync(fd),
    readAll(path) {
      const buffer = fs.readFileSync(path);
      return { buffer, length: buffer.length };
    },
    tryReadAll(path) {
      try {
        const buffer = fs.readFileSync(path);
        return { buffer, length: buffer.length };
      } catch {
        return undefined;
      }
    },
    exists: (path) => fs.existsSync(path),
    readlink: (path) => fs.readlinkSync(path),
    list: (path) => fs.readdirSync(path),
    write: (fd, data, offset, length, position) => (position === undefined ? fs.writeSync(fd, data, offset, length) : fs.writeSync(fd, data, offset, length, position)),
    regularFileSize(fd) {
      try {
        const stat = fs.fstatSync(fd);
        return stat.isFile() ? stat.size : undefined;
      } catch {
        return undefined;
      }
    },
  });
}

/** A whole file as latin1 text (node:fs's readFileSync(path, "latin1")); throws as it does. */
export function readLatin1(path: string): string {
  const { buffer, length } = files().readAll(path);
  return buffer.toString("latin1", 0, length);
}

/** A whole file's bytes, a copy of its own (node:fs's readFileSync(path)); throws as it does. */
export function readBytes(path: string): Buffer {
  const { buffer, length } = files().readAll(path);
  return Buffer.from(buffer.subarray(0, length));
}
