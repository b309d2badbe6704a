// Series on the compiled binary (issue 13): repeated runs and their statistics, warm-ups,
// failing runs, commands side by side, every format, progress on and off a terminal,
// per-run timelines, baselines from a series, and Ctrl-C in the middle of one. Workloads
// are the C allocator (test/fixtures/c/alloc.c), whose RSS is its allocation and ~1 MiB.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, CC, cFixture, MiB, peakMem, readUntil, runArgv, tempDir } from "../helpers.ts";
import { parseCsv } from "../export/csv-reader.ts";
import { parseMarkdownReport } from "../export/markdown-table.ts";
import { readTimeline } from "../../src/timeline/read.ts";

const dir = tempDir();
let alloc = "";
beforeAll(async () => {
  alloc = await cFixture("alloc", dir);
});

type Json = Record<string, any>;
const json = (stdout: string): Json => JSON.parse(stdout);
const peaksOf = (command: Json) => (command.runs as Json[]).map((run) => run.peak_rss_bytes as number);
/** peak-mem's own stderr lines (the workloads print nothing). */
const lines = (stderr: string) => stderr.split("\n").filter(Boolean);

/** A shell script that counts its runs in `counter` (0, 1, 2, …) and runs `body` with $n set. */
function counted(counter: string, body: string): string[] {
  writeFileSync(counter, "0");
  return ["sh", "-c", `n=$(cat '${counter}'); echo $((n+1)) > '${counter}'; ${body}`];
}

describe.skipIf(!CC)("repeated runs", () => {
  test("5 runs of a fixed 50 MiB workload: five peaks within a few MiB, the median near 50 MiB", async () => {
    const { code, stdout } = await peakMem(["--json", "--runs", "5", "--", alloc, "50", "300"]);
    expect(code).toBe(0);
    const [command] = json(stdout).commands;
    const peaks = peaksOf(command);
    expect(peaks).toHaveLength(5);
    expect(Math.max(...peaks) - Math.min(...peaks)).toBeLessThan(4 * MiB);
    const median = command.statistics.peak_rss_bytes.median;
    expect(median).toBeGreaterThan(50 * MiB);
    expect(median).toBeLessThan(54 * MiB);
    expect(command.statistics.peak_rss_bytes.count).toBe(5);
    expect(command.statistics.peak_rss_bytes.stddev).toBeLessThan(2 * MiB);
  });

  test("a workload alternating 40 and 80 MiB by run: min about 40, max about 80", async () => {
    const argv = counted(join(dir, "alternate"), `if [ $((n % 2)) -eq 0 ]; then exec '${alloc}' 40 200; else exec '${alloc}' 80 200; fi`);
    const { code, stdout } = await peakMem(["--json", "--runs", "4", "--", ...argv]);
    expect(code).toBe(0);
    const stats = json(stdout).commands[0].statistics.peak_rss_bytes;
    expect(stats.min).toBeGreaterThan(40 * MiB);
    expect(stats.min).toBeLessThan(45 * MiB);
    expect(stats.max).toBeGreaterThan(80 * MiB);
    expect(stats.max).toBeLessThan(85 * MiB);
    expect(stats.stddev).toBeGreaterThan(15 * MiB);
  });

  test("warm-up runs run first and are not counted", async () => {
    const counter = join(dir, "warmup");
    // The two warm-ups allocate 80 MiB, the counted runs 20: no counted peak may reach 80.
    const argv = counted(counter, `if [ "$n" -lt 2 ]; then exec '${alloc}' 80 100; else exec '${alloc}' 20 100; fi`);
    const { code, stdout } = await peakMem(["--json", "--warmup", "2", "--runs", "3", "--", ...argv]);
    expect(code).toBe(0);
    expect(readFileSync(counter, "utf8").trim()).toBe("5");
    const report = json(stdout);
    expect(report.warmup_runs).toBe(2);
    expect(report.commands[0].runs.map((run: Json) => run.run)).toEqual([1, 2, 3]);
    expect(Math.max(...peaksOf(report.commands[0]))).toBeLessThan(40 * MiB);
  });

  test("a failing third run stops the series with its status; --ignore-failure goes on", async () => {
    const counter = join(dir, "failing");
    const argv = () => counted(counter, `[ "$n" -eq 2 ] && exit 3; exec '${alloc}' 10 50`);
    const stopped = await peakMem(["--json", "--runs", "5", "--", ...argv()]);
    expect(stopped.code).toBe(3);
    expect(readFileSync(counter, "utf8").trim()).toBe("3");
    const report = json(stopped.stdout);
    expect(report.commands[0].runs.map((run: Json) => run.exit_code)).toEqual([0, 0, 3]);
    expect(report.stopped).toEqual({ reason: "failed", exit_code: 3, command: 1, run: 3, warmup: false });

    const human = await peakMem(["--runs", "5", "--", ...argv()]);
    expect(human.code).toBe(3);
    expect(human.stdout).toContain("STOPPED: run 3 exited with 3: the series stopped there (--ignore-failure goes on)");

    const going = await peakMem(["--json", "--runs", "5", "--ignore-failure", "--", ...argv()]);
    expect(going.code).toBe(0);
    expect(readFileSync(counter, "utf8").trim()).toBe("5");
    const all = json(going.stdout);
    expect(all.commands[0].runs.map((run: Json) => run.exit_code)).toEqual([0, 0, 3, 0, 0]);
    expect(all.failed_runs).toBe(1);
    expect(all).not.toHaveProperty("stopped");
  });

  test("the threshold is decided on the largest peak: one run over it is exit 1", async () => {
    const argv = counted(join(dir, "threshold"), `if [ "$n" -eq 1 ]; then exec '${alloc}' 60 100; else exec '${alloc}' 20 100; fi`);
    const { code, stdout } = await peakMem(["--runs", "3", "-t", "40MiB", "--", ...argv]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/THRESHOLD EXCEEDED: the largest peak RSS, [\d.]+ MiB in run 2, is over the threshold of 40MiB \(41943040 bytes\); 1 of 3 runs over it\n/);
  });
});

describe.skipIf(!CC)("commands side by side", () => {
  test("100 vs 50 MiB: a ratio of 2.0 ± 0.1, the runs interleaved A B A B", async () => {
    const log = join(dir, "order");
    writeFileSync(log, "");
    const run = (name: string, mib: number) => ["sh", "-c", `echo ${name} >> '${log}'; exec '${alloc}' ${mib} 200`];
    const { code, stdout } = await peakMem(["--json", "--runs", "3", "--", ...run("A", 50), "---", ...run("B", 100)]);
    expect(code).toBe(0);
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual(["A", "B", "A", "B", "A", "B"]);
    const report = json(stdout);
    expect(report.interleaved).toBe(true);
    expect(report.commands).toHaveLength(2);
    const ratio = report.commands[1].ratio_to_first.peak_rss.value;
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThan(2.1);
    expect(report.commands[0]).not.toHaveProperty("ratio_to_first");
  });

  test("the human report ends with the medians and ratios; a literal --- is written \\---", async () => {
    const { code, stdout } = await peakMem(["--runs", "2", "--", alloc, "20", "50", "---", "sh", "-c", 'test "$1" = ---', "sh", "\\---"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Command 1: ");
    expect(stdout).toContain("Command 2: sh -c 'test \"$1\" = ---' sh ---\n");
    expect(stdout).toMatch(/\n2 +[\d.]+ [KM]iB ± [\d.]+ [KM]?i?B +0\.\d\d ± 0\.\d\d /);
  });

  test("a later command that cannot be found is refused before anything runs", async () => {
    const marker = join(dir, "ran-before-refusal");
    const { code, stdout, stderr } = await peakMem(["--runs", "2", "--", "touch", marker, "---", "no-such-command-here"]);
    expect(code).toBe(127);
    expect(stdout).toBe("");
    expect(stderr).toBe("peak-mem: command not found: no-such-command-here\n");
    expect(existsSync(marker)).toBe(false);
  });
});

describe.skipIf(!CC)("formats", () => {
  test("JSON, CSV and Markdown of a series parse", async () => {
    const args = ["--runs", "3", "--", alloc, "20", "50", "---", alloc, "30", "50"];
    const report = json((await peakMem(["--json", ...args])).stdout);
    expect(report.commands.map((command: Json) => command.runs.length)).toEqual([3, 3]);
    // Each run is the single run's JSON (its command, its peaks' sources, its sampling) with its number; no version of its own.
    const first = report.commands[1].runs[0];
    expect(first).toMatchObject({ run: 1, command: report.commands[1].command, exit_code: 0, peak_rss_source: expect.any(String), samples: expect.any(Number) });
    expect(first).not.toHaveProperty("version");
    expect(Object.keys(report.commands[0].statistics).slice(0, 3)).toEqual(["peak_rss_bytes", "peak_vsz_bytes", "duration_ms"]);

    const csv = await peakMem(["--csv", ...args]);
    const [header, ...rows] = parseCsv(csv.stdout);
    expect(header!.slice(0, 7)).toEqual(["command", "peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code", "threshold_exceeded", "timestamp"]);
    // The single run's header, then which run of which command, and whether it was interrupted.
    expect(header!.slice(-3)).toEqual(["run", "command_index", "interrupted"]);
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.length === header!.length)).toBe(true);
    const [run, command, interrupted] = ["run", "command_index", "interrupted"].map((name) => header!.indexOf(name));
    expect(rows.map((row) => `${row[command!]}:${row[run!]}:${row[interrupted!]}`)).toEqual(["1:1:false", "1:2:false", "1:3:false", "2:1:false", "2:2:false", "2:3:false"]);
    expect(rows.every((row) => Number(row[1]) > 20 * MiB)).toBe(true);

    const markdown = parseMarkdownReport((await peakMem(["--markdown", ...args])).stdout);
    expect(markdown.heading).toBe("### peak-mem: 2 commands compared, 3 runs each");
    expect(markdown.tables[0]!.header).toEqual(["#", "Peak RSS (median)", "Ratio", "Duration (median)", "Ratio", "Command"]);
    expect(markdown.tables[0]!.rows).toHaveLength(2);

    const quiet = await peakMem(["--quiet", ...args]);
    expect(quiet.stdout).toMatch(/^\d+\n\d+\n$/);
    expect(quiet.stderr).toBe("");
  });

  test("--timeline: one file per counted run, each a timeline; none for warm-ups", async () => {
    const out = tempDir();
    const path = join(out, "mem.jsonl");
    const { code } = await peakMem(["--timeline", path, "--warmup", "1", "--runs", "2", "--", alloc, "20", "300"]);
    expect(code).toBe(0);
    for (const run of [1, 2]) {
      const file = join(out, `mem.run${run}.jsonl`);
      const timeline = readTimeline(file, readFileSync(file, "utf8"));
      expect(timeline.peakRssBytes).toBeGreaterThan(20 * MiB);
    }
    expect(existsSync(join(out, "mem.run3.jsonl"))).toBe(false);
    expect(existsSync(path)).toBe(false);
  });
});

describe.skipIf(!CC)("progress on stderr", () => {
  test("off a terminal: one plain line per run; nothing with --quiet", async () => {
    const { stderr } = await peakMem(["--warmup", "1", "--runs", "3", "--", alloc, "20", "50"]);
    expect(stderr).not.toContain("\x1b");
    const own = lines(stderr);
    expect(own).toHaveLength(4);
    expect(own[0]).toMatch(/^peak-mem: warm-up 1\/1: peak RSS [\d.]+ MiB, [\d.]+s, exit 0$/);
    expect(own[3]).toMatch(/^peak-mem: run 3\/3: peak RSS [\d.]+ MiB, [\d.]+s, exit 0, median [\d.]+ MiB$/);
    expect((await peakMem(["-q", "--runs", "3", "--", alloc, "20", "50"])).stderr).toBe("");
  });

  test("in a pty: a bar redrawn in place, erased before the report", async () => {
    const script = Bun.which("script");
    if (!script) throw new Error("script(1) (util-linux) is needed for the pty test");
    // stdout to a file, so that what the pty shows is stderr alone.
    const report = join(dir, "pty-report");
    const { stdout: tty } = await runArgv([script, "-qfec", `${BINARY} -o ${report} --runs 3 -- ${alloc} 20 100`, "/dev/null"], { env: { TERM: "xterm" } });
    const redraws = tty.split("\r\x1b[2K");
    expect(redraws.length).toBeGreaterThan(3);
    expect(tty).toMatch(/peak-mem {2}[█░]+ {2}run 3\/3 {2}median [\d.]+ MiB/);
    // It ends on an erased line: nothing of the bar left, no stray newline from it.
    expect(tty.trimEnd().endsWith("\r\x1b[2K")).toBe(true);
    expect(tty).not.toContain("\n");
    expect(readFileSync(report, "utf8")).toStartWith("Command: ");
  });
});

describe.skipIf(!CC)("baselines from a series", () => {
  test("saved with each run and the median; a comparison by the median, outside the spread", async () => {
    const baselines = join(tempDir(), "baselines");
    const saved = await peakMem(["--baseline-dir", baselines, "--save-baseline", "main", "--runs", "3", "--", alloc, "50", "100"]);
    expect(saved.code).toBe(0);
    const file = JSON.parse(readFileSync(join(baselines, "main.json"), "utf8"));
    expect(file.runs).toHaveLength(3);
    expect(file.statistic).toBe("median");
    const peaks = file.runs.map((run: Json) => run.peak_rss_bytes).sort((a: number, b: number) => a - b);
    expect(file.peak_rss_bytes).toBe(peaks[1]);

    const same = await peakMem(["--json", "--baseline-dir", baselines, "--compare-baseline", "main", "--runs", "3", "--", alloc, "50", "100"]);
    expect(same.code).toBe(0);
    expect(json(same.stdout).comparison).toMatchObject({ statistic: "median", regression: false, baseline_runs: 3 });

    const bigger = await peakMem(["--baseline-dir", baselines, "--compare-baseline", "main", "--runs", "3", "--", alloc, "100", "100"]);
    expect(bigger.code).toBe(1);
    expect(bigger.stdout).toMatch(/Baseline "main": its 3 runs' peak RSS [\d.]+ MiB to [\d.]+ MiB: the median is above them\n/);
    expect(bigger.stdout).toMatch(/REGRESSION: median peak RSS grew [\d.]+%, over the 10% allowed and above every run of the baseline\n$/);
  });
});

describe.skipIf(!CC)("annotations on GitHub Actions", () => {
  const github = { env: { GITHUB_ACTIONS: "true" } };
  const annotated = (stderr: string) => lines(stderr).filter((line) => line.startsWith("::"));

  test("a crossed threshold: one annotation, for the command whose largest run crossed it", async () => {
    const args = ["-q", "--runs", "3", "-t", "40MiB", "--", alloc, "60", "100", "---", alloc, "10", "100"];
    const { code, stderr } = await peakMem(args, github);
    expect(code).toBe(1);
    expect(annotated(stderr)).toHaveLength(1);
    expect(annotated(stderr)[0]).toMatch(new RegExp(`^::error title=peak-mem%3A threshold exceeded::peak RSS [\\d.]+ MiB of ${RegExp.escape(alloc)} 60 100 is over the threshold of 40MiB$`));
    const off = await peakMem(["--no-annotations", ...args], github);
    expect(off.code).toBe(1);
    expect(annotated(off.stderr)).toEqual([]);
  });

  test("a regression of the median: one annotation that says it is the median", async () => {
    const baselines = join(tempDir(), "baselines");
    const saved = await peakMem(["-q", "--baseline-dir", baselines, "--save-baseline", "main", "--runs", "2", "--", alloc, "20", "100"], github);
    expect(saved.code).toBe(0);
    expect(annotated(saved.stderr)).toEqual([]);
    const { code, stderr } = await peakMem(["-q", "--baseline-dir", baselines, "--compare-baseline", "main", "--runs", "3", "--", alloc, "60", "100"], github);
    expect(code).toBe(1);
    expect(annotated(stderr)).toHaveLength(1);
    expect(annotated(stderr)[0]).toMatch(/^::error title=peak-mem%3A memory regression::median peak RSS grew [\d.]+%25 over baseline "main" \([\d.]+ MiB → [\d.]+ MiB\), more than the 10%25 allowed$/);
  });
});

describe.skipIf(!CC)("signals", () => {
  test("SIGINT during run 2: the series stops, that run marked, the command's status", async () => {
    const child = Bun.spawn([BINARY, "--json", "--runs", "5", "--", alloc, "10", "2500"], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    // The plain line of run 1 comes as it ends: run 2 has then started.
    await readUntil(child.stderr.getReader(), "run 1/5");
    await Bun.sleep(300);
    child.kill("SIGINT");
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(130);
    const report = json(stdout);
    expect(report.commands[0].runs).toHaveLength(2);
    expect(report.commands[0].runs[1]).toMatchObject({ run: 2, interrupted: true, exit_code: 130, signal: "SIGINT" });
    expect(report.commands[0].statistics.peak_rss_bytes.count).toBe(1);
    expect(report.stopped).toEqual({ reason: "interrupted", exit_code: 130, command: 1, run: 2, warmup: false, signal: "SIGINT" });
  });
});
