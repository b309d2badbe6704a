// --timeline in every format, its robustness, and charts drawn later from a saved one.
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, BINARY, MiB, peakMem, peakMemJson, tempDir } from "../helpers.ts";

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const SAMPLE_KEYS = ["t_ms", "rss_bytes", "vsz_bytes", "process_count"];
/** When the tree is grouped by program (src/session/run.ts), a sample also names them. */
const PROGRAM_KEYS = ["programs", "other_rss_bytes"];
const CSV_HEADER = [...SAMPLE_KEYS, "gpu_bytes", ...PROGRAM_KEYS].join(",");
/**
 * A CSV row: four numbers, gpu_bytes (empty: no GPU read here), then the programs' JSON (quoted
 * when it holds a comma) and other_rss_bytes, or two empty cells.
 */
const CSV_ROW = /^\d+,\d+,\d+,\d+,\d*,(|\[\]|"\[.*\]"),(\d*)$/;

function expectSamplesInOrder(samples: Record<string, unknown>[]) {
  expect(samples.length).toBeGreaterThan(3);
  let last = -1;
  for (const sample of samples) {
    const keys = Object.keys(sample);
    expect(keys.slice(0, 4)).toEqual(SAMPLE_KEYS);
    expect(PROGRAM_KEYS).toEqual(expect.arrayContaining(keys.slice(4)));
    expect(sample.t_ms as number).toBeGreaterThanOrEqual(last);
    last = sample.t_ms as number;
  }
}

test(".json: one object with the header, the samples in order and a summary", async () => {
  const file = join(tempDir(), "t.json");
  const { code } = await peakMem(["--timeline", file, "--interval", "20", "-t", "1G", "--", ...allocate(40, 300)]);
  expect(code).toBe(0);
  const timeline = JSON.parse(readFileSync(file, "utf8"));
  expect(Object.keys(timeline).slice(0, 4)).toEqual(["command", "interval_ms", "started_at", "samples"]);
  expect(timeline.interval_ms).toBe(20);
  expect(timeline.started_at).toMatch(TIMESTAMP);
  expectSamplesInOrder(timeline.samples);
  expect(timeline.summary.peak_rss_bytes).toBeGreaterThan(40 * MiB);
  expect(timeline.summary.threshold_bytes).toBe(1e9);
  expect(timeline.summary.processes[0].depth).toBe(0);
});

test.each(["t.jsonl", "t.ndjson"])("%s: a header line, a line a sample, a summary line", async (name) => {
  const file = join(tempDir(), name);
  const { code } = await peakMem(["--timeline", file, "--interval", "20", "--", ...allocate(40, 300)]);
  expect(code).toBe(0);
  const lines = readFileSync(file, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line));
  expect(Object.keys(lines[0])).toEqual(["command", "interval_ms", "started_at"]);
  expect(Object.keys(lines.at(-1))).toEqual(["summary"]);
  expectSamplesInOrder(lines.slice(1, -1));
});

test(".csv: a header naming the sample fields, then a row a sample", async () => {
  const file = join(tempDir(), "t.csv");
  const { code } = await peakMem(["--timeline", file, "--interval", "20", "--", ...allocate(40, 300)]);
  expect(code).toBe(0);
  const [header, ...rows] = readFileSync(file, "utf8").trimEnd().split("\n");
  expect(header).toBe(CSV_HEADER);
  for (const row of rows) expect(row).toMatch(CSV_ROW);
  const samples = rows.map((row) => Object.fromEntries(row.split(",").slice(0, 4).map((v, i) => [SAMPLE_KEYS[i], Number(v)])));
  expectSamplesInOrder(samples);
});

test("any other extension is JSON", async () => {
  const file = join(tempDir(), "t.log");
  await peakMem(["--timeline", file, "--", "sleep", "0.1"]);
  expect(JSON.parse(readFileSync(file, "utf8")).samples.length).toBeGreaterThan(0);
});

test(".jsonl and .csv stay valid up to their last complete line when peak-mem is killed with SIGKILL", async () => {
  for (const name of ["k.jsonl", "k.csv"]) {
    const file = join(tempDir(), name);
    const child = Bun.spawn([BINARY, "--timeline", file, "--interval", "2", "--", "sleep", "5"], { stdout: "ignore", detached: true });
    await Bun.sleep(600);
    child.kill("SIGKILL");
    await child.exited;
    process.kill(-child.pid, "SIGKILL"); // the orphaned sleep too
    const text = readFileSync(file, "utf8");
    const complete = text.slice(0, text.lastIndexOf("\n")).split("\n");
    expect(complete.length).toBeGreaterThan(20);
    if (name.endsWith(".jsonl")) for (const line of complete) expect(() => JSON.parse(line)).not.toThrow();
    else for (const line of complete.slice(1)) expect(line).toMatch(CSV_ROW);
  }
});

test(".json is complete after SIGINT and SIGTERM", async () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const dir = tempDir();
    const file = join(dir, "s.json");
    const ready = join(dir, "ready");
    const child = Bun.spawn([BINARY, "-q", "--timeline", file, "--", "sh", "-c", `echo > ${ready}; exec sleep 30`], { stdout: "ignore", detached: true });
    while (!existsSync(ready)) await Bun.sleep(10);
    await Bun.sleep(100);
    child.kill(signal);
    expect(await child.exited).toBe(signal === "SIGINT" ? 130 : 143);
    const timeline = JSON.parse(readFileSync(file, "utf8"));
    expect(timeline.samples.length).toBeGreaterThan(0);
    expect(timeline.summary.signal).toBe(signal);
  }
});

test("peak-mem's own memory does not grow with the length of the run", async () => {
  // peak-mem's own resident memory, read from /proc while it samples `sleep` every millisecond
  // with a timeline: after the warm-up (the JIT compiling the sampling loop, the collector
  // sizing its heap: up to ten seconds on a slow machine, seen here) it must stay flat, however
  // long the run. Read at 9 s and at 18 s of one run, for a streamed and a kept timeline at once.
  const rssAt = async (name: string) => {
    const child = Bun.spawn([BINARY, "-q", "--interval", "1", "--timeline", join(tempDir(), name), "--", "sleep", "19"], { stdout: "ignore", stderr: "inherit" });
    const rss = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    await Bun.sleep(9_000);
    const early = rss();
    await Bun.sleep(9_000);
    const late = rss();
    expect(await child.exited).toBe(0);
    return { early, late };
  };
  const runs = await Promise.all([rssAt("m.jsonl"), rssAt("m.html")]);
  for (const { early, late } of runs) {
    console.info(`own RSS at 9 s ${(early / MiB).toFixed(1)} MiB, at 18 s ${(late / MiB).toFixed(1)} MiB`);
    expect(early).toBeGreaterThan(10 * MiB);
    expect(late - early).toBeLessThan(4 * MiB);
  }
}, 60_000);

test("a saved timeline becomes a chart later, with an invocation that runs nothing", async () => {
  const dir = tempDir();
  for (const name of ["a.json", "a.jsonl", "a.csv"]) {
    const saved = join(dir, name);
    await peakMem(["--timeline", saved, "-t", "30M", "--", ...allocate(40, 300)]);
    for (const out of ["chart.html", "chart.svg"]) {
      const target = join(dir, `${name}.${out}`);
      const { code, stderr } = await peakMem(["--chart", saved, "-o", target]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const text = readFileSync(target, "utf8");
      if (out.endsWith(".html")) expect(text.toLowerCase()).toStartWith("<!doctype html>");
      else expect(text).toContain("<svg");
    }
  }
  const stdout = await peakMem(["--chart", join(dir, "a.jsonl")]);
  expect(stdout.stdout.toLowerCase()).toStartWith("<!doctype html>");
});

test("--chart refuses a command, a missing file, a chart file, and other options", async () => {
  const dir = tempDir();
  const saved = join(dir, "x.json");
  writeFileSync(saved, '{"samples":[]}');
  const marker = join(dir, "ran");
  for (const args of [
    ["--chart", saved, "--", "touch", marker],
    ["--chart", saved, "touch", marker],
    ["--chart", join(dir, "missing.json")],
    ["--chart", join(dir, "x.html")],
    ["--chart", saved, "--json"],
  ]) {
    const { code, stdout, stderr } = await peakMem(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^peak-mem: [^\n]+\n$/);
  }
  writeFileSync(join(dir, "bad.jsonl"), "not json\n{}\n");
  expect((await peakMem(["--chart", join(dir, "bad.jsonl")])).code).toBe(2);
  expect(existsSync(marker)).toBe(false);
});

test("-v shows the tree at the peak; with --json, a processes array", async () => {
  const worker = allocate(60, 800).map((word) => `'${word}'`).join(" ");
  const script = `${worker} & ${worker} & wait`;
  const human = await peakMem(["-v", "--", "sh", "-c", script]);
  const lines = human.stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith("At the peak:"));
  expect(start).toBeGreaterThan(0);
  const tree = lines.slice(start + 1).filter((line) => line.trim() !== "");
  // A table: its header, then each process under its parent, its RSS at the tree's peak and its own.
  expect(tree[0]).toMatch(/^ {2}Process +At tree peak +Own peak$/);
  tree.shift();
  expect(tree[0]).toMatch(/^ {2}\d+ sh\s+\S+ \S+\s+\S+ \S+$/);
  expect(tree.filter((line) => /^ {4}\d+ bun\S* /.test(line))).toHaveLength(2); // bun, or bun.exe from npm

  const { report } = await peakMemJson(["-v", "--", "sh", "-c", script]);
  const processes = report.processes as Record<string, unknown>[];
  expect(processes).toHaveLength(report.processes_seen as number);
  // How each ended follows where the kernel's exit event said (root, the initial pid namespace).
  const keys = Object.keys(processes[0] ?? {});
  expect(keys.slice(0, 8)).toEqual(["pid", "ppid", "name", "depth", "peak_rss_bytes", "rss_at_peak_bytes", "first_seen_ms", "last_seen_ms"]);
  expect(keys.slice(8).every((key) => key === "exit_code" || key === "signal")).toBe(true);
  expect(processes.filter((p) => p.depth === 1 && (p.peak_rss_bytes as number) > 60 * MiB)).toHaveLength(2);
  const plain = await peakMemJson(["--", "true"]);
  expect(plain.report.processes).toBeUndefined();
});

test("--chart draws each program's band from a saved .jsonl and .csv, and an old four-column .csv as before", async () => {
  const dir = tempDir();
  const names = ["cc1", 'a,"b"', "other", "</script>"];
  const samples = [0, 100, 200, 300].map((t, i) => ({
    t_ms: t,
    rss_bytes: 10 * MiB * (i + 1) + 1000,
    vsz_bytes: 100 * MiB,
    process_count: 4,
    programs: names.map((name, k) => [name, (i + 1) * (k + 1) * MiB]),
    other_rss_bytes: 1000,
  }));
  const header = { command: "make", interval_ms: 100, started_at: "2026-01-02T03:04:05Z" };
  writeFileSync(join(dir, "p.jsonl"), [header, ...samples].map((line) => JSON.stringify(line)).join("\n") + "\n");
  const csvCell = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const rows = samples.map((s) => `${s.t_ms},${s.rss_bytes},${s.vsz_bytes},${s.process_count},${csvCell(JSON.stringify(s.programs))},${s.other_rss_bytes}`);
  // As the version before GPU memory wrote it: no gpu_bytes column (cells are read by the header's names).
  writeFileSync(join(dir, "p.csv"), `${[...SAMPLE_KEYS, ...PROGRAM_KEYS].join(",")}\n${rows.join("\n")}\n`);
  writeFileSync(join(dir, "old.csv"), `${SAMPLE_KEYS.join(",")}\n0,1000,2000,1\n100,3000,4000,1\n`);
  for (const name of ["p.jsonl", "p.csv"]) {
    for (const out of ["c.html", "c.svg"]) {
      const target = join(dir, `${name}.${out}`);
      const { code, stderr } = await peakMem(["--chart", join(dir, name), "-o", target]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const chart = readFileSync(target, "utf8");
      for (const escaped of ["cc1", "a,&#34;b&#34;", "other", "&#60;/script&#62;"]) expect(chart).toContain(`data-band="program" data-program="${escaped}"`);
      expect(chart).toContain('data-band="other"');
      if (out.endsWith(".html")) expect(chart.match(/<\/script>/g)).toHaveLength(2);
    }
  }
  const { code } = await peakMem(["--chart", join(dir, "old.csv"), "-o", join(dir, "old.html")]);
  expect(code).toBe(0);
  expect(readFileSync(join(dir, "old.html"), "utf8")).not.toContain("data-band");
});
