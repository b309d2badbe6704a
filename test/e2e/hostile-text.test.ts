// Text from outside reaching the terminal, read back from the compiled binary: control
// characters in argv and in process names are shown escaped by the human and Markdown
// reports, and kept exact by JSON and CSV.
import { afterAll, expect, test } from "bun:test";
import { rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { peakMem, peakMemJson, tempDir } from "../helpers.ts";
import { parseCsv } from "../export/csv-reader.ts";
import { parseMarkdownReport } from "../export/markdown-table.ts";
import { displayCommand } from "../../src/core/text/display-command.ts";

/** Clears the screen, turns the text red, returns the carriage, rings the bell. */
const ESCAPES = ["/bin/true", "\x1b[2J\x1b[31mred", "x\ry", "\x07"];
/** A second "Peak memory usage:" line, which grep would find first. */
const FORGED = ["sh", "-c", "true\nPeak memory usage: 1.00 KiB (RSS) / 1.00 KiB (VSZ)"];
/** What a terminal would act on: C0 controls but the line feed, DEL and C1 controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});


test("escape sequences in argv: the Command line shows them in $'…' form, none reach stdout raw", async () => {
  const { code, stdout } = await peakMem(["--", ...ESCAPES]);
  expect(code).toBe(0);
  expect(stdout).not.toMatch(/[\x1b\x07\r]/);
  expect(stdout.split("\n")[0]).toBe(`Command: /bin/true $'\\E[2J\\E[31mred' $'x\\ry' $'\\a'`);
});

test("--json keeps the exact argv characters in command", async () => {
  const { code, report } = await peakMemJson(["--", ...ESCAPES]);
  expect(code).toBe(0);
  expect(report.command).toBe(displayCommand(ESCAPES));
  expect(report.command).toBe("/bin/true '\x1b[2J\x1b[31mred' 'x\ry' '\x07'");
});

test("a forged newline in the command cannot add a second Peak memory usage line", async () => {
  const { stdout } = await peakMem(["--", ...FORGED]);
  const peaks = stdout.split("\n").filter((line) => line.startsWith("Peak memory usage:"));
  expect(peaks).toHaveLength(1);
  expect(peaks[0]).not.toContain("1.00 KiB (RSS) / 1.00 KiB (VSZ)");
  expect(stdout.split("\n")[0]).toBe(`Command: sh -c $'true\\nPeak memory usage: 1.00 KiB (RSS) / 1.00 KiB (VSZ)'`);
});

test("--markdown: the command is escaped, nothing raw, still one heading and one table of facts", async () => {
  for (const argv of [FORGED, ESCAPES]) {
    const { stdout } = await peakMem(["--markdown", "--", ...argv]);
    expect(stdout).not.toMatch(RAW_CONTROL);
    const { heading, tables, other } = parseMarkdownReport(stdout);
    expect(heading).toStartWith("### peak-mem: `");
    expect(heading).toContain(argv === FORGED ? `$'true\\nPeak memory usage:` : `$'\\E[2J\\E[31mred'`);
    // The facts, the tree by program, and (when a process of it was sampled at the peak) the tree then: each table under its title.
    expect(other[0]).toMatch(/^Programs: \d+ \(/);
    expect(other.length).toBeLessThanOrEqual(2);
    if (other.length > 1) expect(other[1]).toMatch(/^At the (peak: the tree when its RSS peaked(, at [\d.]+s)?|largest sample: .* fell between samples)$/);
    expect(tables).toHaveLength(other.length + 1);
    expect(tables[0]!.header).toEqual(["", ""]);
    expect(stdout.split("\n").filter((line) => line.includes("Peak memory usage:")).length).toBeLessThanOrEqual(1);
  }
});

test("--csv keeps the exact string, quoted per RFC 4180", async () => {
  for (const argv of [ESCAPES, FORGED]) {
    const { code, stdout } = await peakMem(["--csv", "--", ...argv]);
    if (argv === ESCAPES) expect(code).toBe(0);
    const records = parseCsv(stdout);
    expect(records).toHaveLength(2);
    expect(records[0]![0]).toBe("command");
    expect(records[1]).toHaveLength(records[0]!.length);
    expect(records[1]![0]).toBe(displayCommand(argv));
  }
});

test("-v: a process named with an escape sequence shows as ps shows it", async () => {
  const dir = tempDir();
  dirs.push(dir);
  const sleeper = join(dir, "e\x1b[7mX");
  symlinkSync("/bin/sleep", sleeper); // the kernel names a process after the file it executed
  const { code, stdout } = await peakMem(["-v", "--", "sh", "-c", '"$0" 0.5', sleeper]);
  expect(code).toBe(0);
  expect(stdout).not.toContain("\x1b");
  const breakdown = stdout.split("\n").filter((line) => /^\s+\d+ /.test(line));
  expect(breakdown.some((line) => /^\s+\d+ e\?\[7mX\s/.test(line))).toBe(true);
  // The Command line names it too, escaped the shell's way.
  expect(stdout.split("\n")[0]).toBe(`Command: sh -c '"$0" 0.5' $'${dir}/e\\E[7mX'`);
});
