// Bad input: one line on stderr, exit 2, no stack trace, and nothing run.
import { expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { peakMem, tempDir } from "../helpers.ts";

const dir = tempDir();
const marker = join(dir, "ran");
const command = ["touch", marker];
mkdirSync(join(dir, "a-directory"));

const cases: [string, string[]][] = [
  ["unknown long option", ["--bogus", ...command]],
  ["unknown short option", ["-x", ...command]],
  ["no command", []],
  ["no command after --", ["--json", "--"]],
  ["empty threshold", ["-t", "", ...command]],
  ["zero threshold", ["-t", "0", ...command]],
  ["negative threshold", ["--threshold=-5M", ...command]],
  ["garbage threshold", ["-t", "lots", ...command]],
  ["threshold with a bad unit", ["-t", "5Q", ...command]],
  ["threshold missing its value", ["-t"]],
  ["zero interval", ["--interval", "0", ...command]],
  ["negative interval", ["--interval=-10", ...command]],
  ["garbage interval", ["--interval", "fast", ...command]],
  ["fractional interval", ["--interval", "1.5", ...command]],
  ["absurd interval", ["--interval", "99999999999", ...command]],
  ["bad units", ["--units", "furlongs", ...command]],
  ["--json with --csv", ["-j", "-c", ...command]],
  ["--quiet with --json", ["-q", "-j", ...command]],
  ["output in a missing directory", ["-o", join(dir, "missing", "report.txt"), ...command]],
  ["output that is a directory", ["-o", join(dir, "a-directory"), ...command]],
  ["timeline in a missing directory", ["--timeline", join(dir, "missing", "t.json"), ...command]],
  ["timeline that is a directory", ["--timeline", join(dir, "a-directory"), ...command]],
  ["an option given twice", ["-t", "1G", "-t", "2G", ...command]],
  ["-t followed by the separator", ["-t", "--", ...command]],
  ["--threshold followed by the separator", ["--threshold", "--", ...command]],
  ["-o followed by the separator", ["-o", "--", ...command]],
  ["absurd regression threshold", ["--compare-baseline", "x", "--regression-threshold", "99999999999999999999", ...command]],
  ["regression threshold with too many decimals", ["--compare-baseline", "x", "--regression-threshold", "10.0000001", ...command]],
];

test.each(cases)("%s", async (_name, args) => {
  const { code, stdout, stderr } = await peakMem(args);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/^peak-mem: [^\n]+\n$/);
  expect(stderr).not.toMatch(/\bat .+:\d+/); // no stack frames
  expect(existsSync(marker)).toBe(false);
});

test("a -- where a value should be is a missing value, named as typed", async () => {
  for (const flag of ["-t", "--threshold", "-o", "--output", "--save-baseline"]) {
    const { code, stderr } = await peakMem([flag, "--", ...command]);
    expect(code).toBe(2);
    expect(stderr).toBe(`peak-mem: option ${flag} needs a value\n`);
  }
  // Attached with =, it was typed as a value: judged as one.
  expect((await peakMem(["--threshold=--", ...command])).stderr).toBe("peak-mem: invalid --threshold '--': it must be greater than zero (or a share of the memory limit, e.g. 80%)\n");
  expect(existsSync(marker)).toBe(false);
});

test("--regression-threshold above 1000000 percent is refused", async () => {
  const { code, stderr } = await peakMem(["--compare-baseline", "x", "--regression-threshold", "99999999999999999999", ...command]);
  expect(code).toBe(2);
  expect(stderr).toBe("peak-mem: invalid --regression-threshold '99999999999999999999': expected a percentage from 0 to 1000000\n");
  expect(existsSync(marker)).toBe(false);
});

/** Whether this machine lets us make a memory cgroup: the binary's own answer. */
const probe = await peakMem(["--cgroup", "-q", "--", "true"]);
const writable = probe.code === 0;

test("without a writable cgroup: one line, exit 2, nothing run", () => {
  if (writable) return; // covered as an unprivileged user in test/system/cgroup.test.ts
  expect(probe.code).toBe(2);
  expect(probe.stderr).toMatch(/^peak-mem: --cgroup: no writable cgroup[^\n]*\n$/);
});

test("--cgroup with --no-children is bad usage", async () => {
  const { code, stderr } = await peakMem(["--cgroup", "--no-children", "--", "true"]);
  expect(code).toBe(2);
  expect(stderr).toMatch(/^peak-mem: [^\n]+\n$/);
});
