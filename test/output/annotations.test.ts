import { describe, expect, test } from "bun:test";
import { compareRuns } from "../../src/baseline/compare.ts";
import type { Baseline } from "../../src/baseline/store.ts";
import { annotations, escapeData, escapeProperty } from "../../src/output/annotations.ts";
import type { MemoryEnvironment, OomFacts } from "../../src/model/report.ts";
import { makeReport, type ReportOverrides } from "../export/fixture.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const LIMIT = { bytes: 200 * MiB, source: "cgroup memory.max" };

/** An OOM kill of the tree under a 200 MiB limit; override the facts a test is about. */
function oomKill(oom: Partial<OomFacts> = {}, memory: Partial<MemoryEnvironment> = {}): ReportOverrides {
  return {
    argv: ["./alloc", "400M"],
    peaks: { rss: { bytes: Math.round(199.8 * MiB) } },
    exitCode: 137,
    signal: "SIGKILL",
    memory: {
      limit: LIMIT,
      oom: { kills: 1, source: "memory.events", scope: "cgroup", treeKilled: true, victim: { pid: 4242, name: "alloc", role: "command", certain: true }, ...oom },
      ...memory,
    },
  };
}

/** A run against baseline "main" of 100 MiB. */
function regressed(current: number, thresholdPercent = 10, baselinePeak = 100 * MiB, name = "main"): ReportOverrides {
  const baseline: Baseline = { command: "cargo build --release", timestamp: "2025-05-20T08:00:00Z", peakRssBytes: baselinePeak, peakVszBytes: 900 * MiB, durationMs: 14_000, version: "0.1.0" };
  const run = { peakRssBytes: current, peakVszBytes: 900 * MiB, durationMs: 14_000 };
  return { peaks: { rss: { bytes: run.peakRssBytes }, vsz: { bytes: run.peakVszBytes } }, durationMs: run.durationMs, comparison: compareRuns(name, baseline, run, thresholdPercent) };
}

/**
 * A workflow command read back as the runner reads it: the level, the properties and the
 * message, each unescaped. Throws on anything that is not exactly one well-formed command.
 */
function parse(line: string): { level: string; title: string; message: string } {
  expect(line).not.toMatch(/[\r\n]/);
  const match = /^::(error|warning) title=([^:,]*)::(.*)$/s.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const unescape = (text: string) => {
    // Nothing but the escapes GitHub defines may follow a %.
    expect(text).not.toMatch(/%(?!25|0D|0A|3A|2C)/);
    return text.replace(/%(25|0D|0A|3A|2C)/g, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)));
  };
  return { level: match[1]!, title: unescape(match[2]!), message: unescape(match[3]!) };
}

describe("annotations", () => {
  test("a plain successful run has none", () => {
    expect(annotations(makeReport())).toEqual([]);
    expect(annotations(makeReport({ exitCode: 3 }))).toEqual([]);
    // A limit far above the peak, and OOM kills elsewhere in the cgroup, are no news either.
    expect(annotations(makeReport({ memory: { limit: { bytes: 8 * GiB, source: "physical memory" }, oom: { kills: 2, source: "memory.events", scope: "cgroup", treeKilled: false } } }))).toEqual([]);
  });

  test("an OOM kill of the tree: who, at which limit, and the peak", () => {
    expect(annotations(makeReport(oomKill()))).toEqual([
      "::error title=peak-mem%3A killed by the OOM killer::./alloc 400M was killed (pid 4242 alloc) by the kernel's OOM killer at the memory limit of 200.0 MiB (cgroup memory.max); peak RSS 199.8 MiB",
    ]);
  });

  test("a process of the tree other than the command: the annotation says it was one of the command's", () => {
    for (const role of ["member", "orphan"] as const) {
      const [line] = annotations(makeReport(oomKill({ victim: { pid: 4250, name: "cc1plus", role, certain: true } })));
      expect(parse(line!).message).toBe(
        "a process of ./alloc 400M was killed (pid 4250 cc1plus) by the kernel's OOM killer at the memory limit of 200.0 MiB (cgroup memory.max); peak RSS 199.8 MiB",
      );
    }
  });

  test("an OOM victim only likely (it vanished as the count rose) says so", () => {
    const [line] = annotations(makeReport(oomKill({ victim: { pid: 4242, name: "alloc", role: "member", certain: false } })));
    expect(parse(line!).message).toBe(
      "a process of ./alloc 400M was killed (likely pid 4242 alloc) by the kernel's OOM killer at the memory limit of 200.0 MiB (cgroup memory.max); peak RSS 199.8 MiB",
    );
    const [own] = annotations(makeReport(oomKill({ victim: { pid: 4242, name: "alloc", role: "command", certain: false } })));
    expect(parse(own!).message).toStartWith("./alloc 400M was killed (likely pid 4242 alloc) by the kernel's OOM killer");
  });

  test("an OOM kill without a known victim or limit leaves those parts out", () => {
    const noVictim = annotations(makeReport(oomKill({ victim: undefined })));
    expect(parse(noVictim[0]!).message).toBe("./alloc 400M was killed by the kernel's OOM killer at the memory limit of 200.0 MiB (cgroup memory.max); peak RSS 199.8 MiB");
    const noLimit = annotations(makeReport(oomKill({ source: "/proc/vmstat", scope: "system" }, { limit: undefined })));
    expect(parse(noLimit[0]!).message).toBe("./alloc 400M was killed (pid 4242 alloc) by the kernel's OOM killer; peak RSS 199.8 MiB");
  });

  test("an OOM kill replaces the close-to-the-limit warning", () => {
    const lines = annotations(makeReport(oomKill()));
    expect(lines).toHaveLength(1);
    expect(lines.map((line) => parse(line).level)).toEqual(["error"]);
  });

  test("a victim's name is shown as ps shows it: a hidden character becomes ?", () => {
    const [line] = annotations(makeReport(oomKill({ victim: { pid: 7, name: "evil\n::error::x\u202e", role: "orphan", certain: true } })));
    expect(parse(line!).message).toContain("(pid 7 evil?::error::x?)");
  });

  test("a crossed threshold", () => {
    const report = makeReport({ peaks: { rss: { bytes: Math.round(1.2 * GiB) } }, threshold: { bytes: GiB, exceeded: true } });
    expect(annotations(report)).toEqual(["::error title=peak-mem%3A threshold exceeded::peak RSS 1.20 GiB of cargo build --release is over the threshold of 1.00 GiB"]);
  });

  test("a threshold that reads the same as the peak gets the exact bytes of both", () => {
    const [line] = annotations(makeReport({ peaks: { rss: { bytes: 1_000_000_001 } }, threshold: { bytes: 1_000_000_000, exceeded: true } }));
    expect(parse(line!).message).toBe("peak RSS 953.7 MiB (1000000001 bytes) of cargo build --release is over the threshold of 953.7 MiB (1000000000 bytes)");
  });

  test("a threshold given as a share of the memory limit says so", () => {
    const [line] = annotations(makeReport({ peaks: { rss: { bytes: 170 * MiB } }, threshold: { bytes: 160 * MiB, percent: 80, exceeded: true }, memory: { limit: { bytes: 400 * MiB, source: "cgroup memory.max" } } }));
    expect(parse(line!).message).toBe("peak RSS 170.0 MiB of cargo build --release is over the threshold of 160.0 MiB (80% of the memory limit)");
  });

  test("no threshold line unless it was crossed", () => {
    expect(annotations(makeReport({ peaks: { rss: { bytes: GiB } }, threshold: { bytes: GiB, exceeded: false } }))).toEqual([]);
  });

  test("a regression against a baseline, in the comparison's own wording", () => {
    expect(annotations(makeReport(regressed(120 * MiB)))).toEqual([
      '::error title=peak-mem%3A memory regression::peak RSS grew 20.0%25 over baseline "main" (100.0 MiB → 120.0 MiB), more than the 10%25 allowed',
    ]);
    // 10.04% over 10% is not "10.0%, more than the 10% allowed".
    const [close] = annotations(makeReport(regressed(100 * MiB + Math.round(0.1004 * 100 * MiB))));
    expect(parse(close!).message).toStartWith("peak RSS grew 10.04% over baseline");
    const [fractional] = annotations(makeReport(regressed(103 * MiB, 2.5)));
    expect(parse(fractional!).message).toEndWith("more than the 2.5% allowed");
  });

  test("a regression from a baseline of 0 has no percentage", () => {
    const [line] = annotations(makeReport(regressed(5 * MiB, 10, 0)));
    expect(parse(line!).message).toBe('peak RSS grew over baseline "main" (0 B → 5.00 MiB), more than the 10% allowed');
  });

  test("no regression line within the threshold", () => {
    const report = makeReport(regressed(110 * MiB));
    expect(report.comparison?.regression).toBe(false);
    expect(annotations(report)).toEqual([]);
  });

  test("a baseline name with a line break or a quote stays one line, visible", () => {
    const [line] = annotations(makeReport(regressed(120 * MiB, 10, 100 * MiB, 'x"\n::error::forged%')));
    expect(line).toContain(String.raw`baseline "x\"\n::error::forged%25" (`);
    expect(parse(line!).message).toContain(String.raw`baseline "x\"\n::error::forged%" (`);
  });

  test("a peak above 90% of the memory limit is a warning", () => {
    const report = makeReport({ peaks: { rss: { bytes: 190 * MiB } }, memory: { limit: LIMIT } });
    expect(annotations(report)).toEqual(["::warning title=peak-mem%3A close to the memory limit::peak RSS 190.0 MiB is 95%25 of the memory limit of 200.0 MiB (cgroup memory.max)"]);
  });

  test("close to the limit: strictly above 90%, the share rounded down", () => {
    const at = (peakRssBytes: number, bytes = 1000) => annotations(makeReport({ peaks: { rss: { bytes: peakRssBytes } }, memory: { limit: { bytes, source: "physical memory" } } }));
    expect(at(900)).toEqual([]);
    expect(parse(at(901)[0]!).message).toBe("peak RSS 901 B is 90% of the memory limit of 1000 B (physical memory)");
    expect(parse(at(999)[0]!).message).toContain("is 99% of");
    // A summed RSS can pass the limit (shared pages counted in each process).
    expect(parse(at(1100)[0]!).message).toContain("is 110% of");
    // A limit of 0 (never real) divides nothing.
    expect(at(5, 0)).toEqual([]);
  });

  test("OOM kills elsewhere in the cgroup do not hide the warning", () => {
    const lines = annotations(makeReport({ peaks: { rss: { bytes: 190 * MiB } }, memory: { limit: LIMIT, oom: { kills: 1, source: "memory.events", scope: "cgroup", treeKilled: false } } }));
    expect(lines.map((line) => parse(line).title)).toEqual(["peak-mem: close to the memory limit"]);
  });

  test("everything at once, in order: OOM kill, threshold, regression", () => {
    const [run, killed] = [regressed(Math.round(199.8 * MiB)), oomKill()];
    const report = makeReport({ ...run, ...killed, peaks: { ...run.peaks, ...killed.peaks }, threshold: { bytes: 150 * MiB, exceeded: true } });
    expect(annotations(report).map((line) => parse(line).title)).toEqual(["peak-mem: killed by the OOM killer", "peak-mem: threshold exceeded", "peak-mem: memory regression"]);
    const near = regressed(195 * MiB);
    const withWarning = makeReport({ ...near, peaks: { ...near.peaks, rss: { bytes: 195 * MiB } }, memory: { limit: LIMIT }, threshold: { bytes: 150 * MiB, exceeded: true } });
    expect(annotations(withWarning).map((line) => parse(line))).toEqual([
      { level: "error", title: "peak-mem: threshold exceeded", message: "peak RSS 195.0 MiB of cargo build --release is over the threshold of 150.0 MiB" },
      { level: "error", title: "peak-mem: memory regression", message: 'peak RSS grew 95.0% over baseline "main" (100.0 MiB → 195.0 MiB), more than the 10% allowed' },
      { level: "warning", title: "peak-mem: close to the memory limit", message: "peak RSS 195.0 MiB is 97% of the memory limit of 200.0 MiB (cgroup memory.max)" },
    ]);
  });

  test("a command holding a line break, a CR and % still gives one line each, escaped", () => {
    const argv = ["sh", "-c", "printf '100%\\n'\necho done\r", "50%"];
    const report = makeReport({ ...oomKill(), argv, threshold: { bytes: 150 * MiB, exceeded: true } });
    const lines = annotations(report);
    expect(lines).toHaveLength(2);
    // The command as on a terminal ($'…' for the word with the line break), then %-escaped.
    const shown = String.raw`sh -c $'printf \'100%\\n\'\necho done\r' 50%`;
    expect(parse(lines[0]!).message).toStartWith(`${shown} was killed (pid 4242 alloc) by the kernel's OOM killer`);
    expect(parse(lines[1]!).message).toBe(`peak RSS 199.8 MiB of ${shown} is over the threshold of 150.0 MiB`);
    expect(lines[1]).toBe(String.raw`::error title=peak-mem%3A threshold exceeded::peak RSS 199.8 MiB of sh -c $'printf \'100%25\\n\'\necho done\r' 50%25 is over the threshold of 150.0 MiB`);
    for (const line of lines) expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
  });

  test("the command is shown from argv, never from the raw command string", () => {
    const report = makeReport({ argv: ["echo", "a\u001b[2Jb"], command: "echo 'raw\ncommand'", threshold: { bytes: 1, exceeded: true } });
    const [line] = annotations(report);
    expect(parse(line!).message).toBe(String.raw`peak RSS 487.3 MiB of echo $'a\E[2Jb' is over the threshold of 1 B`);
  });
});

describe("GitHub's escaping", () => {
  test("a message: %, CR and LF, the % first so no escape is escaped twice", () => {
    expect(escapeData("100% done\r\nnext %0A")).toBe("100%25 done%0D%0Anext %250A");
    expect(escapeData("a: b, c")).toBe("a: b, c");
  });

  test("a property: also : and ,", () => {
    expect(escapeProperty("peak-mem: a, b\n50%")).toBe("peak-mem%3A a%2C b%0A50%25");
  });
});
