// The memory environment (limit, OOM kill, pressure) as rows of the memory view
// (src/export/views/memory.ts), the swap as a row of the peaks view beside the cgroup's peak
// (src/export/views/peaks.ts), and as each renderer shows them: human lines, Markdown rows,
// JSON fields, CSV columns.
import { describe, expect, test } from "bun:test";
import { createColors } from "picocolors";
import { CSV_HEADER, render as csv } from "../../src/export/csv.ts";
import { render as human, terminalShow } from "../../src/export/human.ts";
import { render as json } from "../../src/export/json.ts";
import { render as markdown } from "../../src/export/markdown.ts";
import { PLAIN } from "../../src/export/palette.ts";
import { CLOSE_TO_LIMIT_PERCENT, closeToLimit, memoryView, peakPercentOfLimit } from "../../src/export/views/memory.ts";
import { peaksView } from "../../src/export/views/peaks.ts";
import type { View } from "../../src/export/views/view.ts";
import type { MemoryEnvironment, MemoryLimit, OomFacts, PressureFacts, Report } from "../../src/model/report.ts";
import { parseCsv } from "./csv-reader.ts";
import { makeReport, type ReportOverrides } from "./fixture.ts";
import { parseMarkdownReport } from "./markdown-table.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const show = terminalShow(undefined);
const CGROUP_200: MemoryLimit = { bytes: 200 * MiB, source: "cgroup memory.max", cgroup: "/x" };
const PHYSICAL: MemoryLimit = { bytes: 16 * GiB, source: "physical memory, MemTotal" };

/** A report whose peak is `peakMiB` and whose memory environment is `memory`. */
const at = (peakMiB: number, memory: MemoryEnvironment, more: ReportOverrides = {}) =>
  makeReport({ memory, ...more, peaks: { ...more.peaks, rss: { bytes: peakMiB * MiB, ...more.peaks?.rss } } });
const oomOf = (facts: Partial<OomFacts>): OomFacts => ({ kills: 1, source: "memory.events", scope: "cgroup", treeKilled: false, ...facts });
const pressureOf = (facts: Partial<PressureFacts>): PressureFacts => ({
  source: "memory.pressure",
  scope: "cgroup",
  someStallMs: 0,
  fullStallMs: 0,
  maxSomeAvg10: 0,
  maxFullAvg10: 0,
  ...facts,
});
/** Every row of the memory view (detail rows included: the terminal shows those only with -v). */
const rowsOf = (report: Report, view: View = memoryView) => view.rows!(report, show);
/** The rows a terminal shows: with -v, the detail rows too. */
const shownOf = (report: Report, verbose: boolean) => rowsOf(report).filter((r) => verbose || !r.detail);
const row = (report: Report, label: string, view: View = memoryView) => rowsOf(report, view).find((r) => r.label === label);

describe("peakPercentOfLimit", () => {
  test("the peak over the limit, unrounded", () => {
    expect(peakPercentOfLimit(at(174, { limit: CGROUP_200 }))).toBe(87);
    expect(peakPercentOfLimit(at(200 / 3, { limit: CGROUP_200 }))).toBeCloseTo(33.3333333, 6);
    expect(peakPercentOfLimit(at(300, { limit: CGROUP_200 }))).toBe(150);
  });

  test("none without a limit, or with a zero one", () => {
    expect(peakPercentOfLimit(makeReport())).toBeUndefined();
    expect(peakPercentOfLimit(at(10, {}))).toBeUndefined();
    expect(peakPercentOfLimit(at(10, { limit: { bytes: 0, source: "cgroup memory.max" } }))).toBeUndefined();
  });
});

describe("closeToLimit", () => {
  test(`above ${CLOSE_TO_LIMIT_PERCENT}% of the limit, compared in whole bytes: exactly ${CLOSE_TO_LIMIT_PERCENT}% is not`, () => {
    expect(closeToLimit(at(181, { limit: CGROUP_200 }))).toBe(true);
    expect(closeToLimit(at(180, { limit: CGROUP_200 }))).toBe(false);
    expect(closeToLimit(makeReport({ peaks: { rss: { bytes: 90 * MiB + 1 } }, memory: { limit: { bytes: 100 * MiB, source: "cgroup memory.max" } } }))).toBe(true);
    expect(closeToLimit(makeReport())).toBe(false);
    expect(closeToLimit(at(10, { limit: { bytes: 0, source: "cgroup memory.max" } }))).toBe(false);
  });
});

describe("memoryView.rows", () => {
  test("no memory environment: no rows", () => {
    expect(rowsOf(makeReport())).toEqual([]);
  });

  test("a cgroup limit: size, where, and the peak's share", () => {
    expect(rowsOf(at(174, { limit: CGROUP_200 }))).toEqual([{ label: "Memory limit", text: "200.0 MiB (cgroup memory.max of /x), peak RSS at 87% (a limit counts the cgroup's charge, not RSS)" }]);
  });

  test("a cgroup named / is not named; a small share keeps a decimal", () => {
    expect(row(at(9, { limit: { ...CGROUP_200, cgroup: "/" } }), "Memory limit")?.text).toBe("200.0 MiB (cgroup memory.max), peak RSS at 4.5% (a limit counts the cgroup's charge, not RSS)");
    expect(row(at(9, { limit: { bytes: 200 * MiB, source: "cgroup memory.limit_in_bytes (an ancestor's)" } }), "Memory limit")?.text).toBe(
      "200.0 MiB (cgroup memory.limit_in_bytes (an ancestor's)), peak RSS at 4.5% (a limit counts the cgroup's charge, not RSS)",
    );
  });

  test("--limit says so; a soft limit follows, then a swap limit", () => {
    const memory: MemoryEnvironment = { limit: CGROUP_200, enforced: true, softLimit: { bytes: 150 * MiB, source: "cgroup memory.high", cgroup: "/x/y" } };
    expect(row(at(100, memory), "Memory limit")?.text).toBe("200.0 MiB (--limit, cgroup memory.max of /x), peak RSS at 50% (a limit counts the cgroup's charge, not RSS); soft limit 150.0 MiB (cgroup memory.high of /x/y)");
    const swap: MemoryLimit = { bytes: 64 * MiB, source: "cgroup memory.swap.max", cgroup: "/" };
    expect(row(at(100, { ...memory, swapLimit: swap }), "Memory limit")?.text).toBe(
      "200.0 MiB (--limit, cgroup memory.max of /x), peak RSS at 50% (a limit counts the cgroup's charge, not RSS); soft limit 150.0 MiB (cgroup memory.high of /x/y); swap limit 64.0 MiB (cgroup memory.swap.max)",
    );
    expect(row(at(100, { limit: CGROUP_200, swapLimit: swap }), "Memory limit")?.text).toBe("200.0 MiB (cgroup memory.max of /x), peak RSS at 50% (a limit counts the cgroup's charge, not RSS); swap limit 64.0 MiB (cgroup memory.swap.max)");
  });

  test(`above ${CLOSE_TO_LIMIT_PERCENT}% the row warns; at it, not`, () => {
    expect(CLOSE_TO_LIMIT_PERCENT).toBe(90);
    expect(row(at(181, { limit: CGROUP_200 }), "Memory limit")).toEqual({ label: "Memory limit", text: "200.0 MiB (cgroup memory.max of /x), peak RSS at 91% (a limit counts the cgroup's charge, not RSS)", tone: "warn" });
    expect(row(at(180, { limit: CGROUP_200 }), "Memory limit")?.tone).toBeUndefined();
    expect(row(at(250, { limit: CGROUP_200 }), "Memory limit")?.text).toContain("peak RSS at 125%");
  });

  test("physical memory alone: a detail row (the terminal shows it with -v), not one with a threshold given as a percentage", () => {
    const report = at(512, { limit: PHYSICAL });
    expect(rowsOf(report)).toEqual([{ label: "Memory limit", text: "16.0 GiB (physical memory, MemTotal), peak at 3.1%", detail: true }]);
    expect(shownOf(report, false)).toEqual([]);
    expect(row(at(512, { limit: PHYSICAL }, { threshold: { bytes: Math.floor(0.8 * 16 * GiB), percent: 80, exceeded: false } }), "Memory limit")).toEqual({
      label: "Memory limit",
      text: "16.0 GiB (physical memory, MemTotal), peak at 3.1%",
    });
  });

  test("an OOM kill of the command: bad, with the limit and the command", () => {
    const report = at(199, {
      limit: CGROUP_200,
      oom: oomOf({ treeKilled: true, victim: { pid: 100, name: "cargo", role: "command", certain: true }, atMs: 900 }),
    });
    expect(row(report, "OOM kill")).toEqual({
      label: "OOM kill",
      text: "Killed by the kernel's OOM killer (cgroup limit 200.0 MiB): the command itself (100 cargo)",
      tone: "bad",
    });
  });

  test("an orphan, a likely member, none known; the physical limit, counted system-wide", () => {
    const killed = (victim: OomFacts["victim"], more: Partial<OomFacts> = {}, limit: MemoryLimit = CGROUP_200) =>
      row(at(100, { limit, oom: oomOf({ treeKilled: true, ...(victim && { victim }), ...more }) }), "OOM kill")?.text;
    expect(killed({ pid: 345, name: "worker", role: "orphan", certain: true })).toBe("Killed by the kernel's OOM killer (cgroup limit 200.0 MiB): 345 worker, an orphan of the tree");
    expect(killed({ pid: 202, name: "cc1plus", role: "member", certain: false })).toBe(
      "Killed by the kernel's OOM killer (cgroup limit 200.0 MiB): likely 202 cc1plus, which vanished as the kill was counted",
    );
    expect(killed(undefined)).toBe("Killed by the kernel's OOM killer (cgroup limit 200.0 MiB)");
    expect(killed({ pid: 100, name: "cargo", role: "command", certain: true }, { scope: "system", source: "/proc/vmstat" }, PHYSICAL)).toBe(
      "Likely killed by the kernel's OOM killer (physical memory 16.0 GiB): the command itself (100 cargo); an OOM kill was counted system-wide as it died of SIGKILL",
    );
    expect(row(at(100, { oom: oomOf({ treeKilled: true }) }), "OOM kill")?.text).toBe("Killed by the kernel's OOM killer (no limit known)");
  });

  test("a victim's name is shown as ps shows it: an ESC is ?", () => {
    const report = at(100, { limit: CGROUP_200, oom: oomOf({ treeKilled: true, victim: { pid: 7, name: "e\x1b[2Jvil\n", role: "command", certain: true } }) });
    const text = row(report, "OOM kill")?.text ?? "";
    expect(text).toEndWith("the command itself (7 e?[2Jvil?)");
    expect(text).not.toMatch(/[\x1b\n]/);
  });

  test("kills in the command's cgroup, none of the tree's: an OOM kills row that warns", () => {
    expect(row(at(100, { limit: CGROUP_200, oom: oomOf({ kills: 2 }) }), "OOM kills")).toEqual({
      label: "OOM kills",
      text: "2 OOM kills in the command's cgroup during the run (memory.events), none seen in this command's tree",
      tone: "warn",
    });
    expect(row(at(100, { limit: CGROUP_200, oom: oomOf({ kills: 1, source: "memory.oom_control" }) }), "OOM kills")?.text).toBe(
      "1 OOM kill in the command's cgroup during the run (memory.oom_control), none seen in this command's tree",
    );
    expect(row(at(100, { limit: CGROUP_200, oom: oomOf({ kills: 2 }) }), "OOM kill")).toBeUndefined();
  });

  test("system-wide kills, none of the tree's: a detail row (the terminal shows it with -v)", () => {
    const report = at(100, { limit: CGROUP_200, oom: oomOf({ kills: 3, source: "/proc/vmstat", scope: "system" }) });
    expect(row(report, "OOM kills")).toEqual({
      label: "OOM kills",
      text: "3 OOM kills on this system during the run (/proc/vmstat), none seen in this command's tree",
      tone: "warn",
      detail: true,
    });
    expect(shownOf(report, false).map((r) => r.label)).toEqual(["Memory limit"]);
    expect(shownOf(report, true).map((r) => r.label)).toEqual(["Memory limit", "OOM kills"]);
  });

  test("no kills: no OOM row, not even a detail", () => {
    const report = at(100, { limit: CGROUP_200, oom: oomOf({ kills: 0 }) });
    expect(rowsOf(report).map((r) => r.label)).toEqual(["Memory limit"]);
  });

  test("pressure: a row only for a stall of 1 ms during the run; an avg10 alone may be from before it", () => {
    const labels = (pressure: Partial<PressureFacts>) => rowsOf(at(100, { pressure: pressureOf(pressure) })).map((r) => r.label);
    expect(labels({})).toEqual([]);
    expect(labels({ someStallMs: 0.9, maxSomeAvg10: 0.009 })).toEqual([]);
    expect(labels({ someStallMs: 1 })).toEqual(["Memory pressure"]);
    expect(labels({ maxSomeAvg10: 2.5 })).toEqual([]);
  });

  test("pressure: ms below a second, seconds above; the cgroup's or the system's", () => {
    expect(row(at(100, { pressure: pressureOf({ someStallMs: 250.4, fullStallMs: 40.6, maxSomeAvg10: 1.5, maxFullAvg10: 0.5 }) }), "Memory pressure")).toEqual({
      label: "Memory pressure",
      text: "tasks in the cgroup stalled on memory for 250 ms while the command ran, all of them at once for 41 ms (memory.pressure); 10 s average up to 1.50%",
    });
    const system = pressureOf({ source: "/proc/pressure/memory", scope: "system", someStallMs: 2500, fullStallMs: 1000, maxSomeAvg10: 12.345 });
    expect(row(at(100, { pressure: system }), "Memory pressure")?.text).toBe("tasks on the system stalled on memory for 2.50s while the command ran, all of them at once for 1.00s (/proc/pressure/memory); 10 s average up to 12.35%");
  });

  test("swap: a warning row of the peaks view when any was swapped out, after the cgroup's peak", () => {
    expect(row(makeReport({ peaks: { swapBytes: 3 * MiB } }), "Swap", peaksView)).toEqual({
      label: "Swap",
      text: "3.00 MiB of the tree swapped out at most (VmSwap, summed at one sample)",
      tone: "warn",
    });
    expect(row(makeReport({ peaks: { swapBytes: 0 } }), "Swap", peaksView)).toBeUndefined();
    expect(row(makeReport(), "Swap", peaksView)).toBeUndefined();
    const both = makeReport({ peaks: { swapBytes: MiB, cgroup: { bytes: 300 * MiB, source: "memory.peak" } } });
    expect(rowsOf(both, peaksView).map((r) => r.label)).toEqual(["Cgroup peak", "Swap", "Peak set by"]);
    // Not a memory row any more.
    expect(rowsOf(both).map((r) => r.label)).toEqual([]);
  });

  test("in order: limit, OOM, pressure", () => {
    const report = at(
      190,
      { limit: CGROUP_200, oom: oomOf({ treeKilled: true, victim: { pid: 100, name: "cargo", role: "command", certain: true } }), pressure: pressureOf({ someStallMs: 5 }) },
      { peaks: { swapBytes: MiB } },
    );
    expect(rowsOf(report).map((r) => [r.label, r.tone])).toEqual([
      ["Memory limit", "warn"],
      ["OOM kill", "bad"],
      ["Memory pressure", undefined],
    ]);
  });

  test("a run's note in a series: an OOM kill of the tree and its victim, likely or not; nothing else", () => {
    const note = (oom: Partial<OomFacts>) => memoryView.note!(at(100, { limit: CGROUP_200, oom: oomOf(oom) }), show);
    expect(note({ treeKilled: true, victim: { pid: 5301, name: "bench", role: "member", certain: true } })).toBe("OOM kill: 5301 bench");
    expect(note({ treeKilled: true, victim: { pid: 5301, name: "be\x1bnch", role: "member", certain: false } })).toBe("OOM kill: likely 5301 be?nch");
    expect(note({ treeKilled: true })).toBe("OOM kill");
    expect(note({ kills: 2 })).toBeUndefined();
    expect(memoryView.note!(makeReport(), show)).toBeUndefined();
  });
});

// One report with every fact, for the renderers.
const FULL = at(
  174,
  {
    limit: CGROUP_200,
    softLimit: { bytes: 150 * MiB, source: "cgroup memory.high", cgroup: "/x/y" },
    swapLimit: { bytes: 100 * MiB, source: "cgroup memory.swap.max", cgroup: "/x" },
    oom: oomOf({ treeKilled: true, victim: { pid: 100, name: "cargo", role: "command", certain: true }, atMs: 1200 }),
    pressure: pressureOf({ someStallMs: 250.4, fullStallMs: 40.6, maxSomeAvg10: 1.5, maxFullAvg10: 0.5 }),
  },
  { peaks: { swapBytes: 3 * MiB } },
);
const LIMIT_LINE =
  "Memory limit: 200.0 MiB (cgroup memory.max of /x), peak RSS at 87% (a limit counts the cgroup's charge, not RSS); soft limit 150.0 MiB (cgroup memory.high of /x/y); swap limit 100.0 MiB (cgroup memory.swap.max of /x)";
const OOM_LINE = "OOM kill: Killed by the kernel's OOM killer (cgroup limit 200.0 MiB): the command itself (100 cargo)";
const PRESSURE_LINE = "Memory pressure: tasks in the cgroup stalled on memory for 250 ms while the command ran, all of them at once for 41 ms (memory.pressure); 10 s average up to 1.50%";
const SWAP_LINE = "Swap: 3.00 MiB of the tree swapped out at most (VmSwap, summed at one sample)";

describe("human", () => {
  const lines = (report: Report, verbose = false) => human(report, { palette: PLAIN, verbose }).trimEnd().split("\n");

  test("after the original four lines, one line per row: the swap with the peaks, then the memory rows", () => {
    expect(lines(FULL).slice(4)).toEqual([SWAP_LINE, LIMIT_LINE, OOM_LINE, PRESSURE_LINE]);
    expect(lines(FULL)[3]).toStartWith("Duration:");
  });

  test("after the threshold line, which says the share it was given as", () => {
    const report = at(174, { limit: CGROUP_200 }, { threshold: { bytes: 160 * MiB, percent: 80, exceeded: true } });
    expect(lines(report).slice(4)).toEqual([
      `THRESHOLD EXCEEDED: peak RSS 174.0 MiB is over the threshold of 160.0 MiB (${160 * MiB} bytes, 80% of the memory limit)`,
      "Memory limit: 200.0 MiB (cgroup memory.max of /x), peak RSS at 87% (a limit counts the cgroup's charge, not RSS)",
    ]);
  });

  test("bad rows red, warn rows yellow, others plain; the same text without colour", () => {
    const c = createColors(true);
    const coloured = human(FULL, { palette: c, verbose: false }).trimEnd().split("\n");
    expect(coloured[4]).toBe(c.yellow(`${c.bold("Swap:")} ${SWAP_LINE.slice("Swap: ".length)}`));
    expect(coloured[5]).toBe(`${c.bold("Memory limit:")} ${LIMIT_LINE.slice("Memory limit: ".length)}`);
    expect(coloured[6]).toBe(c.red(`${c.bold("OOM kill:")} ${OOM_LINE.slice("OOM kill: ".length)}`));
    expect(coloured[7]).toBe(`${c.bold("Memory pressure:")} ${PRESSURE_LINE.slice("Memory pressure: ".length)}`);
    expect(coloured.join("\n").replace(/\x1b\[[0-9;]*m/g, "")).toBe(lines(FULL).join("\n"));
  });

  test("close to the limit: the limit line yellow", () => {
    const c = createColors(true);
    const coloured = human(at(181, { limit: CGROUP_200 }), { palette: c, verbose: false }).trimEnd().split("\n");
    expect(coloured[4]).toBe(c.yellow(`${c.bold("Memory limit:")} 200.0 MiB (cgroup memory.max of /x), peak RSS at 91% (a limit counts the cgroup's charge, not RSS)`));
  });

  test("physical memory alone: a line with -v only", () => {
    const report = at(512, { limit: PHYSICAL });
    expect(lines(report)).toHaveLength(4);
    expect(lines(report, true)).toContain("Memory limit: 16.0 GiB (physical memory, MemTotal), peak at 3.1%");
  });
});

describe("markdown", () => {
  const rowsIn = (report: Report) => parseMarkdownReport(markdown(report)).tables[0]!.rows;
  const facts = (report: Report) => Object.fromEntries(rowsIn(report).map(([name, value]) => [name, value]));

  test("a row per fact after Duration, in the terminal's order: ❌ for bad, ⚠️ for warn", () => {
    const rows = rowsIn(FULL);
    const from = rows.findIndex(([name]) => name === "Duration") + 1;
    expect(rows.slice(from, from + 5)).toEqual([
      ["Swap", `⚠️ ${SWAP_LINE.slice("Swap: ".length)}`],
      ["Peak set by", "RSS: the tree summed at one sample; VSZ: one process's own high-water mark"],
      ["Memory limit", LIMIT_LINE.slice("Memory limit: ".length)],
      ["OOM kill", `❌ ${OOM_LINE.slice("OOM kill: ".length)}`],
      ["Memory pressure", PRESSURE_LINE.slice("Memory pressure: ".length)],
    ]);
  });

  test("close to the limit warns", () => {
    expect(facts(at(181, { limit: CGROUP_200 }))["Memory limit"]).toBe("⚠️ 200.0 MiB (cgroup memory.max of /x), peak RSS at 91% (a limit counts the cgroup's charge, not RSS)");
  });

  test("Markdown shows what -v shows: physical memory, kills elsewhere on the system", () => {
    const report = at(512, { limit: PHYSICAL, oom: oomOf({ kills: 2, source: "/proc/vmstat", scope: "system" }) });
    expect(facts(report)["Memory limit"]).toBe("16.0 GiB (physical memory, MemTotal), peak at 3.1%");
    expect(facts(report)["OOM kills"]).toBe("⚠️ 2 OOM kills on this system during the run (/proc/vmstat), none seen in this command's tree");
  });

  test("no memory environment: no memory rows", () => {
    expect(Object.keys(facts(makeReport()))).not.toContain("Memory limit");
    expect(Object.keys(facts(makeReport()))).toEqual(["Peak RSS", "Peak VSZ", "Exit code", "Duration", "Peak set by", "Samples", "Processes seen"]);
  });

  test("a victim's name cannot break the table or drive a terminal", () => {
    const report = at(100, { limit: CGROUP_200, oom: oomOf({ treeKilled: true, victim: { pid: 7, name: "a|b\x1b[2J\nc", role: "orphan", certain: true } }) });
    const text = markdown(report);
    expect(text).not.toMatch(/[\x1b]/);
    // Markdown, a record, shows each hidden character as a visible escape (the terminal, as ps does, as ?).
    expect(facts(report)["OOM kill"]).toBe("❌ Killed by the kernel's OOM killer (cgroup limit 200.0 MiB): 7 a|b\\x1b[2J\\nc, an orphan of the tree");
  });
});

describe("json", () => {
  const parse = (report: Report) => JSON.parse(json(report)) as Record<string, unknown>;

  test("every fact, flat, with the names and shapes given", () => {
    const object = parse({ ...FULL, threshold: { bytes: 160 * MiB, percent: 80, exceeded: true }, memory: { ...FULL.memory, enforced: true } });
    expect(object).toMatchObject({
      threshold_percent: 80,
      memory_limit_bytes: 200 * MiB,
      memory_limit_source: "cgroup memory.max",
      memory_limit_cgroup: "/x",
      memory_limit_enforced: true,
      peak_rss_percent_of_limit: 87,
      memory_soft_limit_bytes: 150 * MiB,
      memory_soft_limit_source: "cgroup memory.high",
      memory_soft_limit_cgroup: "/x/y",
      memory_swap_limit_bytes: 100 * MiB,
      memory_swap_limit_source: "cgroup memory.swap.max",
      memory_swap_limit_cgroup: "/x",
      oom_kills: 1,
      oom_kills_source: "memory.events",
      oom_kills_scope: "cgroup",
      oom_killed: true,
      oom_victim: { pid: 100, name: "cargo", role: "command", certain: true },
      oom_kill_at_ms: 1200,
      memory_pressure: { source: "memory.pressure", scope: "cgroup", some_stall_ms: 250, full_stall_ms: 41, max_some_avg10: 1.5, max_full_avg10: 0.5 },
      peak_swap_bytes: 3 * MiB,
    });
    // The original report fields come first, unchanged; then by view: the swap with the peaks, the threshold, the memory facts.
    const keys = Object.keys(object);
    expect(keys.slice(0, 7)).toEqual(["command", "peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code", "threshold_exceeded", "timestamp"]);
    expect(keys.slice(keys.indexOf("peak_swap_bytes"), keys.indexOf("memory_limit_bytes") + 1)).toEqual(["peak_swap_bytes", "threshold_bytes", "threshold_percent", "memory_limit_bytes"]);
    expect(keys.slice(keys.indexOf("memory_limit_bytes"), keys.indexOf("memory_pressure") + 1)).toEqual([
      "memory_limit_bytes",
      "memory_limit_source",
      "memory_limit_cgroup",
      "memory_limit_enforced",
      "peak_rss_percent_of_limit",
      "memory_soft_limit_bytes",
      "memory_soft_limit_source",
      "memory_soft_limit_cgroup",
      "memory_swap_limit_bytes",
      "memory_swap_limit_source",
      "memory_swap_limit_cgroup",
      "oom_kills",
      "oom_kills_source",
      "oom_kills_scope",
      "oom_killed",
      "oom_victim",
      "oom_kill_at_ms",
      "memory_pressure",
    ]);
  });

  test("peak_rss_percent_of_limit rounded to 0.01", () => {
    expect(parse(at(200 / 3, { limit: CGROUP_200 })).peak_rss_percent_of_limit).toBe(33.33);
    expect(parse(makeReport({ peaks: { rss: { bytes: 2 * MiB + 1 } }, memory: { limit: { bytes: 3 * MiB, source: "cgroup memory.max" } } })).peak_rss_percent_of_limit).toBe(66.67);
  });

  test("a victim's name exactly, hidden characters and all; certain false for a likely one", () => {
    const object = parse(at(100, { limit: CGROUP_200, oom: oomOf({ treeKilled: true, victim: { pid: 7, name: "e\x1b[2Jvil", role: "member", certain: false } }) }));
    expect(object.oom_victim).toEqual({ pid: 7, name: "e\x1b[2Jvil", role: "member", certain: false });
  });

  test("kills not ours: oom_killed false, no victim; a physical limit has no cgroup field", () => {
    const object = parse(at(512, { limit: PHYSICAL, oom: oomOf({ kills: 0, source: "/proc/vmstat", scope: "system" }) }));
    expect(object).toMatchObject({ memory_limit_bytes: 16 * GiB, memory_limit_source: "physical memory, MemTotal", oom_kills: 0, oom_kills_scope: "system", oom_killed: false });
    for (const key of ["memory_limit_cgroup", "oom_victim", "oom_kill_at_ms", "memory_limit_enforced", "memory_soft_limit_bytes", "memory_swap_limit_bytes"]) {
      expect(object).not.toHaveProperty(key);
    }
  });

  test("nothing known: none of the fields", () => {
    const object = parse(makeReport());
    for (const key of ["memory_limit_bytes", "memory_limit_source", "peak_rss_percent_of_limit", "oom_kills", "oom_killed", "memory_pressure", "peak_swap_bytes", "threshold_percent"]) {
      expect(object).not.toHaveProperty(key);
    }
  });
});

describe("csv", () => {
  const MEMORY_COLUMNS = ["memory_limit_bytes", "memory_limit_source", "peak_rss_percent_of_limit", "cgroup_peak_percent_of_limit", "memory_soft_limit_bytes", "memory_swap_limit_bytes", "oom_kills", "oom_killed"];
  const record = (report: Report) => {
    const [header, row, ...rest] = parseCsv(csv(report));
    expect(rest).toEqual([]);
    expect(row).toHaveLength(header!.length);
    return Object.fromEntries(header!.map((name, i) => [name, row![i]]));
  };

  test("the memory view's columns, in the one header: after the threshold's, before the PSS's; the swap with the peaks", () => {
    expect(memoryView.csv!.map((column) => column.name)).toEqual(MEMORY_COLUMNS);
    expect(CSV_HEADER).toContain(`,threshold_bytes,${MEMORY_COLUMNS.join(",")},peak_pss_bytes,`);
    expect(CSV_HEADER).toContain(",peak_rss_source,peak_rss_exact,peak_rss_upper_bytes,peak_swap_bytes,cgroup_peak_bytes,");
    expect(csv(makeReport()).split("\n")[0]).toBe(CSV_HEADER);
  });

  test("the same header with a comparison; its cells last", () => {
    const change = { baseline: 100, current: 120, changePercent: 20 };
    const comparison = { baselineName: "main", baselineTimestamp: "2025-05-20T08:00:00Z", peakRss: change, peakVsz: change, duration: change, thresholdPercent: 10, regression: true };
    const [header, row] = csv({ ...FULL, comparison }).trimEnd().split("\n");
    expect(header).toBe(CSV_HEADER);
    expect(row).toContain(`,${200 * MiB},cgroup memory.max,87,,${150 * MiB},${100 * MiB},1,true,`);
    expect(row).toEndWith(",main,100,20,true");
  });

  test("every memory cell when known", () => {
    const values = record(FULL);
    expect(MEMORY_COLUMNS.map((name) => values[name])).toEqual([String(200 * MiB), "cgroup memory.max", "87", "", String(150 * MiB), String(100 * MiB), "1", "true"]);
    expect(values.peak_swap_bytes).toBe(String(3 * MiB));
  });

  test("the share rounded to 0.01; kills counted but none ours", () => {
    const values = record(at(200 / 3, { limit: CGROUP_200, oom: oomOf({ kills: 0 }) }));
    expect(values.peak_rss_percent_of_limit).toBe("33.33");
    expect(values.oom_kills).toBe("0");
    expect(values.oom_killed).toBe("false");
  });

  test("with the cgroup's own peak: its charge against a cgroup's limit, like with like, beside the RSS share", () => {
    const report = at(185, { limit: CGROUP_200 });
    const withCharge = { ...report, peaks: { ...report.peaks, cgroup: { bytes: 170 * MiB, source: "memory.peak" } } };
    const values = record(withCharge);
    expect(values.peak_rss_percent_of_limit).toBe("92.5");
    expect(values.cgroup_peak_percent_of_limit).toBe("85");
    expect(row(withCharge, "Memory limit")?.text).toBe("200.0 MiB (cgroup memory.max of /x), the cgroup's peak charge at 85%");
    // Under 90% of the limit by its own count: no warning, though RSS went past 90%.
    expect(row(withCharge, "Memory limit")?.tone).toBeUndefined();
  });

  test("a source with a comma or quote stays one cell", () => {
    const values = record(at(9, { limit: { bytes: 200 * MiB, source: 'cgroup memory.limit_in_bytes (an ancestor\'s), "v1"' } }));
    expect(values.memory_limit_source).toBe('cgroup memory.limit_in_bytes (an ancestor\'s), "v1"');
    expect(values.peak_rss_percent_of_limit).toBe("4.5");
  });

  test("empty cells where unknown: no limit, no OOM counter, no swap read", () => {
    const values = record(makeReport());
    expect(MEMORY_COLUMNS.map((name) => values[name])).toEqual(["", "", "", "", "", "", "", ""]);
    expect(values.peak_swap_bytes).toBe("");
    const limitOnly = record(at(100, { limit: CGROUP_200 }));
    expect([limitOnly.memory_soft_limit_bytes, limitOnly.memory_swap_limit_bytes, limitOnly.oom_kills, limitOnly.oom_killed]).toEqual(["", "", "", ""]);
  });
});
