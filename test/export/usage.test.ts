// PSS and programs in every format, from one report made here (the PSS, programs and processes
// views: src/export/views/pss.ts, programs.ts, processes.ts).
import { describe, expect, test } from "bun:test";
import * as csv from "../../src/export/csv.ts";
import * as human from "../../src/export/human.ts";
import * as json from "../../src/export/json.ts";
import * as markdown from "../../src/export/markdown.ts";
import { PLAIN } from "../../src/export/palette.ts";
import type { PssFacts, ProgramsFacts } from "../../src/model/report.ts";
import { parseCsv } from "./csv-reader.ts";
import { makeReport } from "./fixture.ts";

const MiB = 2 ** 20;
const PSS: PssFacts = {
  peakPssBytes: 210 * MiB,
  ussAtPeakBytes: 12 * MiB,
  swapPssAtPeakBytes: 0,
  source: "smaps_rollup",
  readings: 41,
  effectiveIntervalMs: 98.4,
  meanReadMs: 0.42,
  budgetPercent: 5,
  unreadable: 0,
};
const PROGRAMS: ProgramsFacts = {
  counts: "events",
  eventOnly: 37,
  list: [
    { name: "rustc", processes: 3, maxProcessPeakBytes: 447 * MiB, rssAtPeakBytes: 447 * MiB, peakRssBytes: 600 * MiB, processSeconds: 27.5 },
    { name: "cargo", processes: 1, maxProcessPeakBytes: 50 * MiB, rssAtPeakBytes: 40 * MiB, peakRssBytes: 50 * MiB, processSeconds: 14.1 },
    { name: "cc|\u001b[31mx", processes: 40, maxProcessPeakBytes: MiB, rssAtPeakBytes: 0, peakRssBytes: 2 * MiB, processSeconds: 0.04 },
  ],
};
const report = makeReport({ pss: PSS, programs: PROGRAMS });

describe("--pss", () => {
  test("human: one line after the original four, labelled as sampled, with the cadence reached", () => {
    const lines = human.render(report, { palette: PLAIN, verbose: false }).split("\n");
    expect(lines[4]).toBe("Peak PSS: 210.0 MiB, USS 12.0 MiB then (smaps_rollup, summed over the tree at one reading; 41 readings, every 98 ms on average, 0.42 ms each, within 5% of a core)");
  });

  test("processes not ours to read are said to be counted by RSS", () => {
    const text = human.render(makeReport({ pss: { ...PSS, unreadable: 2 } }), { palette: PLAIN, verbose: false });
    expect(text).toContain("PSS unreadable: 2 processes not peak-mem's to read (another user's): counted by RSS");
  });

  test("a command that ended before any reading says so rather than 0", () => {
    const text = human.render(makeReport({ pss: { ...PSS, readings: 0, peakPssBytes: 0 } }), { palette: PLAIN, verbose: false });
    expect(text).toContain("Peak PSS: not read: the command ended before its first PSS reading");
    const object = JSON.parse(json.render(makeReport({ pss: { ...PSS, readings: 0, peakPssBytes: 0 } })));
    expect(object.peak_pss_bytes).toBeUndefined();
  });

  test("JSON: the peaks in the PSS group, after the memory facts and before the programs, and how they were read", () => {
    const object = JSON.parse(json.render(makeReport({ pss: PSS, programs: PROGRAMS, memory: { limit: { bytes: 2 ** 30, source: "cgroup memory.max" } } })));
    const keys = Object.keys(object);
    // The original seven first, as they were; the PSS group together, in view order.
    expect(keys.slice(0, 7)).toEqual(["command", "peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code", "threshold_exceeded", "timestamp"]);
    const at = keys.indexOf("peak_pss_bytes");
    expect(keys.slice(at, at + 4)).toEqual(["peak_pss_bytes", "uss_at_pss_peak_bytes", "swap_pss_at_pss_peak_bytes", "pss_sampling"]);
    expect(at).toBeGreaterThan(keys.indexOf("peak_rss_percent_of_limit"));
    expect(at).toBeLessThan(keys.indexOf("program_counts"));
    expect(keys.indexOf("program_counts")).toBeLessThan(keys.indexOf("samples"));
    expect(object.peak_pss_bytes).toBe(210 * MiB);
    expect(object.uss_at_pss_peak_bytes).toBe(12 * MiB);
    expect(object.pss_sampling).toEqual({ source: "smaps_rollup", readings: 41, effective_interval_ms: 98.4, mean_read_ms: 0.42, budget_percent: 5, unreadable_processes: 0 });
  });

  test("CSV: the PSS cells with --pss; empty without it, or when never read, under the same header", () => {
    const [header = [], row = []] = parseCsv(csv.render(report));
    expect(row[header.indexOf("peak_pss_bytes")]).toBe(String(210 * MiB));
    expect(row[header.indexOf("uss_at_pss_peak_bytes")]).toBe(String(12 * MiB));
    expect(row[header.indexOf("swap_pss_at_pss_peak_bytes")]).toBe("0");
    const [plainHeader = [], plainRow = []] = parseCsv(csv.render(makeReport()));
    expect(plainHeader).toEqual(header);
    const notRead = parseCsv(csv.render(makeReport({ pss: { ...PSS, readings: 0 } })))[1] ?? [];
    for (const name of ["peak_pss_bytes", "uss_at_pss_peak_bytes", "swap_pss_at_pss_peak_bytes"]) {
      expect(plainRow[header.indexOf(name)]).toBe("");
      expect(notRead[header.indexOf(name)]).toBe("");
    }
  });

  test("Markdown: a row", () => {
    expect(markdown.render(report)).toContain("| Peak PSS | 210.0 MiB, USS 12.0 MiB then (smaps_rollup, summed over the tree at one reading;");
  });
});

describe("programs", () => {
  test("-v shows the programs, aligned, names escaped, with how complete the counts are", () => {
    const text = human.render(report, { palette: PLAIN, verbose: true });
    const lines = text.split("\n");
    const at = lines.findIndex((line) => line.startsWith("Programs:"));
    expect(lines[at]).toBe("Programs: 3 (counts complete: every fork and exit of the tree heard from the kernel; 37 too short for any sample, known from the events)");
    expect(lines[at + 1]).toMatch(/^ {2}Program +Processes +Largest process +At tree peak +Own peak +Process-seconds$/);
    expect(lines[at + 2]).toMatch(/^ {2}rustc +3 +447\.0 MiB +447\.0 MiB +600\.0 MiB +27\.50$/);
    expect(text).not.toContain("\u001b");
    expect(lines[at + 4]).toContain("cc|?[31mx"); // as ps shows a control character
    // Not alive at the tree's peak: "–", not "0 B" (which would say it was alive and used nothing).
    expect(lines[at + 4]).toMatch(/^ {2}cc\|\?\[31mx +40 +1\.00 MiB +– +2\.00 MiB +0\.04$/);
    expect(human.render(report, { palette: PLAIN, verbose: false })).not.toContain("Programs:");
  });

  test("-v shows at most ten, and how many more", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...PROGRAMS.list[1]!, name: `p${i}` }));
    const text = human.render(makeReport({ programs: { counts: "sampled", list: many } }), { palette: PLAIN, verbose: true });
    expect(text).toContain("Programs: 12 (sampled: a process shorter than the interval can be missed, so counts and sizes are lower bounds)");
    expect(text).toContain("  … and 2 more");
  });

  test("JSON: every program, and how the counts were taken", () => {
    const object = JSON.parse(json.render(report));
    expect(object.program_counts).toBe("events");
    expect(object.event_only_processes).toBe(37);
    expect(object.programs).toHaveLength(3);
    expect(object.programs[0]).toEqual({ name: "rustc", processes: 3, max_process_peak_bytes: 447 * MiB, rss_at_peak_bytes: 447 * MiB, peak_rss_bytes: 600 * MiB, process_seconds: 27.5 });
    expect(object.programs[2].name).toBe("cc|\u001b[31mx"); // exact in JSON
  });

  test("Markdown: every program in a table under the terminal's title, the pipe escaped", () => {
    const text = markdown.render(report);
    expect(text).toContain(
      "\nPrograms: 3 (counts complete: every fork and exit of the tree heard from the kernel; 37 too short for any sample, known from the events)\n\n" +
        "| Program | Processes | Largest process | At tree peak | Own peak | Process-seconds |\n",
    );
    expect(text).toContain("| `rustc` | 3 | 447.0 MiB | 447.0 MiB | 600.0 MiB | 27.50 |");
    // In a code span backslashes show as they are: one, as visibleText wrote it; not alive at the peak, "–".
    expect(text).toContain("| `cc\\|\\x1b[31mx` | 40 | 1.00 MiB | – | 2.00 MiB | 0.04 |");
    // Every program, however many: the terminal's cut is its own.
    const many = Array.from({ length: 12 }, (_, i) => ({ ...PROGRAMS.list[1]!, name: `p${i}` }));
    const all = markdown.render(makeReport({ programs: { counts: "sampled", list: many } }));
    expect(all).toContain("| `p11` |");
    expect(all).not.toContain("more");
  });
});

describe("processes killed by a signal", () => {
  const base = makeReport();
  const processes = [
    ...base.processes,
    { pid: 140, ppid: 100, name: "ld", depth: 1, peakRss: 900 * MiB, firstSeenMs: 5, lastSeenMs: 9, signal: "SIGKILL" },
    { pid: 141, ppid: 100, name: "sort|x", depth: 1, peakRss: MiB, firstSeenMs: 5, lastSeenMs: 9, signal: "SIGPIPE" },
    { pid: 142, ppid: 100, name: "cc", depth: 1, peakRss: MiB, firstSeenMs: 5, lastSeenMs: 9, exitCode: 1 },
  ];
  const report = makeReport({ processes });

  test("-v and Markdown name them with their signal; an exit code is not a signal", () => {
    expect(human.render(report, { palette: PLAIN, verbose: true })).toContain("Killed by a signal: 2 processes of the tree: 140 ld (SIGKILL), 141 sort|x (SIGPIPE)");
    expect(human.render(report, { palette: PLAIN, verbose: false })).not.toContain("Killed by a signal");
    expect(markdown.render(report)).toContain("| Killed by a signal | ⚠️ 2 processes of the tree: 140 ld (SIGKILL), 141 sort\\|x (SIGPIPE) |");
  });

  test("the command's own death is its exit code's line, not this one", () => {
    const own = makeReport({ processes: [{ ...base.processes[0]!, signal: "SIGTERM" }] });
    expect(human.render(own, { palette: PLAIN, verbose: true })).not.toContain("Killed by a signal");
  });

  test("JSON processes carry how each ended, where the kernel said", () => {
    const object = JSON.parse(json.render(report, { verbose: true }));
    expect(object.processes.at(-3)).toMatchObject({ pid: 140, signal: "SIGKILL" });
    expect(object.processes.at(-1)).toMatchObject({ pid: 142, exit_code: 1 });
    expect(object.processes[0].signal).toBeUndefined();
  });
});
