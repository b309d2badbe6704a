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

describe("a chart drawn later from a saved timeline", () => {
  /** The summary cards of a chart page: term → text, tags stripped. */
  function cards(html: string): Record<string, string> {
    const pairs = [...html.matchAll(/<dt>([^<]+)<\/dt><dd>(.*?)<\/dd>/g)].map((m) => [m[1]!, m[2]!.replace(/<[^>]+>/g, "")]);
    return Object.fromEntries(pairs);
  }

  test("from a .csv: what it did not record is said, not made up", async () => {
    const timeline = join(dir, "run.csv");
    expect((await peakMem(["-q", "--timeline", timeline, "--", "sh", "-c", "sleep 0.3"])).code).toBe(0);
    const page = join(dir, "from-csv.html");
    expect((await peakMem(["--chart", timeline, "-o", page])).code).toBe(0);
    const html = readFileSync(page, "utf8");
    expect(html).toContain("<title>peak-mem: run.csv (command not recorded)</title>");
    const card = cards(html);
    expect(card.Samples).toMatch(/^\d+ \(interval not recorded\)$/);
    expect(card.Started).toBe("not recorded");
    expect(card.Exit).toBe("not recorded");
    expect(card["Peak VSZ"]).toContain("(largest sample: a CSV timeline records the samples only)");
    expect(html).not.toContain("every 0 ms");
  });

  test.each(["json", "jsonl"])("from a .%s: the same peaks, exit and start as the run's own report", async (extension) => {
    const timeline = join(dir, `run.${extension}`);
    const run = await peakMem(["--json", "--timeline", timeline, "--", "sh", "-c", "sleep 0.3"]);
    const report = JSON.parse(run.stdout) as { peak_rss_bytes: number; peak_vsz_bytes: number; timestamp: string };
    const page = join(dir, `from-${extension}.html`);
    expect((await peakMem(["--chart", timeline, "-o", page])).code).toBe(0);
    const card = cards(readFileSync(page, "utf8"));
    const { formatSize } = await import("../../src/core/size/format.ts");
    expect(card["Peak RSS"]).toStartWith(formatSize(report.peak_rss_bytes));
    expect(card["Peak VSZ"]).toBe(formatSize(report.peak_vsz_bytes));
    expect(card.Exit).toBe("0");
    expect(card.Samples).toMatch(/^\d+ \(every 100 ms\)$/);
  });
});

test("sizes keep three significant digits: under --units GiB a megabyte is not 0.0 GiB", async () => {
  const { stdout } = await peakMem(["--units", "GiB", "--", "true"]);
  expect(stdout).toMatch(/^Peak memory usage: 0\.0*[1-9]\d\d GiB \(RSS\) \/ 0\.0*[1-9]\d\d GiB \(VSZ\)$/m);
});

test("a threshold typed as 250M is drawn as typed on the chart, its binary form beside it", async () => {
  const svg = join(dir, "typed.svg");
  expect((await peakMem(["-q", "-t", "250M", "--timeline", svg, "--", "true"])).code).toBe(0);
  expect(readFileSync(svg, "utf8")).toContain(">threshold 250M (238.4 MiB)</text>");
});

