// Outputs that read right the first time, on the compiled binary: a chart file named for what it
// is, an empty baseline list said to be empty, a baseline of another command said to be one,
// and a machine-readable report that a command's output got mixed into, said so.
import { describe, expect, test } from "bun:test";
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, BUN, peakMem, tempDir } from "../helpers.ts";

const dir = tempDir();

test("--chart to a name that is not .html or .svg: one line, exit 2, no file", async () => {
  const timeline = join(dir, "t.csv");
  expect((await peakMem(["-q", "--timeline", timeline, "--", "true"])).code).toBe(0);
  const png = join(dir, "t.png");
  const { code, stdout, stderr } = await peakMem(["--chart", timeline, "-o", png]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toBe(`peak-mem: --chart writes a .html or .svg file, not '${png}'\n`);
  expect(existsSync(png)).toBe(false);
  expect((await peakMem(["--chart", timeline, "-o", join(dir, "t.svg")])).code).toBe(0);
});

test("--list-baselines with none saved: nothing on stdout, and stderr names where it looked", async () => {
  const empty = join(dir, "no-baselines");
  const { code, stdout, stderr } = await peakMem(["--list-baselines", "--baseline-dir", empty]);
  expect(code).toBe(0);
  expect(stdout).toBe("");
  expect(stderr).toBe(`peak-mem: no baselines saved in '${empty}'\n`);
});

describe("a baseline saved for another command", () => {
  const baselines = join(dir, "baselines");
  test("is compared, and the report says which command it was saved for", async () => {
    // The same shell either way, so that the figures compare: only the command line differs.
    expect((await peakMem(["-q", "--baseline-dir", baselines, "--save-baseline", "main", "--", "sh", "-c", "true"])).code).toBe(0);
    const same = await peakMem(["--json", "--regression-threshold", "1000", "--baseline-dir", baselines, "--compare-baseline", "main", "--", "sh", "-c", "true"]);
    expect(JSON.parse(same.stdout).comparison.baseline_command).toBeUndefined();
    const other = await peakMem(["--regression-threshold", "1000", "--baseline-dir", baselines, "--compare-baseline", "main", "--", "sh", "-c", ":"]);
    expect(other.code).toBe(0);
    expect(other.stdout).toContain(`Baseline "main": saved for another command: sh -c true\n`);
    const json = await peakMem(["--json", "--regression-threshold", "1000", "--baseline-dir", baselines, "--compare-baseline", "main", "--", "sh", "-c", ":"]);
    expect(JSON.parse(json.stdout).comparison.baseline_command).toBe("sh -c true");
  });
});

describe("a machine-readable report in the same file as the command's output", () => {
  /** Runs peak-mem with stdout a regular file, as `> FILE` does; returns the file and stderr. */
  async function toFile(name: string, args: string[]) {
    const path = join(dir, name);
    writeFileSync(path, "");
    const fd = openSync(path, "w");
    const child = Bun.spawn([BINARY, ...args], { stdio: ["ignore", fd, "pipe"] });
    const stderr = await new Response(child.stderr).text();
    const code = await child.exited;
    closeSync(fd);
    return { code, stderr, text: readFileSync(path, "utf8") };
  }

  test("the command wrote there too: said on stderr, with how to keep them apart", async () => {
    const { code, stderr, text } = await toFile("mixed.json", ["--json", "--", "echo", "hello"]);
    expect(code).toBe(0);
    expect(text.startsWith("hello\n{")).toBe(true);
    expect(stderr).toBe("peak-mem: warning: the command wrote to stdout too, and the --json report follows its output in the same file; give -o FILE (or --export-json FILE) to keep the report apart\n");
  });

  test("the command wrote nothing there, or -o kept the report apart: nothing said", async () => {
    const quiet = await toFile("clean.json", ["--json", "--", BUN, "-e", "1"]);
    expect(quiet.stderr).toBe("");
    expect(JSON.parse(quiet.text).exit_code).toBe(0);
    const apart = await toFile("apart.txt", ["--json", "-o", join(dir, "report.json"), "--", "echo", "hello"]);
    expect(apart.stderr).toBe("");
    expect(apart.text).toBe("hello\n");
  });
});
