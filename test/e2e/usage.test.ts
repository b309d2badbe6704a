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
];

test.each(cases)("%s", async (_name, args) => {
  const { code, stdout, stderr } = await peakMem(args);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/^peak-mem: [^\n]+\n$/);
  expect(stderr).not.toMatch(/\bat .+:\d+/); // no stack frames
  expect(existsSync(marker)).toBe(false);
});
