import { describe, expect, test } from "bun:test";
import { UsageError } from "../../src/core/errors.ts";
import { readTimeline } from "../../src/timeline/read.ts";

const header = { command: "make -j8", interval_ms: 100, started_at: "2026-01-02T03:04:05Z" };
const samples = [
  { t_ms: 0, rss_bytes: 10, vsz_bytes: 100, process_count: 1 },
  { t_ms: 100, rss_bytes: 30, vsz_bytes: 300, process_count: 2 },
];
const summary = { peak_rss_bytes: 50, peak_vsz_bytes: 400, threshold_bytes: 40, exit_code: 0, duration_ms: 150, processes: [{ pid: 1, ppid: 0, name: "make", depth: 0, peak_rss_bytes: 50, rss_at_peak_bytes: null, first_seen_ms: 0, last_seen_ms: 100 }] };

describe("readTimeline", () => {
  test(".json with a summary", () => {
    const data = readTimeline("t.json", JSON.stringify({ ...header, samples, summary }));
    expect(data).toMatchObject({ command: "make -j8", intervalMs: 100, peakRssBytes: 50, peakVszBytes: 400, thresholdBytes: 40, durationMs: 150 });
    expect(data.samples).toEqual([
      { tMs: 0, rss: 10, vsz: 100, processCount: 1 },
      { tMs: 100, rss: 30, vsz: 300, processCount: 2 },
    ]);
    expect(data.processes?.[0]).toMatchObject({ name: "make", peakRss: 50 });
    expect(data.processes?.[0]?.rssAtPeak).toBeUndefined();
  });

  test(".jsonl, including a partial last line left by a killed run", () => {
    const text = [header, ...samples].map((line) => JSON.stringify(line)).join("\n") + '\n{"t_ms":200,"rss_by';
    const data = readTimeline("t.jsonl", text);
    expect(data.samples).toHaveLength(2);
    expect(data.peakRssBytes).toBe(30); // no summary: the largest sample
  });

  test(".csv", () => {
    const data = readTimeline("t.csv", "t_ms,rss_bytes,vsz_bytes,process_count\n0,10,100,1\n100,30,300,2\n");
    expect(data.samples).toHaveLength(2);
    expect(data.peakVszBytes).toBe(300);
  });

  test("bad input is one usage error", () => {
    for (const [path, text] of [
      ["t.json", "{"],
      ["t.json", "{}"],
      ["t.json", '{"samples":[{"t_ms":"x"}]}'],
      ["t.jsonl", "nope\n{}\n"],
      ["t.csv", "a,b\n"],
      ["t.csv", "t_ms,rss_bytes,vsz_bytes,process_count\n1,2\n3,4,5,6\n"],
      ["t.html", "<html>"],
    ] as const) {
      expect(() => readTimeline(path, text)).toThrow(UsageError);
    }
  });

  test("the memory limit and an OOM kill, from .json and .jsonl, under the report's names", () => {
    const more = { ...summary, memory_limit_bytes: 200 * 1024 * 1024, memory_limit_source: "cgroup memory.limit_in_bytes", oom_kill: { at_ms: 120, pid: 4242, name: "alloc", certain: false } };
    const expected = { limitBytes: 200 * 1024 * 1024, limitSource: "cgroup memory.limit_in_bytes", oomKill: { atMs: 120, pid: 4242, name: "alloc", certain: false } };
    expect(readTimeline("t.json", JSON.stringify({ ...header, samples, summary: more }))).toMatchObject(expected);
    const lines = [header, ...samples, { summary: more }].map((line) => JSON.stringify(line)).join("\n");
    expect(readTimeline("t.jsonl", lines)).toMatchObject(expected);
  });

  test("the memory limit under the names earlier versions wrote (limit_bytes, limit_source) is read too; the report's names win", () => {
    const old = { ...summary, limit_bytes: 200 * 1024 * 1024, limit_source: "cgroup memory.limit_in_bytes" };
    const expected = { limitBytes: 200 * 1024 * 1024, limitSource: "cgroup memory.limit_in_bytes" };
    expect(readTimeline("t.json", JSON.stringify({ ...header, samples, summary: old }))).toMatchObject(expected);
    const lines = [header, ...samples, { summary: old }].map((line) => JSON.stringify(line)).join("\n");
    expect(readTimeline("t.jsonl", lines)).toMatchObject(expected);
    const both = { ...old, memory_limit_bytes: 300, memory_limit_source: "cgroup memory.max" };
    expect(readTimeline("t.json", JSON.stringify({ ...header, samples, summary: both }))).toMatchObject({ limitBytes: 300, limitSource: "cgroup memory.max" });
  });

  test("an OOM kill needs only its time; one without a time, or fields of the wrong type, are left out", () => {
    const read = (extra: object) => readTimeline("t.json", JSON.stringify({ ...header, samples, summary: { ...summary, ...extra } }));
    expect(read({ oom_kill: { at_ms: 80 } }).oomKill).toEqual({ atMs: 80 });
    expect(read({ oom_kill: { at_ms: 80, pid: "1", name: 2, certain: "yes" } }).oomKill).toEqual({ atMs: 80 });
    for (const oom_kill of [{ pid: 1 }, { at_ms: "80" }, null, 80, "yes"]) expect(read({ oom_kill }).oomKill).toBeUndefined();
    for (const bad of [read({ memory_limit_bytes: "200M", memory_limit_source: 5 }), read({ limit_bytes: "200M", limit_source: 5 })]) {
      expect(bad.limitBytes).toBeUndefined();
      expect(bad.limitSource).toBeUndefined();
    }
  });

  test("a file without them (older, or from a run without a limit) has none", () => {
    const data = readTimeline("t.json", JSON.stringify({ ...header, samples, summary }));
    expect("limitBytes" in data || "limitSource" in data || "oomKill" in data).toBe(false);
  });

  // ---- programs ----

  const NEW_HEADER = "t_ms,rss_bytes,vsz_bytes,process_count,programs,other_rss_bytes";

  test(".csv with programs: quoted JSON pairs, empty cells where not grouped, CRLF line ends too", () => {
    const text = `${NEW_HEADER}\r\n0,10,100,1,,\r\n100,30,300,2,"[[""sh"",20],[""a,\\""b\\"""",6]]",4\r\n200,0,0,0,[],0\r\n`;
    expect(readTimeline("t.csv", text).samples).toEqual([
      { tMs: 0, rss: 10, vsz: 100, processCount: 1 },
      { tMs: 100, rss: 30, vsz: 300, processCount: 2, programs: [{ name: "sh", rss: 20 }, { name: 'a,"b"', rss: 6 }], otherRss: 4 },
      { tMs: 200, rss: 0, vsz: 0, processCount: 0, programs: [], otherRss: 0 },
    ]);
  });

  test("a partial last line of a killed run is left out, wherever it was cut", () => {
    const whole = `${NEW_HEADER}\n0,10,100,1,"[[""cc1"",10]]",0\n`;
    const next = '100,30,300,2,"[[""cc1"",20],[""ld"",5]]",5';
    // Cut inside the quoted cell, just after it, or inside the numbers before it.
    for (const cut of [next.indexOf("ld") + 1, next.indexOf("]]") + 3, next.indexOf(",2,") + 2, 3]) {
      const data = readTimeline("t.csv", whole + next.slice(0, cut));
      expect(data.samples).toEqual([{ tMs: 0, rss: 10, vsz: 100, processCount: 1, programs: [{ name: "cc1", rss: 10 }], otherRss: 0 }]);
    }
    const lines = [header, { ...samples[0], programs: [["cc1", 10]], other_rss_bytes: 0 }].map((line) => JSON.stringify(line)).join("\n");
    expect(readTimeline("t.jsonl", `${lines}\n{"t_ms":100,"rss_bytes":30,"vsz_bytes":300,"process_count":2,"programs":[["cc`).samples).toHaveLength(1);
  });

  test("a broken line before the last, or programs that are not [name, bytes] pairs, are one usage error", () => {
    for (const [path, text] of [
      ["t.csv", `${NEW_HEADER}\n0,1,2,3,"[[""a"",1]\n4,5,6,7,,\n`],
      ["t.csv", `${NEW_HEADER}\n0,1,2,3,[1],\n4,5,6,7,,\n`],
      ["t.csv", `${NEW_HEADER}\n0,1,2,3,,x\n4,5,6,7,,\n`],
      ["t.csv", `${NEW_HEADER}\n0,1,2,3\n4,5,6,7,,\n`],
      ["t.csv", `${NEW_HEADER}\n0,1,2,3,"[]"x,\n4,5,6,7,,\n`],
      ["t.json", JSON.stringify({ samples: [{ ...samples[0], programs: [["a"]] }] })],
      ["t.json", JSON.stringify({ samples: [{ ...samples[0], programs: [[1, 2]] }] })],
      ["t.json", JSON.stringify({ samples: [{ ...samples[0], programs: { a: 1 } }] })],
      ["t.json", JSON.stringify({ samples: [{ ...samples[0], programs: [], other_rss_bytes: "1" }] })],
    ] as const) {
      expect(() => readTimeline(path, text)).toThrow(UsageError);
    }
  });

  test("the old four-column .csv has no programs, and neither has a .json written before them", () => {
    const csv = readTimeline("t.csv", "t_ms,rss_bytes,vsz_bytes,process_count\n0,10,100,1\n");
    const json = readTimeline("t.json", JSON.stringify({ ...header, samples, summary }));
    for (const data of [csv, json]) {
      expect(data.samples.some((s) => "programs" in s || "otherRss" in s)).toBe(false);
      expect("programs" in data).toBe(false);
    }
    // The old header with the new columns' cells is not a file peak-mem wrote.
    expect(() => readTimeline("t.csv", "t_ms,rss_bytes,vsz_bytes,process_count\n0,10,100,1,,\n1,2,3,4\n")).toThrow(UsageError);
  });

  test("the summary's programs: numbers of the wrong type read as 0, an entry without a name is left out", () => {
    const programs = [{ name: "cc1", processes: 3, max_process_peak_bytes: 9, rss_at_peak_bytes: "x", peak_rss_bytes: 12, process_seconds: 1.5 }, { processes: 1 }, "ld"];
    const data = readTimeline("t.json", JSON.stringify({ ...header, samples, summary: { ...summary, programs } }));
    expect(data.programs).toEqual([{ name: "cc1", processes: 3, maxProcessPeakBytes: 9, rssAtPeakBytes: 0, peakRssBytes: 12, processSeconds: 1.5 }]);
  });
});

describe("a lower-bound peak and a typed threshold, read back", () => {
  test("peak_rss_exact, peak_rss_upper_bytes and threshold_given come back from the summary", () => {
    const text = JSON.stringify({
      command: "make",
      interval_ms: 100,
      started_at: "2026-12-06T05:21:03Z",
      samples: [{ t_ms: 0, rss_bytes: 10, vsz_bytes: 20, process_count: 1 }],
      summary: { peak_rss_bytes: 152, peak_vsz_bytes: 200, peak_rss_exact: false, peak_rss_upper_bytes: 158, threshold_bytes: 100, threshold_given: "100" },
    });
    expect(readTimeline("t.json", text)).toMatchObject({ peakRssExact: false, peakRssUpperBytes: 158, thresholdGiven: "100" });
  });
});
