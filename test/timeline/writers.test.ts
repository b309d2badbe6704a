import { describe, expect, test } from "bun:test";
import type { Sink } from "../../src/output/sink.ts";
import { readTimeline } from "../../src/timeline/read.ts";
import { createTimelineWriter, summaryObject, timelineFormat, type TimelineSummary } from "../../src/timeline/writers.ts";

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

  test("the summary saves the limit and an OOM kill in snake case, leaving out what is not known", () => {
    expect(summaryObject(limited)).toMatchObject({
      limit_bytes: 200 * 1024 * 1024,
      limit_source: "cgroup memory.limit_in_bytes",
      oom_kill: { at_ms: 88, pid: 4242, name: "alloc", certain: true },
    });
    expect(summaryObject({ ...summary, oomKill: { atMs: 5 } }).oom_kill).toEqual({ at_ms: 5 });
    const plain = summaryObject(summary);
    expect(Object.keys(plain)).not.toContain("limit_bytes");
    expect(Object.keys(plain)).not.toContain("limit_source");
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
});
