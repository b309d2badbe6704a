import { describe, expect, test } from "bun:test";
import { parseThresholdPercent } from "../../src/cli/baseline-options.ts";
import { toAction, type Action } from "../../src/cli/config.ts";
import { scanArgv } from "../../src/cli/scan.ts";
import { UsageError } from "../../src/core/errors.ts";

const action = (...argv: string[]): Action => toAction(scanArgv(argv));

function usageError(...argv: string[]): string {
  try {
    action(...argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

function baseline(...argv: string[]) {
  const result = action(...argv);
  if (result.kind !== "run") throw new Error(`expected a run, got ${result.kind}`);
  return result.config.baseline;
}

describe("baseline options", () => {
  test("none given: no baseline settings at all", () => expect(baseline("make")).toBeUndefined());

  test("save, compare, threshold and directory", () => {
    expect(baseline("--save-baseline", "main", "make")).toEqual({ save: "main", thresholdPercent: 10 });
    expect(baseline("--compare-baseline=main", "--regression-threshold", "2.5", "--baseline-dir", "/b", "make")).toEqual({
      compare: "main",
      thresholdPercent: 2.5,
      dir: "/b",
    });
    // Compare with the old one, then replace it: both at once are fine.
    expect(baseline("--compare-baseline", "main", "--save-baseline", "main", "make")).toEqual({ save: "main", compare: "main", thresholdPercent: 10 });
  });

  test("a refused name is a usage error naming the option", () => {
    expect(usageError("--save-baseline", "../x", "make")).toContain("--save-baseline");
    expect(usageError("--compare-baseline", "", "make")).toContain("--compare-baseline");
    expect(usageError("--delete-baseline", "a/b")).toContain("--delete-baseline");
    // A forgotten value takes the next option as the name: refused, not run.
    expect(usageError("--save-baseline", "--json", "make")).toContain("starts with '-'");
    // The separator is no name either: a missing value.
    expect(usageError("--save-baseline", "--", "make")).toBe("option --save-baseline needs a value");
  });

  test("--regression-threshold: a percentage ≥ 0, decimals and a % sign allowed", () => {
    expect(parseThresholdPercent("10")).toBe(10);
    expect(parseThresholdPercent("0")).toBe(0);
    expect(parseThresholdPercent("2.5")).toBe(2.5);
    expect(parseThresholdPercent(".5")).toBe(0.5);
    expect(parseThresholdPercent("15%")).toBe(15);
    expect(parseThresholdPercent(" 7 ")).toBe(7);
    for (const bad of ["", "-5", "abc", "1e3", "0x10", "Infinity", "NaN", "10%%", "5 MiB", "1.2.3", "9".repeat(400)]) {
      expect(() => parseThresholdPercent(bad)).toThrow(UsageError);
    }
    expect(usageError("--compare-baseline", "m", "--regression-threshold=-1", "make")).toContain("--regression-threshold");
  });

  test("--regression-threshold is bounded: 0 to 1000000 percent, checked on the digits", () => {
    expect(parseThresholdPercent("1000000")).toBe(1_000_000);
    expect(parseThresholdPercent("1000000.000%")).toBe(1_000_000);
    expect(parseThresholdPercent("0001000000")).toBe(1_000_000);
    expect(parseThresholdPercent("999999.999999")).toBe(999_999.999999);
    for (const over of ["1000001", "1000000.0000001", "99999999999999999999", "2e6"]) {
      expect(() => parseThresholdPercent(over)).toThrow(UsageError);
    }
    expect(usageError("--compare-baseline", "m", "--regression-threshold", "99999999999999999999", "make")).toBe(
      "invalid --regression-threshold '99999999999999999999': expected a percentage from 0 to 1000000",
    );
    expect(usageError("--compare-baseline", "m", "--regression-threshold", "lots", "make")).toBe(
      "invalid --regression-threshold 'lots': expected a percentage from 0 to 1000000, such as 10 or 2.5",
    );
  });

  test("--regression-threshold has at most 6 decimals, so that it is shown exactly as typed", () => {
    expect(parseThresholdPercent("1.123456")).toBe(1.123456);
    expect(String(parseThresholdPercent("999999.000001"))).toBe("999999.000001");
    expect(parseThresholdPercent("2.50000000")).toBe(2.5); // trailing zeros are no precision
    expect(usageError("--compare-baseline", "m", "--regression-threshold", "10.0000001", "make")).toBe(
      "invalid --regression-threshold '10.0000001': expected a percentage with at most 6 decimal places",
    );
  });

  test("settings without what they set are refused", () => {
    expect(usageError("--regression-threshold", "5", "make")).toContain("--compare-baseline");
    expect(usageError("--baseline-dir", "/b", "make")).toContain("--baseline-dir");
    expect(usageError("--baseline-dir", "", "--save-baseline", "x", "make")).toContain("--baseline-dir");
  });

  test("--list-baselines and --delete-baseline run nothing", () => {
    expect(action("--list-baselines")).toEqual({ kind: "list-baselines" });
    expect(action("--list-baselines", "--baseline-dir", "/b", "--units", "kib")).toEqual({ kind: "list-baselines", dir: "/b", units: "KiB" });
    expect(action("--delete-baseline", "old", "--baseline-dir", "/b")).toEqual({ kind: "delete-baseline", name: "old", dir: "/b" });
    expect(usageError("--list-baselines", "make")).toContain("runs nothing");
    expect(usageError("--delete-baseline", "x", "--", "make")).toContain("runs nothing");
    expect(usageError("--list-baselines", "--json")).toContain("--json");
    expect(usageError("--delete-baseline", "x", "--units", "B")).toContain("--units");
    expect(usageError("--list-baselines", "--delete-baseline", "x")).toContain("together");
    expect(usageError("--list-baselines", "--units", "furlongs")).toContain("--units");
  });

  test("--help and --version still win", () => {
    expect(action("--list-baselines", "--help")).toEqual({ kind: "help" });
    expect(action("--save-baseline", "../x", "-V")).toEqual({ kind: "version" });
  });
});
