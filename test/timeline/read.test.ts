import { describe, expect, test } from "bun:test";
import { UsageError } from "../../src/errors.ts";
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

  test("the memory limit and an OOM kill, from .json and .jsonl", () => {
    const more = { ...summary, limit_bytes: 200 * 1024 * 1024, limit_source: "cgroup memory.limit_in_bytes", oom_kill: { at_ms: 120, pid: 4242, name: "alloc", certain: false } };
    const expected = { limitBytes: 200 * 1024 * 1024, limitSource: "cgroup memory.limit_in_bytes", oomKill: { atMs: 120, pid: 4242, name: "alloc", certain: false } };
    expect(readTimeline("t.json", JSON.stringify({ ...header, samples, summary: more }))).toMatchObject(expected);
    const lines = [header, ...samples, { summary: more }].map((line) => JSON.stringify(line)).join("\n");
    expect(readTimeline("t.jsonl", lines)).toMatchObject(expected);
  });

  test("an OOM kill needs only its time; one without a time, or fields of the wrong type, are left out", () => {
    const read = (extra: object) => readTimeline("t.json", JSON.stringify({ ...header, samples, summary: { ...summary, ...extra } }));
    expect(read({ oom_kill: { at_ms: 80 } }).oomKill).toEqual({ atMs: 80 });
    expect(read({ oom_kill: { at_ms: 80, pid: "1", name: 2, certain: "yes" } }).oomKill).toEqual({ atMs: 80 });
    for (const oom_kill of [{ pid: 1 }, { at_ms: "80" }, null, 80, "yes"]) expect(read({ oom_kill }).oomKill).toBeUndefined();
    const bad = read({ limit_bytes: "200M", limit_source: 5 });
    expect(bad.limitBytes).toBeUndefined();
    expect(bad.limitSource).toBeUndefined();
  });

  test("a file without them (older, or from a run without a limit) has none", () => {
    const data = readTimeline("t.json", JSON.stringify({ ...header, samples, summary }));
    expect("limitBytes" in data || "limitSource" in data || "oomKill" in data).toBe(false);
  });
});
