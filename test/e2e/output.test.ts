// The report formats, files and live view, read back from the compiled binary.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, BINARY, MiB, peakMem, runArgv, tempDir } from "../helpers.ts";
import { CSV_HEADER } from "../../src/export/csv.ts";
import { parseCsv } from "../export/csv-reader.ts";
import { parseMarkdownReport } from "../export/markdown-table.ts";

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

test("JSON has the original report fields, names and types", async () => {
  const { code, stdout } = await peakMem(["--json", "--", "sh", "-c", "exit 0"]);
  expect(code).toBe(0);
  const report = JSON.parse(stdout);
  expect(report.command).toBe("sh -c 'exit 0'");
  for (const field of ["peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code"]) {
    expect(Number.isInteger(report[field])).toBe(true);
  }
  expect(report.threshold_exceeded).toBe(false);
  expect(report.timestamp).toMatch(TIMESTAMP);
  expect(report.interval_ms).toBe(100);
  expect(["sampled-sum", "process-hwm", "rusage"]).toContain(report.peak_rss_source);
});

test("CSV is the original header and one RFC 4180 row, then every view's columns: one header for every CSV", async () => {
  const { code, stdout } = await peakMem(["--csv", "--", "sh", "-c", 'echo "a,b" > /dev/null']);
  expect(code).toBe(0);
  const [header, row, rest] = stdout.split("\n");
  expect(header).toStartWith("command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp,signal,peak_rss_source,");
  expect(header).toBe(CSV_HEADER);
  expect(rest).toBe("");
  // The command has a comma and double quotes: quoted, quotes doubled.
  expect(row).toStartWith(`"sh -c 'echo ""a,b"" > /dev/null'",`);
  const fields = parseCsv(`${row}\n`)[0] ?? [];
  expect(fields).toHaveLength(header!.split(",").length);
  expect(fields.slice(1, 5).every((field) => /^\d+$/.test(field))).toBe(true);
  expect(fields[5]).toBe("false");
  expect(fields[6]).toMatch(TIMESTAMP);
  const cells = Object.fromEntries(header!.split(",").map((name, i) => [name, fields[i]]));
  expect(Number(cells.memory_limit_bytes)).toBeGreaterThan(0); // the limit: a cgroup's, or physical memory
  expect(["sampled-sum", "process-hwm", "rusage", "cgroup"]).toContain(cells.peak_rss_source ?? "");
  // Not measured, not known: empty.
  expect([cells.signal, cells.threshold_bytes, cells.peak_pss_bytes, cells.baseline, cells.regression]).toEqual(["", "", "", "", ""]);
});

test("quiet prints the peak RSS in bytes, digits only", async () => {
  const { code, stdout } = await peakMem(["-q", "--", ...allocate(64, 300)]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^\d+\n$/);
  expect(Number(stdout)).toBeGreaterThan(64 * MiB);
});

test("--markdown is a heading and a table that parses, ready for $GITHUB_STEP_SUMMARY", async () => {
  const { code, stdout } = await peakMem(["--markdown", "--", "true"]);
  expect(code).toBe(0);
  const { heading, tables, other } = parseMarkdownReport(stdout);
  expect(heading).toBe("### peak-mem: `true`");
  // The facts, then the tree by program (here the command alone), then the tree at its peak when the command was sampled then.
  expect(other[0]).toMatch(/^Programs: 1 \((counts complete|sampled).*\)$/);
  expect(other.slice(1)).toEqual(other.length > 1 ? ["At the peak: the tree when its RSS peaked"] : []);
  expect(tables).toHaveLength(other.length + 1);
  expect(tables[1]!.rows.map((row) => row[0])).toEqual(["`true`"]);
  const rows = Object.fromEntries(tables[0]!.rows.map(([name, value]) => [name, value]));
  // Every row, the terminal's -v details too: the memory limit always (physical memory at least);
  // memory pressure when there was any, the processes at once when counted.
  expect(Object.keys(rows).filter((name) => name !== "Memory pressure" && name !== "Processes at once")).toEqual([
    "Peak RSS",
    "Peak VSZ",
    "Exit code",
    "Duration",
    "Peak RSS bound",
    "Peak set by",
    "Memory limit",
    "Samples",
    "Processes seen",
  ]);
  // One process: exact where the kernel's events are heard; else a lower bound, said so.
  expect(rows["Peak RSS bound"]).toMatch(/^(exact: |⚠️ at (least|most) )/);
  expect(rows["Memory limit"]).toMatch(/^[\d.]+ (MiB|GiB|TiB) \(.*\), (peak at [\d.]+%|peak RSS at [\d.]+% \(a limit counts the cgroup's charge, not RSS\))$/);
  expect(rows["Peak RSS"]).toMatch(/^\*\*\d+(\.\d+)? (B|KiB|MiB)\*\* \(\d+ bytes\)$/);
  expect(rows["Exit code"]).toBe("0");

  // A crossed threshold and a failing command with a pipe in it, written with -o.
  const file = join(tempDir(), "summary.md");
  const over = await peakMem(["-m", "-t", "1", "-o", file, "--", "sh", "-c", "echo a | cat; exit 3"]);
  expect(over.code).toBe(3);
  expect(over.stdout).toBe("a\n");
  const report = parseMarkdownReport(readFileSync(file, "utf8"));
  expect(report.heading).toBe("### peak-mem: `sh -c 'echo a | cat; exit 3'`");
  const facts = Object.fromEntries(report.tables[0]!.rows.map(([name, value]) => [name, value]));
  expect(facts["Exit code"]).toBe("❌ 3");
  expect(facts["THRESHOLD EXCEEDED"]).toMatch(/^❌ peak RSS \d+(\.\d+)? (B|KiB|MiB) is over the threshold of 1 \(1 bytes\)$/);
  expect(facts["Threshold"]).toBeUndefined();
});

test("--markdown with --compare-baseline adds the comparison as rows of the facts table, and the verdict", async () => {
  const dir = tempDir();
  const saved = await peakMem(["-q", "--save-baseline", "big", "--baseline-dir", dir, "--", ...allocate(40, 200)]);
  expect(saved.code).toBe(0);
  const { code, stdout } = await peakMem(["--markdown", "--compare-baseline", "big", "--baseline-dir", dir, "--", "true"]);
  expect(code).toBe(0);
  const { tables, other } = parseMarkdownReport(stdout);
  // No table of its own: the facts, the tree by program (and the tree at its peak, when sampled then).
  expect(other[0]).toMatch(/^Programs: /);
  expect(tables).toHaveLength(other.length + 1);
  const baseline = tables[0]!.rows.filter(([name]) => name === 'Baseline "big"').map(([, text]) => text);
  expect(baseline).toEqual([
    // Saved for a bigger command, to compare with `true`: said so first.
    expect.stringMatching(/^⚠️ saved for another command: .*Buffer\.alloc/),
    expect.stringMatching(/^saved \d{4}-.+Z$/),
    expect.stringMatching(/^peak RSS [\d.]+ MiB → [\d.]+ (B|KiB|MiB) \(-\d+\.\d%\)$/),
    expect.stringMatching(/^peak VSZ [\d.]+ (MiB|GiB) → [\d.]+ (B|KiB|MiB|GiB) \([-+]?\d+\.\d%\)$/),
    expect.stringMatching(/^duration [\d.]+s → [\d.]+s \([-+]?\d+\.\d%\)$/),
  ]);
  expect(tables[0]!.rows.at(-1)).toEqual(["No regression", expect.stringMatching(/^✅ peak RSS -\d+\.\d%, within the 10% allowed$/)]);
});

test("the human report has the original four lines in order, without colour when piped", async () => {
  const { stdout } = await peakMem(["--", "true"]);
  const lines = stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(4);
  expect(lines[0]).toBe("Command: true");
  expect(lines[1]).toMatch(/^Peak memory usage: \d+(\.\d+)? (B|KiB|MiB) \(RSS\) \/ \d+(\.\d+)? (B|KiB|MiB|GiB) \(VSZ\)$/);
  expect(lines[2]).toBe("Exit code: 0");
  expect(lines[3]).toMatch(/^Duration: \d+\.\d+s$/);
  expect(stdout).not.toContain("\x1b[");
});

test("FORCE_COLOR colours the report and NO_COLOR wins over it", async () => {
  const forced = await peakMem(["--", "true"], { env: { FORCE_COLOR: "1" } });
  expect(forced.stdout).toContain("\x1b[");
  const both = await peakMem(["--", "true"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
  expect(both.stdout).not.toContain("\x1b[");
});

test("--units forces the unit of displayed sizes", async () => {
  const { stdout } = await peakMem(["--units", "kb", "--", "true"]);
  expect(stdout).toMatch(/Peak memory usage: \d+\.\d KB \(RSS\) \/ \d+\.\d KB \(VSZ\)/);
});

test("verbose adds samples, processes seen and the peak's source", async () => {
  const { stdout } = await peakMem(["-v", "--", "sh", "-c", "sleep 0.3 & wait"]);
  // Where each peak came from, in words.
  const source = "(the tree summed at one sample|one process's own high-water mark|the kernel's exact figure for the command \\(ru_maxrss\\)|the cgroup's own peak)";
  expect(stdout).toMatch(new RegExp(`^Peak set by: RSS: ${source}; VSZ: ${source}$`, "m"));
  // The effective gap only where sampling fell behind the interval.
  expect(stdout).toMatch(/^Samples: \d+ every 100 ms( \(effective \d+\.\d ms: sampling fell behind\))?$/m);
  expect(stdout).toMatch(/^Processes seen: 2$/m);
});

test("--output writes the report to a file and nothing to stdout", async () => {
  const file = join(tempDir(), "report.json");
  const { code, stdout } = await peakMem(["-j", "-o", file, "--", "sh", "-c", "echo from-command"]);
  expect(code).toBe(0);
  expect(stdout).toBe("from-command\n");
  expect(JSON.parse(readFileSync(file, "utf8")).exit_code).toBe(0);
});

test("--timeline records the samples as JSON", async () => {
  const file = join(tempDir(), "timeline.json");
  const { code } = await peakMem(["--timeline", file, "--interval", "20", "--", ...allocate(50, 300)]);
  expect(code).toBe(0);
  const timeline = JSON.parse(readFileSync(file, "utf8"));
  expect(timeline.command).toStartWith("/");
  expect(timeline.interval_ms).toBe(20);
  expect(timeline.started_at).toMatch(TIMESTAMP);
  expect(timeline.samples.length).toBeGreaterThan(5);
  let last = -1;
  for (const sample of timeline.samples) {
    expect(Object.keys(sample)).toEqual(["t_ms", "rss_bytes", "vsz_bytes", "process_count", "programs", "other_rss_bytes"]);
    // The programs at each sample account for the tree's whole RSS then.
    const programs = sample.programs as [string, number][];
    expect(programs.reduce((sum, [, rss]) => sum + rss, sample.other_rss_bytes)).toBe(sample.rss_bytes);
    expect(sample.t_ms).toBeGreaterThanOrEqual(last);
    last = sample.t_ms;
  }
  expect(Math.max(...timeline.samples.map((s: { rss_bytes: number }) => s.rss_bytes))).toBeGreaterThan(50 * MiB);
});

const SPARK = /[▁▂▃▄▅▆▇█]/u;
const CLEAR = "\r\x1b[2K";

test("--watch off a terminal prints a plain line about once a second on stderr, no escape codes", async () => {
  const { code, stderr, stdout } = await peakMem(["-w", "-q", "--", ...allocate(20, 2300)]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^\d+\n$/);
  expect(stderr).toEndWith("\n");
  const lines = stderr.trimEnd().split("\n");
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines.length).toBeLessThanOrEqual(4);
  expect(stderr).not.toContain("\x1b");
  expect(stderr).not.toContain("\r");
  expect(stderr).not.toMatch(SPARK);
  for (const line of lines) {
    expect(line).toMatch(/^peak-mem: \d+\.\ds {2}RSS \S+ \S+ peak \S+ \S+ {2}VSZ \S+ \S+ peak \S+ \S+ {2}\d+ procs?$/);
  }
  // The 20 MiB shows while the command holds it.
  expect(lines.some((line) => Number(line.match(/RSS (\d+\.\d) MiB/)?.[1] ?? 0) >= 20)).toBe(true);
});

/** Runs `shell` in a pseudo-terminal (script(1), util-linux): what the terminal was sent. */
async function inTerminal(shell: string): Promise<{ code: number; screen: string }> {
  const child = Bun.spawn(["script", "-qec", shell, "/dev/null"], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [screen, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  return { code, screen };
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** A run of the binary with --watch whose report goes to a file: the terminal shows only the live view. */
function watchCommand(report: string, holdMs: number): string {
  return [BINARY, "-w", "-o", report, "--", ...allocate(20, holdMs)].map(quote).join(" ");
}

function expectCompleteReport(text: string): void {
  expect(text).toStartWith("Command: ");
  expect(text).toMatch(/^Peak memory usage: .+$/m);
  expect(text).toMatch(/^Exit code: 0$/m);
  expect(text).toMatch(/^Duration: \d+\.\d+s$/m);
  expect(text).toEndWith("\n");
  expect(text).not.toContain("\x1b"); // a file, not the terminal
}

/** A drawn line is made of whole parts, in this order; those that did not fit are left out whole. */
const LIVE_LINE =
  /^(peak-mem {2})?(\d+\.\ds {2})?RSS \S+ \S+( peak \S+ \S+)?( {2}[▁▂▃▄▅▆▇█]+)?( +VSZ \S+ \S+( peak \S+ \S+)?)?( {2}\d+ procs?)?$/u;

/** The lines drawn, in order: what follows each "return and erase". */
function drawn(screen: string): string[] {
  return screen.split(CLEAR).filter((line) => line !== "");
}

test("--watch on a terminal redraws one line in place with a sparkline and erases it at the end", async () => {
  const report = join(tempDir(), "report");
  // script's pty has no size (0 columns): peak-mem takes 80.
  const { code, screen } = await inTerminal(watchCommand(report, 2300));
  expect(code).toBe(0);
  expect(screen).toStartWith(CLEAR);
  expect(screen).toEndWith(CLEAR); // erased at the end: no half line left
  expect(screen).not.toContain("\n"); // redrawn in place, never scrolled
  const lines = drawn(screen);
  // 2.3 s at most 4 times a second: several redraws, never more than the cap allows.
  expect(lines.length).toBeGreaterThanOrEqual(4);
  expect(lines.length).toBeLessThanOrEqual(4 * 3 + 1);
  for (const line of lines) {
    expect([...line].length).toBeLessThanOrEqual(79);
    expect(line).toMatch(LIVE_LINE);
  }
  expect(screen).toMatch(SPARK);
  const last = lines.at(-1)!;
  // At 80 columns the sparkline outranks VSZ: it stays whatever the sizes.
  expect(last).toMatch(/^\d+\.\ds {2}RSS \S+ \S+ peak \S+ \S+ {2}[▁▂▃▄▅▆▇█]+( .*)? {2}\d+ procs?$/u);
  expectCompleteReport(readFileSync(report, "utf8"));
});

test("--watch on a 40-column terminal: no line reaches the last column, the essentials stay", async () => {
  const report = join(tempDir(), "report");
  const { code, screen } = await inTerminal(`stty cols 40; exec ${watchCommand(report, 1300)}`);
  expect(code).toBe(0);
  expect(screen).toEndWith(CLEAR);
  expect(screen).not.toContain("\n");
  const lines = drawn(screen);
  expect(lines.length).toBeGreaterThanOrEqual(2);
  for (const line of lines) {
    expect([...line].length).toBeLessThanOrEqual(39);
    expect(line).toMatch(LIVE_LINE); // what did not fit went whole: nothing cut mid-word
    expect(line).toMatch(/RSS \S+ \S+ peak \S+ \S+/);
  }
  expectCompleteReport(readFileSync(report, "utf8"));
});

test("--watch on a wide terminal shows every fact and a longer sparkline", async () => {
  const report = join(tempDir(), "report");
  const { code, screen } = await inTerminal(`stty cols 200; exec ${watchCommand(report, 1300)}`);
  expect(code).toBe(0);
  const lines = drawn(screen);
  for (const line of lines) {
    expect([...line].length).toBeLessThanOrEqual(199);
    expect(line).toMatch(/^peak-mem {2}\d+\.\ds {2}RSS \S+ \S+ peak \S+ \S+ {2}[▁▂▃▄▅▆▇█]+ +VSZ \S+ \S+ peak \S+ \S+ {2}\d+ procs?$/u);
  }
});

test("--help and --version print to stdout and exit 0 without running anything", async () => {
  const help = await peakMem(["--help"]);
  expect(help.code).toBe(0);
  for (const option of ["--json", "--csv", "--quiet", "--verbose", "--watch", "--threshold", "--no-children", "--timeline", "--interval", "--output", "--units", "--version", "--help"]) {
    expect(help.stdout).toContain(option);
  }
  const version = await peakMem(["-V"]);
  expect(version.code).toBe(0);
  expect(version.stdout).toMatch(/^peak-mem \d+\.\d+\.\d+\n$/);
});

test("a lone --version (answered before the option table loads) says what --version among other options says", async () => {
  const lone = await peakMem(["--version"]);
  const parsed = await peakMem(["--units", "MiB", "--version"]);
  expect(lone).toEqual({ code: 0, stdout: parsed.stdout, stderr: "" });
  expect(parsed.code).toBe(0);
  expect(lone.stdout).toMatch(/^peak-mem \d+\.\d+\.\d+\n$/);
});

test("--version, --help or --completions into a full disk: one line on stderr and status 1, as a report that cannot be written, no stack trace", async () => {
  for (const args of [["--version"], ["-V"], ["--units", "MiB", "--version"], ["--help"], ["--completions", "bash"]]) {
    const { code, stdout, stderr } = await runArgv(["sh", "-c", `exec "$0" "$@" > /dev/full`, BINARY, ...args]);
    expect({ args, code, stdout }).toEqual({ args, code: 1, stdout: "" });
    expect(stderr).toBe("peak-mem: cannot write to stdout: no space left on device\n");
  }
});

test("--help or --version into a pipe whose reader has gone: nothing said, status 0 (as with a report)", async () => {
  for (const arg of ["--help", "--version"]) {
    // The reader (true) is gone before peak-mem starts: its write fails with EPIPE. Its stderr
    // and status go to fd 3, the test's own stdout.
    const { stdout } = await runArgv(["sh", "-c", `exec 3>&1; (sleep 0.3; "$0" "$1" 2>&3; echo "status $?" >&3) | true`, BINARY, arg]);
    expect({ arg, stdout }).toEqual({ arg, stdout: "status 0\n" });
  }
});
