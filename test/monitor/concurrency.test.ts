import { describe, expect, test } from "bun:test";
import { concurrencyMonitor } from "../../src/monitor/concurrency.ts";
import type { RunContext } from "../../src/monitor/monitor.ts";
import { Sampler } from "../../src/monitor/sampler.ts";
import { FakeReader } from "./fake-reader.ts";

// The most processes of the tree alive at one sample, through the in-memory process table.

function context(children = true) {
  const reader = new FakeReader(undefined);
  const sampler = new Sampler(reader, { children });
  const c: RunContext = { plan: { children, intervalMs: 100, pss: false, gpu: "auto", killOnThreshold: false }, reader, sampler, clock: () => 0, events: false };
  return { reader, sampler, c };
}

describe("concurrency monitor", () => {
  test("the most alive at one sample: 1, then 3 together, then 2", () => {
    const { reader, sampler, c } = context();
    const monitor = concurrencyMonitor.create(c);
    reader.spawn(100, { ppid: 1, startTime: 1, rss: 10 });
    sampler.attach(100);
    const step = (t: number) => {
      sampler.sample(t);
      monitor.sample?.(t);
    };
    step(0);
    reader.spawn(101, { ppid: 100, startTime: 2, rss: 10 });
    reader.spawn(102, { ppid: 100, startTime: 3, rss: 10 });
    step(100);
    reader.table.delete(101);
    step(200);
    expect(monitor.finish?.({ durationMs: 300, command: { exitCode: 0 }, rootPid: 100, rootName: "cmd" })).toEqual({ concurrency: { peakProcesses: 3, exact: false, stillRunning: [{ pid: 100, name: "proc100" }, { pid: 102, name: "proc102" }] } });
  });

  test("not with --no-children: one process is no tree", () => {
    expect(concurrencyMonitor.enabled(context(false).c.plan, new FakeReader(undefined))).toBe(false);
    expect(concurrencyMonitor.enabled(context(true).c.plan, new FakeReader(undefined))).toBe(true);
  });
});
