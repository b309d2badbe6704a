import { afterAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { libcFiles } from "../../src/platform/linux/ffi.ts";
import { files } from "../../src/platform/files.ts";

// The libc file layer (src/platform/files.ts) must do what node:fs does, errors included:
// messages and exit codes downstream are built from those errors.

const dir = fs.mkdtempSync(join(tmpdir(), "peak-mem-files-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const LINUX = process.platform === "linux";

/** The error node:fs throws for `run`, or undefined. */
function thrown(run: () => unknown): NodeJS.ErrnoException | undefined {
  try {
    run();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  return undefined;
}

describe.skipIf(!LINUX)("libc files against node:fs", () => {
  const libc = () => {
    const chosen = libcFiles(() => {
      throw new Error("libc did not load");
    });
    if (!chosen) throw new Error("no libc files");
    return chosen;
  };

  test("on Linux, files() is the libc layer", () => {
    expect(files()).toBe(libc());
  });

  test("whole files, held reads, listing, links and existence read the same", () => {
    const path = join(dir, "a.txt");
    fs.writeFileSync(path, "x".repeat(40_000)); // longer than one scratch buffer
    const whole = libc().readAll(path);
    expect(whole.buffer.toString("latin1", 0, whole.length)).toBe(fs.readFileSync(path, "latin1"));
    const fd = libc().openRead("/proc/self/status");
    const buffer = Buffer.alloc(8192);
    const length = libc().pread(fd, buffer, 0);
    expect(buffer.toString("latin1", 0, length)).toStartWith("Name:");
    libc().close(fd);
    fs.symlinkSync("a.txt", join(dir, "link"));
    expect(libc().readlink(join(dir, "link"))).toBe(fs.readlinkSync(join(dir, "link")));
    expect(libc().list(dir).sort()).toEqual(fs.readdirSync(dir).sort());
    expect(libc().exists(path)).toBe(true);
    expect(libc().exists(join(dir, "nope"))).toBe(false);
    expect(libc().tryReadAll(join(dir, "nope"))).toBeUndefined();
  });

  test("writes land where asked, at an offset too", () => {
    const path = join(dir, "w.txt");
    const fd = fs.openSync(path, "w");
    const data = Buffer.from("hello world");
    expect(libc().write(fd, data, 0, 5)).toBe(5);
    expect(libc().write(fd, data, 6, 5, 0)).toBe(5);
    fs.closeSync(fd);
    expect(fs.readFileSync(path, "latin1")).toBe("world");
  });

  test("errors carry node:fs's code, message, errno, syscall and path", () => {
    const cases: [string, () => unknown, () => unknown][] = [
      ["missing", () => libc().readAll(join(dir, "missing")), () => fs.readFileSync(join(dir, "missing"))],
      ["directory", () => libc().readAll(dir), () => fs.readFileSync(dir)],
      ["not a link", () => libc().readlink(join(dir, "a.txt")), () => fs.readlinkSync(join(dir, "a.txt"))],
      ["listing a file", () => libc().list(join(dir, "a.txt")), () => fs.readdirSync(join(dir, "a.txt"))],
    ];
    fs.writeFileSync(join(dir, "a.txt"), "a");
    for (const [what, ours, node] of cases) {
      const a = thrown(ours);
      const b = thrown(node);
      expect({ what, code: a?.code, message: a?.message, errno: a?.errno, syscall: a?.syscall, path: a?.path }).toEqual({ what, code: b?.code, message: b?.message, errno: b?.errno, syscall: b?.syscall, path: b?.path });
      expect(a?.code).toBeDefined();
    }
  });
});
