import { describe, expect, test } from "bun:test";
import { scanArgv } from "../../src/cli/scan.ts";
import { UsageError } from "../../src/core/errors.ts";

const scan = (...argv: string[]) => scanArgv(argv);
const options = (...argv: string[]) => Object.fromEntries(scan(...argv).options);

/** Runs `fn`, expecting a UsageError (exit code 2); returns its message. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as UsageError).message;
  }
  throw new Error("expected a UsageError");
}

describe("scanArgv: where the command starts", () => {
  test("at the first non-option", () => {
    expect(scan("ls", "-la")).toEqual({ options: new Map(), command: ["ls", "-la"] });
    expect(scan("-j", "make", "-j8", "--json")).toEqual({ options: new Map([["json", true]]), command: ["make", "-j8", "--json"] });
  });

  test("after --, which is not part of the command", () => {
    expect(scan("--", "ls", "-la").command).toEqual(["ls", "-la"]);
    expect(scan("-j", "--", "--weird-name").command).toEqual(["--weird-name"]);
    expect(scan("--", "cmd", "--", "x").command).toEqual(["cmd", "--", "x"]);
  });

  test("a lone - is the command, not an option", () => {
    expect(scan("-", "x").command).toEqual(["-", "x"]);
  });

  test("nothing after the options: empty command", () => {
    expect(scan("-j").command).toEqual([]);
    expect(scan().command).toEqual([]);
    expect(scan("--").command).toEqual([]);
  });
});

describe("scanArgv: option values", () => {
  test("-t 1G, -t1G, --threshold 1G and --threshold=1G", () => {
    for (const argv of [["-t", "1G"], ["-t1G"], ["--threshold", "1G"], ["--threshold=1G"]]) {
      expect(scan(...argv, "true")).toEqual({ options: new Map([["threshold", "1G"]]), command: ["true"] });
    }
  });

  test("a cluster of short flags", () => {
    expect(options("-jv", "x")).toEqual({ json: true, verbose: true });
  });

  test("a cluster ending with an option that takes a value", () => {
    expect(options("-vt", "512M", "x")).toEqual({ verbose: true, threshold: "512M" });
    expect(options("-vt512M", "x")).toEqual({ verbose: true, threshold: "512M" });
  });

  test("a value that starts with a dash is kept as typed", () => {
    expect(options("--threshold=-5", "x")).toEqual({ threshold: "-5" });
    expect(options("-t", "-5", "x")).toEqual({ threshold: "-5" });
  });

  test("values are never coerced", () => {
    expect(scan("--interval", "0x10", "x").options.get("interval")).toBe("0x10");
    expect(scan("--interval=010", "x").options.get("interval")).toBe("010");
    expect(scan("-t", "1e3", "x").options.get("threshold")).toBe("1e3");
  });

  test("an empty value via = is kept", () => {
    expect(scan("--output=", "x").options.get("output")).toBe("");
  });

  test("long flags, including --no-children", () => {
    expect(options("--json", "--verbose", "--watch", "--no-children", "x")).toEqual({
      json: true,
      verbose: true,
      watch: true,
      "no-children": true,
    });
  });

  test("help and version flags", () => {
    expect(options("-h")).toEqual({ help: true });
    expect(options("--help")).toEqual({ help: true });
    expect(options("-V")).toEqual({ version: true });
    expect(options("--version")).toEqual({ version: true });
  });
});

describe("scanArgv: usage errors", () => {
  test("unknown options", () => {
    expect(usageError(() => scan("--nope", "x"))).toContain("--nope");
    expect(usageError(() => scan("-Z", "x"))).toContain("-Z");
    expect(usageError(() => scan("-jZ", "x"))).toContain("-Z");
  });

  test("a missing value", () => {
    expect(usageError(() => scan("-t"))).toContain("-t");
    expect(usageError(() => scan("--threshold"))).toContain("--threshold");
    expect(usageError(() => scan("-jt"))).toContain("-t");
  });

  test("the separator where a value should be: a missing value, named as typed", () => {
    expect(usageError(() => scan("-t", "--", "true"))).toBe("option -t needs a value");
    expect(usageError(() => scan("--threshold", "--", "true"))).toBe("option --threshold needs a value");
    expect(usageError(() => scan("-jt", "--", "true"))).toBe("option -t needs a value");
    expect(usageError(() => scan("-o", "--", "true"))).toBe("option -o needs a value");
    expect(usageError(() => scan("--output", "--", "true"))).toBe("option --output needs a value");
  });

  test("a -- attached to its option was typed as a value, and stays one", () => {
    expect(scan("--threshold=--", "true")).toEqual({ options: new Map([["threshold", "--"]]), command: ["true"] });
    expect(scan("-t--", "true")).toEqual({ options: new Map([["threshold", "--"]]), command: ["true"] });
    expect(scan("--output=--", "true").options.get("output")).toBe("--");
  });

  test("an option given twice", () => {
    usageError(() => scan("-j", "-j", "x"));
    usageError(() => scan("-j", "--json", "x"));
    usageError(() => scan("-jj", "x"));
    usageError(() => scan("-t", "1G", "--threshold=2G", "x"));
  });

  test("a flag given a value", () => {
    expect(usageError(() => scan("--json=yes", "x"))).toContain("--json");
  });
});
