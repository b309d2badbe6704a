// Regression baselines on the compiled binary: save, compare, list, delete; refused names,
// missing and corrupt baselines are exit 2 with nothing run and nothing written elsewhere.
// The default directory of another user (root runs the binary as one): test/system/baseline.test.ts.
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, BINARY, BUN, openPlace, peakMem, peakMemBare, type Result, tempDir } from "../helpers.ts";
import { REFUSED } from "../baseline/refused-names.ts";

const SMALL = allocate(20, 300);
const LARGE = allocate(100, 300);
const ONE_LINE = /^peak-mem: [^\n]+\n$/;

/** A fresh directory with a `baselines` directory to use inside it. */
function place() {
  const root = tempDir();
  return { root, dir: join(root, "baselines"), marker: join(root, "ran") };
}

describe("save, then compare", () => {
  test("no regression: exit 0, the comparison in the report", async () => {
    const { dir } = place();
    const saved = await peakMem(["--baseline-dir", dir, "--save-baseline", "main", ...LARGE]);
    expect(saved.code).toBe(0);
    expect(saved.stderr).toBe(`peak-mem: saved baseline "main" to '${join(dir, "main.json")}'\n`);
    const file = JSON.parse(readFileSync(join(dir, "main.json"), "utf8"));
    expect(file).toMatchObject({ command: expect.stringContaining("Buffer.alloc"), version: expect.any(String), timestamp: expect.any(String) });
    expect(file.peak_rss_bytes).toBeGreaterThan(100 * 2 ** 20);
    expect(readdirSync(dir)).toEqual(["main.json"]);

    const compared = await peakMem(["--baseline-dir", dir, "--compare-baseline", "main", ...SMALL]);
    expect(compared.code).toBe(0);
    expect(compared.stderr).toBe("");
    const lines = compared.stdout.trimEnd().split("\n");
    expect(lines[0]).toStartWith("Command: ");
    // After the original four lines and any facts of where it ran (a "Memory pressure" line
    // when the machine was stalling on memory).
    const at = lines.findIndex((line) => line.startsWith("Baseline "));
    expect(at).toBeGreaterThanOrEqual(4);
    expect(lines.slice(4, at).every((line) => /^(Memory pressure|Memory limit|Swap|Cgroup peak):/.test(line))).toBe(true);
    // Saved for the large command, compared with the small one: said first.
    expect(lines[at]).toMatch(/^Baseline "main": saved for another command: .*Buffer\.alloc\(100 \* 1048576/);
    lines.splice(at, 1);
    expect(lines.slice(at, at + 3).map((line) => line.replace(/ .*/, ""))).toEqual(["Baseline", "Baseline", "Baseline"]);
    expect(lines[at]).toMatch(/^Baseline "main": peak RSS [\d.]+ MiB → [\d.]+ MiB \(-[\d.]+%\)$/);
    expect(lines[at + 1]).toStartWith('Baseline "main": peak VSZ ');
    expect(lines[at + 2]).toStartWith('Baseline "main": duration ');
    expect(lines[at + 3]).toMatch(/^No regression: peak RSS -[\d.]+%, within the 10% allowed$/);
    expect(lines).toHaveLength(at + 4);
  });

  test("a regression: exit 1, a REGRESSION line, and comparison.regression in JSON, CSV and quiet", async () => {
    const { dir } = place();
    expect((await peakMem(["--baseline-dir", dir, "--save-baseline", "small", ...SMALL])).code).toBe(0);

    const human = await peakMem(["--baseline-dir", dir, "--compare-baseline", "small", ...LARGE]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/\nREGRESSION: peak RSS grew [\d.]+%, over the 10% allowed\n$/);

    const json = await peakMem(["--json", "--baseline-dir", dir, "--compare-baseline", "small", "--regression-threshold", "50", ...LARGE]);
    expect(json.code).toBe(1);
    const { comparison } = JSON.parse(json.stdout);
    expect(comparison).toMatchObject({ baseline: "small", threshold_percent: 50, regression: true });
    expect(comparison.peak_rss_bytes.current).toBeGreaterThan(comparison.peak_rss_bytes.baseline);
    expect(comparison.peak_rss_bytes.change_percent).toBeGreaterThan(50);
    expect(Object.keys(comparison)).toEqual(["baseline", "baseline_timestamp", "baseline_command", "peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "threshold_percent", "regression"]);

    const csv = await peakMem(["--csv", "--baseline-dir", dir, "--compare-baseline", "small", ...LARGE]);
    expect(csv.code).toBe(1);
    const [header, row] = csv.stdout.trimEnd().split("\n");
    // The comparison's columns last, in the one header every CSV has.
    expect(header).toStartWith("command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp,");
    expect(header).toEndWith(",baseline,baseline_peak_rss_bytes,rss_change_percent,regression");
    expect(row).toMatch(/,small,\d+,[\d.]+,true$/);

    const quiet = await peakMem(["--quiet", "--baseline-dir", dir, "--compare-baseline", "small", ...LARGE]);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toMatch(/^\d+\n$/);
    expect(quiet.stderr).toBe("");
  });

  test("a regression by a failing command keeps the command's code", async () => {
    const { dir } = place();
    expect((await peakMem(["--baseline-dir", dir, "--save-baseline", "small", ...SMALL])).code).toBe(0);
    const failing = [BUN, "-e", "const b = Buffer.alloc(100 * 1048576, 1); await Bun.sleep(300); process.exit(b[0] === 1 ? 3 : 9)"];
    const result = await peakMem(["--baseline-dir", dir, "--compare-baseline", "small", ...failing]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("REGRESSION: peak RSS grew");
  });

  test("a high enough threshold lets the same growth pass", async () => {
    const { dir } = place();
    expect((await peakMem(["--baseline-dir", dir, "--save-baseline", "small", ...SMALL])).code).toBe(0);
    const result = await peakMem(["--baseline-dir", dir, "--compare-baseline", "small", "--regression-threshold", "100000", ...LARGE]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nNo regression: peak RSS \+[\d.]+%, within the 100000% allowed\n$/);
  });

  test("compare with the old baseline and save the new one in one run", async () => {
    const { dir } = place();
    await peakMem(["--baseline-dir", dir, "--save-baseline", "rolling", ...SMALL]);
    const before = JSON.parse(readFileSync(join(dir, "rolling.json"), "utf8")).peak_rss_bytes;
    const result = await peakMem(["--json", "--baseline-dir", dir, "--compare-baseline", "rolling", "--save-baseline", "rolling", ...LARGE]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).comparison.peak_rss_bytes.baseline).toBe(before);
    expect(JSON.parse(readFileSync(join(dir, "rolling.json"), "utf8")).peak_rss_bytes).toBe(JSON.parse(result.stdout).peak_rss_bytes);
    expect(readdirSync(dir)).toEqual(["rolling.json"]);
  });
});

describe("refused before anything runs", () => {
  // A NUL cannot travel in argv (C strings end at it): the unit tests refuse it.
  const names = REFUSED.filter(([, name]) => !name.includes("\0"));

  for (const option of ["--save-baseline", "--compare-baseline"]) {
    test.each(names)(`${option} %s: exit 2, one line, nothing run, nothing written`, async (_label, name) => {
      const { root, dir, marker } = place();
      const { code, stdout, stderr } = await peakMem(["--baseline-dir", dir, option, name, "touch", marker], { cwd: root });
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(ONE_LINE);
      expect(stderr).toContain(option);
      expect(existsSync(marker)).toBe(false);
      expect(readdirSync(root)).toEqual([]); // not even the baseline directory
    });
  }

  test.each(names)("--delete-baseline %s: exit 2, one line", async (_label, name) => {
    const { root, dir } = place();
    mkdirSync(dir);
    writeFileSync(join(root, "escape.json"), "{}");
    const { code, stdout, stderr } = await peakMem(["--baseline-dir", dir, "--delete-baseline", name], { cwd: root });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(ONE_LINE);
    expect(readdirSync(root).sort()).toEqual(["baselines", "escape.json"]);
  });

  test("a missing baseline: exit 2 before running, --output untouched", async () => {
    const { root, dir, marker } = place();
    const output = join(root, "report.txt");
    writeFileSync(output, "previous report\n");
    const { code, stdout, stderr } = await peakMem(["--baseline-dir", dir, "--compare-baseline", "nope", "-o", output, "touch", marker]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(ONE_LINE);
    expect(stderr).toContain('no baseline named "nope"');
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(output, "utf8")).toBe("previous report\n");
    expect(existsSync(dir)).toBe(false);
  });

  test.each([
    ["not JSON", "{ half"],
    ["empty", ""],
    ["a number as a string", JSON.stringify({ command: "x", peak_rss_bytes: "1", peak_vsz_bytes: 1, duration_ms: 1, timestamp: "t", version: "v" })],
  ])("a corrupt baseline (%s): exit 2 before running", async (_label, text) => {
    const { dir, marker } = place();
    mkdirSync(dir);
    writeFileSync(join(dir, "bad.json"), text);
    const { code, stdout, stderr } = await peakMem(["--baseline-dir", dir, "--compare-baseline", "bad", "touch", marker]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(ONE_LINE);
    expect(stderr).toContain('baseline "bad" is corrupt');
    expect(existsSync(marker)).toBe(false);
  });

  test("a baseline directory that cannot hold baselines: exit 2 before running", async () => {
    const { root, marker } = place();
    const file = join(root, "file");
    writeFileSync(file, "");
    const { code, stderr } = await peakMem(["--baseline-dir", file, "--save-baseline", "x", "touch", marker]);
    expect(code).toBe(2);
    expect(stderr).toMatch(ONE_LINE);
    expect(existsSync(marker)).toBe(false);
  });

  test.each([
    ["negative", "-5"],
    ["garbage", "lots"],
    ["empty", ""],
  ])("a %s --regression-threshold: exit 2", async (_label, value) => {
    const { dir, marker } = place();
    const { code, stderr } = await peakMem(["--baseline-dir", dir, "--compare-baseline", "x", "--regression-threshold", value, "touch", marker]);
    expect(code).toBe(2);
    expect(stderr).toMatch(ONE_LINE);
    expect(stderr).toContain("--regression-threshold");
    expect(existsSync(marker)).toBe(false);
  });
});

describe("--list-baselines and --delete-baseline", () => {
  test("list, delete, list again; a missing directory lists nothing", async () => {
    const { dir } = place();
    expect(await peakMem(["--baseline-dir", dir, "--list-baselines"])).toEqual({ code: 0, stdout: "", stderr: `peak-mem: no baselines saved in '${dir}'\n` });
    expect(existsSync(dir)).toBe(false); // listing creates nothing

    await peakMem(["--baseline-dir", dir, "--save-baseline", "main", ...SMALL]);
    // Alive at a sample: \`true\` can exit before its first read and save a peak of 0 B.
    await peakMem(["--baseline-dir", dir, "--save-baseline", "feature-x", "sleep", "0.05"]);
    writeFileSync(join(dir, "broken.json"), "nope");
    const listed = await peakMem(["--baseline-dir", dir, "--list-baselines"]);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe("");
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("broken     (corrupt: it is not valid JSON)");
    expect(lines[1]).toMatch(/^feature-x  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  peak RSS [\d.]+ [KM]iB$/);
    expect(lines[2]).toMatch(/^main       \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  peak RSS [\d.]+ MiB$/);

    const deleted = await peakMem(["--baseline-dir", dir, "--delete-baseline", "main"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(`Deleted baseline "main" ('${join(dir, "main.json")}')\n`);
    expect(existsSync(join(dir, "main.json"))).toBe(false);
    // A corrupt one can be deleted too.
    expect((await peakMem(["--baseline-dir", dir, "--delete-baseline", "broken"])).code).toBe(0);
    const after = await peakMem(["--baseline-dir", dir, "--list-baselines", "--units", "B"]);
    expect(after.stdout).toMatch(/^feature-x  \S+  peak RSS \d+ B\n$/);
  });

  test("deleting a missing baseline: exit 2, one line", async () => {
    const { dir } = place();
    const { code, stdout, stderr } = await peakMem(["--baseline-dir", dir, "--delete-baseline", "nope"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(ONE_LINE);
  });

  test("they run nothing: a command is refused", async () => {
    const { dir, marker } = place();
    for (const args of [["--list-baselines"], ["--delete-baseline", "x"]]) {
      const { code, stderr } = await peakMem(["--baseline-dir", dir, ...args, "touch", marker]);
      expect(code).toBe(2);
      expect(stderr).toMatch(ONE_LINE);
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe("where baselines live", () => {
  test("--baseline-dir is created when saving, parents included", async () => {
    const { root } = place();
    const dir = join(root, "deep", "er", "baselines");
    expect((await peakMem(["--baseline-dir", dir, "--save-baseline", "x", "true"])).code).toBe(0);
    expect(readdirSync(dir)).toEqual(["x.json"]);
  });

  test("by default under $XDG_CACHE_HOME/peak-mem/baselines", async () => {
    const cache = process.env.XDG_CACHE_HOME ?? "";
    expect(cache).not.toBe(""); // test/preload.ts sets a private one
    const name = `default-${process.pid}`;
    expect((await peakMem(["--save-baseline", name, "true"])).code).toBe(0);
    expect(existsSync(join(cache, "peak-mem", "baselines", `${name}.json`))).toBe(true);
    const listed = await peakMem(["--list-baselines"]);
    expect(listed.stdout).toContain(name);
    expect([0, 1]).toContain((await peakMem(["--compare-baseline", name, "true"])).code);
    expect((await peakMem(["--delete-baseline", name])).code).toBe(0);
  });

  test("without XDG_CACHE_HOME, under ~/.cache/peak-mem/baselines", async () => {
    const home = tempDir();
    const { code } = await peakMem(["--save-baseline", "h", "true"], { env: { HOME: home, XDG_CACHE_HOME: "" } });
    expect(code).toBe(0);
    expect(readdirSync(join(home, ".cache", "peak-mem", "baselines"))).toEqual(["h.json"]);
  });
});

describe("when the default directory cannot be used, it is named as the default", () => {
  const DEFAULT_HINT = "(set --baseline-dir or XDG_CACHE_HOME)";
  const bare = peakMemBare;

  test("HOME pointing nowhere: not created (not even by root), exit 2, nothing run", async () => {
    const { root, marker } = openPlace();
    const home = join(root, "nonexistent");
    const { code, stdout, stderr } = await bare(["--save-baseline", "x", "touch", marker], { HOME: home });
    expect(stderr).toBe(
      `peak-mem: cannot save baselines in the default baseline directory '${join(home, ".cache", "peak-mem", "baselines")}': the home directory '${home}' does not exist ${DEFAULT_HINT}\n`,
    );
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(existsSync(home)).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  test("HOME pointing nowhere: a missing baseline is looked for in the default directory", async () => {
    const home = join(tempDir(), "nonexistent");
    const { code, stderr } = await bare(["--compare-baseline", "x", "true"], { HOME: home });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `peak-mem: no baseline named "x" in the default baseline directory '${join(home, ".cache", "peak-mem", "baselines")}' (save one with --save-baseline; --list-baselines shows them)\n`,
    );
  });
});
