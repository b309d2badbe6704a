import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_USAGE, UsageError } from "../../src/core/errors.ts";
import { checkDistinctOutputs, fileIdentity, type NamedOutput } from "../../src/io/distinct.ts";

// Real files in a private directory. stdoutForReport is false throughout: the test
// runner's stdout is whatever it happens to be.

const root = mkdtempSync(join(tmpdir(), "peak-mem-distinct-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A fresh, empty directory for one test. */
function scratch(): string {
  const dir = join(root, String(++count));
  mkdirSync(dir);
  return dir;
}

const output = (option: string, path: string): NamedOutput => ({ option, path });

/** The error checkDistinctOutputs throws, or undefined when it throws none. */
function refusal(outputs: NamedOutput[]): unknown {
  try {
    checkDistinctOutputs(outputs, false);
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectRefused(outputs: NamedOutput[], first: NamedOutput, second: NamedOutput): void {
  const error = refusal(outputs);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(EXIT_USAGE);
  expect((error as UsageError).exitCode).toBe(2);
  expect((error as UsageError).message).toBe(
    `${second.option} '${second.path}' is the same file as ${first.option} '${first.path}': give each output its own file`,
  );
}

describe("checkDistinctOutputs", () => {
  test("one existing file named twice", () => {
    const dir = scratch();
    const file = join(dir, "report.json");
    writeFileSync(file, "kept");
    const a = output("--output", file);
    const b = output("--timeline", file);
    expectRefused([a, b], a, b);
  });

  test("one file yet to be created, named twice: refused, and still not created", () => {
    const dir = scratch();
    const file = join(dir, "new.json");
    const a = output("--output", file);
    const b = output("--save-baseline", file);
    expectRefused([a, b], a, b);
    expect(existsSync(file)).toBe(false);
  });

  test("the same new file by two spellings of its directory", () => {
    const dir = scratch();
    mkdirSync(join(dir, "sub"));
    const a = output("--output", join(dir, "sub", "out.json"));
    const b = output("--timeline", `${dir}/sub/../sub/./out.json`);
    expectRefused([a, b], a, b);
  });

  test("a symlink to an existing file is that file", () => {
    const dir = scratch();
    const file = join(dir, "report.json");
    const link = join(dir, "link.json");
    writeFileSync(file, "");
    symlinkSync(file, link);
    const a = output("--output", file);
    const b = output("--timeline", link);
    expectRefused([a, b], a, b);
  });

  test("a dangling symlink is the file it would create; neither gets created", () => {
    const dir = scratch();
    const target = join(dir, "target.jsonl");
    const link = join(dir, "link.jsonl");
    symlinkSync("target.jsonl", link); // relative, as `ln -s` is usually given
    const a = output("--timeline", link);
    const b = output("--output", target);
    expectRefused([a, b], a, b);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir)).toEqual(["link.jsonl"]);
  });

  test("a hard link is the same file", () => {
    const dir = scratch();
    const file = join(dir, "a.json");
    const hard = join(dir, "b.json");
    writeFileSync(file, "x");
    linkSync(file, hard);
    const a = output("--output", file);
    const b = output("--timeline", hard);
    expectRefused([a, b], a, b);
  });

  test("the first repeat is named, against the output it repeats", () => {
    const dir = scratch();
    const a = output("--output", join(dir, "a.json"));
    const b = output("--timeline", join(dir, "b.jsonl"));
    const c = output("--save-baseline", join(dir, "b.jsonl"));
    expectRefused([a, b, c], b, c);
  });

  test("different files pass, existing or not", () => {
    const dir = scratch();
    writeFileSync(join(dir, "old.json"), "");
    expect(refusal([output("--output", join(dir, "old.json")), output("--timeline", join(dir, "new.jsonl"))])).toBeUndefined();
    expect(refusal([output("--output", join(dir, "x.json")), output("--timeline", join(dir, "y.json"))])).toBeUndefined();
    expect(refusal([])).toBeUndefined();
    expect(refusal([output("--output", join(dir, "x.json"))])).toBeUndefined();
    expect(existsSync(join(dir, "new.jsonl"))).toBe(false);
  });

  test("/dev/null twice passes: a device takes any number of writers", () => {
    expect(refusal([output("--output", "/dev/null"), output("--timeline", "/dev/null")])).toBeUndefined();
  });

  test("a path that cannot be told is left to the open, not refused", () => {
    const dir = scratch();
    const missing = join(dir, "no-such-dir", "out.json");
    expect(refusal([output("--output", missing), output("--timeline", missing)])).toBeUndefined();
  });
});

describe("fileIdentity", () => {
  test("an existing file: the same identity by any name, another for another file", () => {
    const dir = scratch();
    const file = join(dir, "a");
    writeFileSync(file, "");
    writeFileSync(join(dir, "b"), "");
    symlinkSync(file, join(dir, "link"));
    linkSync(file, join(dir, "hard"));
    const id = fileIdentity(file);
    expect(id).toStartWith("inode:");
    expect(fileIdentity(join(dir, "link"))).toBe(id);
    expect(fileIdentity(join(dir, "hard"))).toBe(id);
    expect(fileIdentity(join(dir, "b"))).not.toBe(id);
  });

  test("a file yet to be created: its real path", () => {
    const dir = scratch();
    symlinkSync(dir, join(dir, "self")); // a directory reached through a symlink
    const id = fileIdentity(join(dir, "self", "new"));
    expect(id).toStartWith("path:");
    expect(id).toBe(fileIdentity(join(dir, "new")));
    expect(existsSync(join(dir, "new"))).toBe(false);
  });

  test("a dangling symlink: the identity of the path it points to", () => {
    const dir = scratch();
    symlinkSync(join(dir, "gone"), join(dir, "link"));
    expect(fileIdentity(join(dir, "link"))).toBe(fileIdentity(join(dir, "gone")));
    expect(fileIdentity(join(dir, "link"))).toStartWith("path:");
    expect(existsSync(join(dir, "gone"))).toBe(false);
  });

  test("paths are followed as the kernel follows them, not normalised as text", () => {
    const dir = scratch();
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    symlinkSync(join(dir, "a", "b"), join(dir, "s"));
    // s/link -> ../t is a/t, not ./t; and s/../n is a/n, not ./n.
    symlinkSync("../t", join(dir, "a", "b", "link"));
    expect(fileIdentity(join(dir, "s", "link"))).toBe(fileIdentity(join(dir, "a", "t")));
    expect(fileIdentity(join(dir, "s", "link"))).not.toBe(fileIdentity(join(dir, "t")));
    expect(fileIdentity(`${dir}/s/../n`)).toBe(fileIdentity(join(dir, "a", "n")));
    expect(refusal([output("--output", join(dir, "s", "link")), output("--timeline", join(dir, "a", "t"))])).toBeInstanceOf(UsageError);
    expect(refusal([output("--output", join(dir, "s", "link")), output("--timeline", join(dir, "t"))])).toBeUndefined();
  });

  test("a symlink loop neither hangs nor throws", () => {
    const dir = scratch();
    symlinkSync(join(dir, "b"), join(dir, "a"));
    symlinkSync(join(dir, "a"), join(dir, "b"));
    expect(() => fileIdentity(join(dir, "a"))).not.toThrow();
  });

  test("a file in a directory that does not exist: undefined, no throw", () => {
    const dir = scratch();
    expect(fileIdentity(join(dir, "missing", "deeper", "out.json"))).toBeUndefined();
  });

  test("a device or a directory: undefined (not spoilt by a second writer)", () => {
    expect(fileIdentity("/dev/null")).toBeUndefined();
    expect(fileIdentity(scratch())).toBeUndefined();
  });
});
