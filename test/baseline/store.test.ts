import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  baselineDir,
  baselineFromReport,
  defaultBaselineDir,
  deleteBaseline,
  listBaselines,
  parse,
  prepareBaselineDir,
  readBaseline,
  serialize,
  writeBaseline,
  type Baseline,
} from "../../src/baseline/store.ts";
import { PeakMemError, UsageError } from "../../src/core/errors.ts";
import { makeReport } from "../export/fixture.ts";

const temp = () => mkdtempSync(join(tmpdir(), "peak-mem-baselines-"));
const saved: Baseline = baselineFromReport(makeReport());

function usageError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as UsageError).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a UsageError");
}

describe("defaultBaselineDir", () => {
  test("under an absolute XDG_CACHE_HOME", () => {
    expect(defaultBaselineDir({ XDG_CACHE_HOME: "/c", HOME: "/h" })).toBe(join("/c", "peak-mem", "baselines"));
  });
  test("else under ~/.cache (a relative XDG_CACHE_HOME is invalid and ignored)", () => {
    expect(defaultBaselineDir({ HOME: "/h" })).toBe(join("/h", ".cache", "peak-mem", "baselines"));
    expect(defaultBaselineDir({ XDG_CACHE_HOME: "", HOME: "/h" })).toBe(join("/h", ".cache", "peak-mem", "baselines"));
    expect(defaultBaselineDir({ XDG_CACHE_HOME: "rel", HOME: "/h" })).toBe(join("/h", ".cache", "peak-mem", "baselines"));
  });
  test("without HOME, the system's home directory", () => {
    expect(defaultBaselineDir({}, () => "/home/x")).toBe(join("/home/x", ".cache", "peak-mem", "baselines"));
  });
});

describe("baselineDir", () => {
  test("--baseline-dir given: resolved, and not the default", () => {
    expect(baselineDir("/b/../c", {})).toEqual({ path: "/c", isDefault: false });
  });
  test("the default: under XDG_CACHE_HOME, or under a home directory that must exist", () => {
    expect(baselineDir(undefined, { XDG_CACHE_HOME: "/c", HOME: "/h" })).toEqual({ path: join("/c", "peak-mem", "baselines"), isDefault: true });
    expect(baselineDir(undefined, { HOME: "/h" })).toEqual({ path: join("/h", ".cache", "peak-mem", "baselines"), isDefault: true, home: "/h" });
  });
  test("no HOME and no home directory: a usage error saying how to choose one", () => {
    const noHome = () => {
      throw new Error("ENOENT: no such file or directory, uv_os_homedir");
    };
    expect(usageError(() => baselineDir(undefined, {}, noHome))).toBe(
      "no default baseline directory: HOME is not set and this user has no home directory (set --baseline-dir or XDG_CACHE_HOME)",
    );
    expect(usageError(() => baselineDir(undefined, {}, () => ""))).toContain("no default baseline directory");
    expect(baselineDir("/b", {}, noHome).path).toBe("/b"); // not needed when one is given
  });
});

describe("messages name the directory as it was chosen", () => {
  test("the default one is called the default, with how to choose another", () => {
    const root = temp();
    writeFileSync(join(root, "file"), "");
    const dir = { path: join(root, "file", "baselines"), isDefault: true };
    expect(usageError(() => prepareBaselineDir(dir))).toBe(
      `cannot save baselines in the default baseline directory '${dir.path}': it is not a directory (set --baseline-dir or XDG_CACHE_HOME)`,
    );
    expect(usageError(() => listBaselines(dir))).toBe(
      `cannot list baselines in the default baseline directory '${dir.path}': it is not a directory (set --baseline-dir or XDG_CACHE_HOME)`,
    );
    expect(usageError(() => readBaseline({ path: root, isDefault: true }, "nope"))).toStartWith(`no baseline named "nope" in the default baseline directory '${root}' (`);
    expect(usageError(() => deleteBaseline({ path: root, isDefault: true }, "nope"))).toStartWith(`no baseline named "nope" in the default baseline directory '${root}' (`);
  });

  test("a given one is named as --baseline-dir, as before", () => {
    const root = temp();
    writeFileSync(join(root, "file"), "");
    const path = join(root, "file", "baselines");
    expect(usageError(() => prepareBaselineDir({ path, isDefault: false }))).toBe(`cannot save baselines in --baseline-dir '${path}': it is not a directory`);
    expect(usageError(() => readBaseline(root, "nope"))).toStartWith(`no baseline named "nope" in '${root}' (`);
  });

  test("a default under a home directory that does not exist is not made, not even by root", () => {
    const home = join(temp(), "nonexistent");
    const dir = { path: join(home, ".cache", "peak-mem", "baselines"), isDefault: true, home };
    expect(usageError(() => prepareBaselineDir(dir))).toBe(
      `cannot save baselines in the default baseline directory '${dir.path}': the home directory '${home}' does not exist (set --baseline-dir or XDG_CACHE_HOME)`,
    );
    expect(existsSync(home)).toBe(false);
    mkdirSync(home);
    prepareBaselineDir(dir);
    expect(existsSync(dir.path)).toBe(true);
  });
});

describe("the file", () => {
  test("holds the report's fields under the names --json uses", () => {
    expect(JSON.parse(serialize(saved))).toEqual({
      command: "cargo build --release",
      peak_rss_bytes: makeReport().peaks.rss.bytes,
      peak_vsz_bytes: makeReport().peaks.vsz.bytes,
      duration_ms: 14_200,
      exit_code: 0,
      timestamp: "2025-05-24T10:30:45Z",
      version: "0.1.0",
      platform: "linux",
    });
  });

  test("parses back to what was saved", () => expect(parse(serialize(saved))).toEqual(saved));

  test.each([
    ["not JSON", "{nope", "not valid JSON"],
    ["empty", "", "not valid JSON"],
    ["an array", "[]", "not a JSON object"],
    ["null", "null", "not a JSON object"],
    ["a missing peak", JSON.stringify({ ...JSON.parse(serialize(saved)), peak_rss_bytes: undefined }), "peak_rss_bytes"],
    ["a negative duration", JSON.stringify({ ...JSON.parse(serialize(saved)), duration_ms: -1 }), "duration_ms"],
    ["a peak as a string", JSON.stringify({ ...JSON.parse(serialize(saved)), peak_vsz_bytes: "12" }), "peak_vsz_bytes"],
    ["no timestamp", JSON.stringify({ ...JSON.parse(serialize(saved)), timestamp: 5 }), "timestamp"],
  ])("corrupt: %s", (_label, text, word) => {
    const result = parse(text);
    expect(typeof result).toBe("string");
    expect(result as string).toContain(word);
  });
});

describe("store", () => {
  test("round trip: write, read, list, delete", () => {
    const dir = join(temp(), "nested", "baselines"); // created when saving
    const path = writeBaseline(dir, "main", saved);
    expect(path).toBe(join(dir, "main.json"));
    expect(readBaseline(dir, "main")).toEqual(saved);
    writeBaseline(dir, "feature", { ...saved, peakRssBytes: 5 });
    expect(listBaselines(dir)).toEqual([
      { name: "feature", baseline: { ...saved, peakRssBytes: 5 } },
      { name: "main", baseline: saved },
    ]);
    expect(deleteBaseline(dir, "main")).toBe(path);
    expect(existsSync(path)).toBe(false);
    expect(listBaselines(dir).map((entry) => entry.name)).toEqual(["feature"]);
  });

  test("saving again replaces, atomically: no temp file is left, nothing else is written", () => {
    const dir = temp();
    for (let i = 0; i < 20; i++) writeBaseline(dir, "main", { ...saved, durationMs: i });
    expect(readdirSync(dir)).toEqual(["main.json"]);
    expect(readBaseline(dir, "main").durationMs).toBe(19);
  });

  test("a failed save leaves no temp file and the old baseline whole", () => {
    const dir = temp();
    writeBaseline(dir, "main", saved);
    mkdirSync(join(dir, "blocked.json")); // rename over a directory fails
    let error: unknown;
    try {
      writeBaseline(dir, "blocked", saved);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PeakMemError);
    expect((error as PeakMemError).exitCode).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(["blocked.json", "main.json"]);
    expect(readBaseline(dir, "main")).toEqual(saved);
  });

  test("a missing baseline is a UsageError naming it and the directory", () => {
    const dir = temp();
    const message = usageError(() => readBaseline(dir, "nope"));
    expect(message).toContain('"nope"');
    expect(message).toContain(dir);
    // A missing directory is no different.
    usageError(() => readBaseline(join(dir, "absent"), "nope"));
  });

  test("a corrupt baseline is a UsageError saying so", () => {
    const dir = temp();
    writeFileSync(join(dir, "bad.json"), "{ half a fi");
    expect(usageError(() => readBaseline(dir, "bad"))).toContain("corrupt");
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ command: "x" }));
    expect(usageError(() => readBaseline(dir, "bad"))).toContain("peak_rss_bytes");
  });

  test("a baseline that is not a file is a UsageError", () => {
    const dir = temp();
    mkdirSync(join(dir, "odd.json"));
    expect(usageError(() => readBaseline(dir, "odd"))).toContain("not a file");
  });

  test.if(process.platform !== "win32" && process.getuid?.() !== 0)("an unreadable baseline is a UsageError", () => {
    const dir = temp();
    writeBaseline(dir, "locked", saved);
    chmodSync(join(dir, "locked.json"), 0);
    expect(usageError(() => readBaseline(dir, "locked"))).toContain("cannot be read");
  });

  test("names are checked before any path is built", () => {
    const root = temp();
    const dir = join(root, "baselines");
    usageError(() => writeBaseline(dir, "../escape", saved));
    usageError(() => readBaseline(dir, "../escape"));
    usageError(() => deleteBaseline(dir, ".."));
    expect(readdirSync(root)).toEqual([]);
  });

  test("listing: a missing directory lists nothing; sorted; corrupt files shown with why; other files skipped", () => {
    const dir = temp();
    expect(listBaselines(join(dir, "absent"))).toEqual([]);
    expect(listBaselines(dir)).toEqual([]);
    writeBaseline(dir, "b", saved);
    writeBaseline(dir, "a", saved);
    writeFileSync(join(dir, "c.json"), "garbage");
    writeFileSync(join(dir, "notes.txt"), "not a baseline");
    writeFileSync(join(dir, ".main.json.123-abc.tmp"), "a stale temp file");
    writeFileSync(join(dir, "-x.json"), "not a name the CLI accepts");
    const listed = listBaselines(dir);
    expect(listed.map((entry) => entry.name)).toEqual(["a", "b", "c"]);
    expect(listed[2]?.baseline).toEqual({ problem: "corrupt: it is not valid JSON" });
  });

  test("listing a file instead of a directory is a UsageError", () => {
    const file = join(temp(), "file");
    writeFileSync(file, "");
    expect(usageError(() => listBaselines(file))).toContain("not a directory");
  });

  test("deleting a missing baseline is a UsageError", () => {
    expect(usageError(() => deleteBaseline(temp(), "nope"))).toContain('no baseline named "nope"');
  });

  test("preparing creates the directory, and refuses a file", () => {
    const root = temp();
    prepareBaselineDir(join(root, "a", "b"));
    expect(existsSync(join(root, "a", "b"))).toBe(true);
    writeFileSync(join(root, "file"), "");
    expect(usageError(() => prepareBaselineDir(join(root, "file")))).toContain("not a directory");
    expect(usageError(() => prepareBaselineDir(join(root, "file", "sub")))).toContain("not a directory");
    expect(readFileSync(join(root, "file"), "utf8")).toBe("");
  });
});

describe("a baseline saved from a series", () => {
  const series: Baseline = { ...saved, peakRssBytes: 50, runs: [48, 50, 53].map((rss) => ({ peakRssBytes: rss, peakVszBytes: 2 * rss, durationMs: 10 })) };

  test("keeps each run's figures beside the medians, and reads back", () => {
    const file = JSON.parse(serialize(series));
    expect(file.peak_rss_bytes).toBe(50);
    expect(file.statistic).toBe("median");
    expect(file.runs).toEqual([48, 50, 53].map((rss) => ({ peak_rss_bytes: rss, peak_vsz_bytes: 2 * rss, duration_ms: 10 })));
    expect(parse(serialize(series))).toEqual(series);
  });

  test("an old single run's file still reads, without runs", () => {
    expect(parse(serialize(saved))).not.toHaveProperty("runs");
  });

  test.each([
    ["runs not a list", { runs: 3 }, "runs is not a list"],
    ["no runs in the list", { runs: [] }, "runs is not a list"],
    ["a run without its peak", { runs: [{ peak_vsz_bytes: 1, duration_ms: 1 }] }, "runs[0].peak_rss_bytes"],
    ["a negative duration", { runs: [{ peak_rss_bytes: 1, peak_vsz_bytes: 1, duration_ms: -1 }] }, "runs[0].duration_ms"],
  ])("corrupt: %s", (_label, extra, word) => {
    const result = parse(JSON.stringify({ ...JSON.parse(serialize(saved)), ...extra }));
    expect(typeof result).toBe("string");
    expect(result as string).toContain(word);
  });
});
