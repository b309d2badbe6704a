import { describe, expect, test } from "bun:test";
import type { Sink } from "../../src/io/sink.ts";
import { readTimeline } from "../../src/timeline/read.ts";
import type { TimelineSample } from "../../src/model/chart-data.ts";
import { CSV_HEADER, createTimelineWriter, summaryObject, timelineFormat, type TimelineSummary } from "../../src/timeline/writers.ts";
import { makeProgramSamples, makeProgramUsage, PROGRAM_SHAPES } from "../fixtures/chart-data.ts";

function memorySink() {
  const writes: string[] = [];
  let closed = false;
  const sink: Sink = { isTerminal: false, write: (text) => void writes.push(text), close: () => void (closed = true) };
  return { sink, writes, text: () => writes.join(""), closed: () => closed };
}

const header = { command: "sh -c 'x'", intervalMs: 50, startedAt: "2026-01-02T03:04:05Z" };
const samples = [0, 50, 100].map((tMs, i) => ({ tMs: tMs + 0.4, rss: (i + 1) * 1000, vsz: (i + 1) * 5000, processCount: i + 1 }));
const summary = { peakRssBytes: 4000, peakVszBytes: 15000, thresholdBytes: 3500, exitCode: 0, durationMs: 120 };

describe("timeline writers", () => {
  test("the format follows the extension, JSON otherwise", () => {
    expect(["a.json", "a.jsonl", "a.NDJSON", "a.csv", "a.html", "a.htm", "a.svg", "a.txt", "noext"].map(timelineFormat)).toEqual([
      "json", "jsonl", "jsonl", "csv", "html", "html", "svg", "json", "json",
    ]);
  });

  test.each(["json", "jsonl", "csv"] as const)("%s is streamed, one write per sample, and reads back", (format) => {
    const out = memorySink();
    const writer = createTimelineWriter(format, out.sink);
    writer.start(header);
    const before = out.writes.length;
    for (const sample of samples) writer.add(sample);
    expect(out.writes.length - before).toBe(samples.length);
    writer.finish(summary);
    expect(out.closed()).toBe(true);
    const data = readTimeline(`t.${format}`, out.text());
    expect(data.samples.map((s) => s.rss)).toEqual([1000, 2000, 3000]);
    expect(data.samples[0]?.tMs).toBe(0); // whole milliseconds
    if (format !== "csv") expect(data).toMatchObject({ command: "sh -c 'x'", peakRssBytes: 4000, thresholdBytes: 3500 });
  });

  test("a chart writer hands every sample and the summary to its renderer at the end", () => {
    const out = memorySink();
    let seen: unknown;
    const writer = createTimelineWriter("html", out.sink, (data) => {
      seen = data;
      return "<!doctype html>";
    });
    writer.start(header);
    for (const sample of samples) writer.add(sample);
    expect(out.writes).toEqual([]);
    writer.finish(summary);
    expect(out.text()).toBe("<!doctype html>");
    expect(seen).toMatchObject({ command: "sh -c 'x'", intervalMs: 50, peakRssBytes: 4000, samples });
  });

  const limited: TimelineSummary = {
    ...summary,
    limitBytes: 200 * 1024 * 1024,
    limitSource: "cgroup memory.limit_in_bytes",
    oomKill: { atMs: 87.6, pid: 4242, name: "alloc", certain: true },
  };

  test("the summary saves the limit (under the report's JSON names) and an OOM kill in snake case, leaving out what is not known", () => {
    expect(summaryObject(limited)).toMatchObject({
      memory_limit_bytes: 200 * 1024 * 1024,
      memory_limit_source: "cgroup memory.limit_in_bytes",
      oom_kill: { at_ms: 88, pid: 4242, name: "alloc", certain: true },
    });
    // Not under the names earlier versions wrote (which reading still accepts).
    expect(Object.keys(summaryObject(limited))).not.toContain("limit_bytes");
    expect(Object.keys(summaryObject(limited))).not.toContain("limit_source");
    expect(summaryObject({ ...summary, oomKill: { atMs: 5 } }).oom_kill).toEqual({ at_ms: 5 });
    const plain = summaryObject(summary);
    expect(Object.keys(plain)).not.toContain("memory_limit_bytes");
    expect(Object.keys(plain)).not.toContain("memory_limit_source");
    expect(Object.keys(plain)).not.toContain("oom_kill");
  });

  test.each(["json", "jsonl"] as const)("the limit and an OOM kill round-trip through a saved %s for --chart", (format) => {
    const out = memorySink();
    const writer = createTimelineWriter(format, out.sink);
    writer.start(header);
    for (const sample of samples) writer.add(sample);
    writer.finish(limited);
    const data = readTimeline(`t.${format}`, out.text());
    expect(data.limitBytes).toBe(200 * 1024 * 1024);
    expect(data.limitSource).toBe("cgroup memory.limit_in_bytes");
    expect(data.oomKill).toEqual({ atMs: 88, pid: 4242, name: "alloc", certain: true });

    // And so for a victim that is only likely, with no name.
    const again = memorySink();
    const second = createTimelineWriter(format, again.sink);
    second.start(header);
    second.finish({ ...summary, oomKill: { atMs: 10, pid: 7, certain: false } });
    expect(readTimeline(`t.${format}`, again.text()).oomKill).toEqual({ atMs: 10, pid: 7, certain: false });
  });

  test("a chart writer hands the limit and the OOM kill to its renderer", () => {
    const out = memorySink();
    let seen: unknown;
    const writer = createTimelineWriter("svg", out.sink, (data) => {
      seen = data;
      return "<svg/>";
    });
    writer.start(header);
    writer.finish(limited);
    expect(seen).toMatchObject({ limitBytes: limited.limitBytes, limitSource: limited.limitSource, oomKill: limited.oomKill });
  });

  // ---- programs ----

  /** Names a process can have (a comm is any bytes but NUL and "/"), and a few that test the encodings. */
  const HOSTILE = ["cc1", "a,b", 'say "hi"', '"', '","', "编译器", "🦀 rustc", "other", "</script><!--", "tab\tand\nnewline", "back\\slash", "", " lead", "trail ", "\u2028"];
  const grouped: TimelineSample[] = [
    { tMs: 0, rss: 1000, vsz: 5000, processCount: 1 },
    { tMs: 50, rss: 6000, vsz: 9000, processCount: 4, programs: HOSTILE.slice(0, 8).map((name, i) => ({ name, rss: 500 - i })), otherRss: 2036 },
    { tMs: 100, rss: 7000, vsz: 9000, processCount: 9, programs: HOSTILE.slice(7).map((name, i) => ({ name, rss: 9000 + i })), otherRss: 0 },
    { tMs: 150, rss: 0, vsz: 0, processCount: 0, programs: [], otherRss: 0 },
  ];

  test.each(["json", "jsonl", "csv"] as const)("%s keeps each sample's programs exactly, hostile names and all, and reads them back", (format) => {
    const out = memorySink();
    const writer = createTimelineWriter(format, out.sink);
    writer.start(header);
    for (const sample of grouped) writer.add(sample);
    writer.finish(summary);
    const data = readTimeline(`t.${format}`, out.text());
    expect(data.samples).toEqual(grouped);
    // A sample written without programs reads back without them, not with an empty list.
    expect("programs" in (data.samples[0] as object)).toBe(false);
    expect("otherRss" in (data.samples[0] as object)).toBe(false);
  });

  test("json and jsonl: programs as [name, bytes] pairs, largest first, and other_rss_bytes, only when grouped", () => {
    const out = memorySink();
    const writer = createTimelineWriter("jsonl", out.sink);
    writer.start(header);
    writer.add({ tMs: 0, rss: 10, vsz: 20, processCount: 1 });
    writer.add({ tMs: 10, rss: 131346, vsz: 20, processCount: 2, programs: [{ name: "cc1", rss: 123456 }, { name: "ld", rss: 7890 }], otherRss: 0 });
    writer.finish(summary);
    const lines = out.text().split("\n");
    expect(lines[1]).toBe('{"t_ms":0,"rss_bytes":10,"vsz_bytes":20,"process_count":1}');
    expect(lines[2]).toBe('{"t_ms":10,"rss_bytes":131346,"vsz_bytes":20,"process_count":2,"programs":[["cc1",123456],["ld",7890]],"other_rss_bytes":0}');
  });

  test("csv: the programs as JSON in one RFC 4180 cell, empty when not grouped, as the GPU figure is where none was read", () => {
    const out = memorySink();
    const writer = createTimelineWriter("csv", out.sink);
    writer.start(header);
    writer.add({ tMs: 0, rss: 10, vsz: 20, processCount: 1 });
    writer.add({ tMs: 10, rss: 9, vsz: 20, processCount: 2, programs: [{ name: 'a,"b"', rss: 4 }, { name: "ld", rss: 3 }], otherRss: 2 });
    writer.add({ tMs: 20, rss: 0, vsz: 0, processCount: 0, programs: [], otherRss: 0 });
    writer.finish(summary);
    expect(CSV_HEADER).toBe("t_ms,rss_bytes,vsz_bytes,process_count,gpu_bytes,programs,other_rss_bytes");
    expect(out.text()).toBe(`${CSV_HEADER}\n0,10,20,1,,,\n10,9,20,2,,"[[""a,\\""b\\"""",4],[""ld"",3]]",2\n20,0,0,0,,[],0\n`);
    // One line a sample, whatever the names hold: JSON escapes their newlines.
    const hostile = memorySink();
    const second = createTimelineWriter("csv", hostile.sink);
    second.start(header);
    for (const sample of grouped) second.add(sample);
    expect(hostile.text().split("\n")).toHaveLength(grouped.length + 2);
  });

  test.each(["json", "jsonl"] as const)("%s: the summary's programs in snake case, read back as they were", (format) => {
    const programs = makeProgramUsage(makeProgramSamples(60)).map((p, i) => (i === 0 ? { ...p, name: 'a "q", </script>' } : p));
    const out = memorySink();
    const writer = createTimelineWriter(format, out.sink);
    writer.start(header);
    writer.finish({ ...summary, programs });
    const saved = format === "json" ? JSON.parse(out.text()).summary : JSON.parse(out.text().trimEnd().split("\n").at(-1)!).summary;
    expect(Object.keys(saved.programs[0])).toEqual(["name", "processes", "max_process_peak_bytes", "rss_at_peak_bytes", "peak_rss_bytes", "process_seconds"]);
    expect(readTimeline(`t.${format}`, out.text()).programs).toEqual(programs);
    expect("programs" in summaryObject(summary)).toBe(false);
  });

  test("a chart writer keeps each sample's programs with it through thinning, and hands on the summary's", () => {
    const out = memorySink();
    let seen: { samples: TimelineSample[]; programs?: unknown } | undefined;
    const writer = createTimelineWriter("html", out.sink, (data) => {
      seen = data;
      return "";
    });
    writer.start(header);
    // Far more than the chart keeps, so that samples are merged; 100 ms apart, so that each time is one sample's.
    const many = makeProgramSamples(20_000, PROGRAM_SHAPES, 2_000_000);
    for (const sample of many) writer.add(sample);
    const programs = makeProgramUsage(many);
    writer.finish({ ...summary, programs });
    expect(seen!.samples.length).toBeLessThan(5000);
    const byTime = new Map(many.map((s) => [s.tMs, s]));
    // Each kept sample is one that was added, whole: its programs are its own.
    for (const kept of seen!.samples) expect(byTime.get(kept.tMs)?.programs).toBe(kept.programs!);
    expect(seen!.programs).toEqual(programs);
  });
});
