import type { SyncFiles } from "../../../src/platform/linux/ffi.ts";

/** Errors shaped as node:fs's, for the code paths that look at them. */
export function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${syscall} '${path}'`);
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  return error;
}

/** A SyncFiles over maps of paths: directories, links and files; what it was asked is kept in `asked`. */
export function fakeFiles(tree: { dirs?: Record<string, string[] | "EACCES">; links?: Record<string, string>; files?: Record<string, string> }): SyncFiles & { asked: string[] } {
  const asked: string[] = [];
  const dirs = new Map(Object.entries(tree.dirs ?? {}));
  const links = new Map(Object.entries(tree.links ?? {}));
  const contents = new Map(Object.entries(tree.files ?? {}));
  const unused = () => {
    throw new Error("not used by drm.ts");
  };
  return {
    asked,
    openRead: unused,
    pread: unused,
    read: unused,
    close: unused,
    write: unused,
    regularFileSize: unused,
    readAll: unused,
    exists: (path) => dirs.has(path) || links.has(path) || contents.has(path),
    tryReadAll(path) {
      asked.push(`read ${path}`);
      const text = contents.get(path);
      if (text === undefined) return undefined;
      // As libc's: a shared buffer longer than the file.
      const buffer = Buffer.alloc(text.length + 64, "x");
      buffer.write(text, "latin1");
      return { buffer, length: text.length };
    },
    readlink(path) {
      asked.push(`readlink ${path}`);
      const link = links.get(path);
      if (link === undefined) throw fsError("ENOENT", "readlink", path);
      return link;
    },
    list(path) {
      asked.push(`list ${path}`);
      const names = dirs.get(path);
      if (names === undefined) throw fsError("ENOENT", "scandir", path);
      if (names === "EACCES") throw fsError("EACCES", "scandir", path);
      return [...names];
    },
  };
}
