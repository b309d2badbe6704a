import { describe, expect, test } from "bun:test";
import type { TimelineSample } from "../../src/model/chart-data.ts";
import { measure } from "../../src/monitor/loop.ts";
import type { Monitor, MonitorPlan, RunContext } from "../../src/monitor/monitor.ts";
import { MonitorSet } from "../../src/monitor/monitor-set.ts";
import { createMonitors, MONITORS, unavailableMonitor } from "../../src/monitor/registry.ts";
import { Sampler } from "../../src/monitor/sampler.ts";
import type { CommandChild, ProportionalSource } from "../../src/platform/types.ts";
import { FakeReader } from "./fake-reader.ts";

// The run loop and the monitors' phases, through the in-memory process table: no process is
// spawned, the command's exit is a promise the test settles.

const ROOT = 100;

/** The command (RSS 1000) in the fake table, and a child handle whose exit the test decides. */
function setUp() {
  const reader = new FakeReader(undefined);
  const sampler = new Sampler(reader, { children: true });
  reader.spawn(ROOT, { ppid: 1, startTime: 10, rss: 1000 });
  sampler.attach(ROOT);
  let exit!: () => void;
  const exited = new Promise<void>((resolve) => (exit = resolve));
  const child: CommandChild = { pid: ROOT, spawnerPid: ROOT, exited, kill: () => {}, end: () => ({ exitCode: 0 }) };
  const t0 = performance.now();
  const clock = () => performance.now() - t0;
  const warnings: string[] = [];
  return { reader, sampler, child, exit, clock, warnings, warn: (line: string) => void warnings.push(line) };
}

/** A monitor that counts its phases, and may throw in one of them; its group (a threshold) carries its sample count. */
function counting(name: string, throwIn?: "sample" | "record" | "finish" | "start") {
  const calls = { start: 0, sample: 0, record: 0, finish: 0 };
  const maybeThrow = (phase: typeof throwIn) => {
    if (phase === throwIn) throw new Error(`${name} broke in ${phase}`);
  };
  const monitor: Monitor = {
    name,
    start: () => (calls.start++, maybeThrow("start")),
    sample: () => (calls.sample++, maybeThrow("sample")),
    record: (sample) => {
      calls.record++;
      maybeThrow("record");
      sample.otherRss = 7;
    },
    finish: () => (calls.finish++, maybeThrow("finish"), { threshold: { bytes: calls.sample, exceeded: false } }),
  };
  return { monitor, calls };
}

describe("the run loop", () => {
  test("samples until the command exits, calls every monitor at each sample, and records the timeline's samples", async () => {
    const s = setUp();
    const a = counting("a");
    const b = counting("b");
    const monitors = new MonitorSet([a.monitor, b.monitor], s.clock, s.warn);
    const recorded: TimelineSample[] = [];
    setTimeout(() => {
      s.reader.table.get(ROOT)!.rss = 5000; // the peak, then the exit
      setTimeout(s.exit, 60);
    }, 60);
    const measured = await measure({ ...s, monitors, intervalMs: 10, children: true, timeline: { add: (sample) => void recorded.push(sample) } });
    expect(measured.fault).toBeUndefined();
    expect(measured.durationMs).toBeGreaterThanOrEqual(100);
    expect(measured.samples).toBe(recorded.length);
    expect(recorded.length).toBeGreaterThan(3);
    expect(recorded.every((sample) => sample.otherRss === 7 && sample.processCount === 1)).toBe(true);
    expect(s.sampler.peaks.rss).toEqual({ bytes: 5000, source: "sampled-sum" });
    // Every sample reached both monitors (the burst's extra samples too), the timeline's a subset.
    expect(a.calls.sample).toBe(b.calls.sample);
    expect(a.calls.sample).toBeGreaterThanOrEqual(recorded.length);
    expect(a.calls.record).toBe(recorded.length);
    expect(monitors.faults).toEqual([]);
    expect(s.warnings).toEqual([]);
  });

  test("a monitor that throws is stopped and reported; the others and the tree go on", async () => {
    const s = setUp();
    const broken = counting("reading the broken thing", "sample");
    const healthy = counting("healthy");
    const monitors = new MonitorSet([broken.monitor, healthy.monitor], s.clock, s.warn);
    setTimeout(s.exit, 80);
    const measured = await measure({ ...s, monitors, intervalMs: 10, children: true });
    expect(measured.fault).toBeUndefined();
    expect(broken.calls.sample).toBe(1);
    expect(healthy.calls.sample).toBeGreaterThan(3);
    expect(monitors.faults).toEqual([{ monitor: "reading the broken thing", message: "reading the broken thing broke in sample", atMs: expect.any(Number) }]);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/^internal error while reading the broken thing \(reading the broken thing broke in sample\); that stopped at \d+\.\d\ds, the rest of the measuring goes on$/);
    // Its group is left out; the healthy one's is there.
    const groups = monitors.finish({ durationMs: measured.durationMs, command: { exitCode: 0 }, rootPid: ROOT, rootName: "cmd" });
    expect(broken.calls.finish).toBe(0);
    expect(groups).toEqual({ threshold: { bytes: healthy.calls.sample, exceeded: false } });
  });

  test("a fault in a later phase stops only that monitor: start, record and finish", async () => {
    const s = setUp();
    const atStart = counting("starting", "start");
    const atRecord = counting("recording", "record");
    const atFinish = counting("finishing", "finish");
    const monitors = new MonitorSet([atStart.monitor, atRecord.monitor, atFinish.monitor], s.clock, s.warn);
    monitors.start();
    setTimeout(s.exit, 50);
    await measure({ ...s, monitors, intervalMs: 10, children: true, timeline: { add: () => {} } });
    expect(atStart.calls.sample).toBe(0);
    expect(atRecord.calls.record).toBe(1);
    expect(atRecord.calls.sample).toBe(1); // stopped at the first recorded sample
    expect(atFinish.calls.sample).toBeGreaterThan(1);
    expect(monitors.finish({ durationMs: 50, command: { exitCode: 0 }, rootPid: ROOT, rootName: "cmd" })).toEqual({});
    expect(monitors.faults.map((f) => f.monitor)).toEqual(["starting", "recording", "finishing"]);
  });

  test("a fault reading the tree stops all measuring, but the command is still waited for", async () => {
    const s = setUp();
    const a = counting("a");
    const monitors = new MonitorSet([a.monitor], s.clock, s.warn);
    let reads = 0;
    const memory = s.reader.memory.bind(s.reader);
    s.reader.memory = (pid) => {
      if (++reads > 3) throw new Error("EMFILE: too many open files");
      return memory(pid);
    };
    let exitedAt = 0;
    setTimeout(() => {
      exitedAt = s.clock();
      s.exit();
    }, 120);
    const measured = await measure({ ...s, monitors, intervalMs: 10, children: true });
    expect(measured.fault?.message).toBe("sampling: EMFILE: too many open files");
    expect(measured.durationMs).toBeGreaterThanOrEqual(exitedAt);
    expect(a.calls.sample).toBeLessThanOrEqual(3);
    expect(s.warnings).toEqual([expect.stringMatching(/^internal error while sampling \(EMFILE: too many open files\); measuring stopped at \d+\.\d\ds, the command goes on$/)]);
  });

  test("a monitor that settles keeps the run going after the exit, and the duration with it", async () => {
    const s = setUp();
    const settler: Monitor = {
      name: "settling",
      async settle(loop) {
        await loop.sleep(80);
        loop.sample();
        return true;
      },
    };
    const monitors = new MonitorSet([settler], s.clock, s.warn);
    setTimeout(s.exit, 30);
    const measured = await measure({ ...s, monitors, intervalMs: 10, children: true });
    expect(measured.durationMs).toBeGreaterThanOrEqual(30 + 80);
  });
});

describe("the registry", () => {
  const plan: MonitorPlan = { children: true, intervalMs: 100, pss: false, gpu: "auto", killOnThreshold: false };
  const context = (over: Partial<MonitorPlan>, reader = new FakeReader(undefined)): RunContext => ({
    plan: { ...plan, ...over },
    reader,
    sampler: new Sampler(reader, { children: true }),
    clock: () => 0,
    events: false,
  });
  const names = (c: RunContext) => createMonitors(c).map((m) => m.name);

  test("each monitor is created only when the run wants it, in registry order", () => {
    expect(names(context({}))).toEqual(["reading the memory limit and OOM counters", "finding the tree's peaks", "grouping the tree by program", "counting the processes alive at once"]);
    expect(names(context({ children: false }))).not.toContain("grouping the tree by program");
    expect(names(context({ children: false }))).not.toContain("counting the processes alive at once");
    expect(names(context({ thresholdBytes: 10 })).at(-1)).toBe("checking the threshold");
    expect(MONITORS.map((m) => m.key)).toEqual(["memory", "peaks", "pss", "gpu", "programs", "concurrency", "threshold"]);
  });

  test("--pss on a system without proportional memory is refused with its reason; where it can, the monitor runs", () => {
    const reader = new FakeReader(undefined);
    expect(unavailableMonitor({ ...plan, pss: true }, reader)).toEqual({ option: "--pss", why: "it keeps no proportional memory per process" });
    const proportional: ProportionalSource = { source: "smaps_rollup", read: () => undefined, unavailable: () => "smaps_rollup is missing (Linux before 4.14)" };
    expect(unavailableMonitor({ ...plan, pss: true }, Object.assign(new FakeReader(undefined), { proportional }))).toEqual({ option: "--pss", why: "smaps_rollup is missing (Linux before 4.14)" });
    const available = Object.assign(new FakeReader(undefined), { proportional: { ...proportional, unavailable: () => undefined } });
    expect(unavailableMonitor({ ...plan, pss: true }, available)).toBeUndefined();
    expect(unavailableMonitor(plan, reader)).toBeUndefined();
    expect(names(context({ pss: true }, available))).toContain("reading the PSS");
  });

  test("the threshold as a share of the limit the environment found before it; exceeded once the peak is over it", () => {
    const reader = Object.assign(new FakeReader(undefined), {
      memorySources: () => ({ limits: () => ({ limit: { bytes: 10_000, source: "cgroup memory.max" }, physical: { bytes: 1 << 30, source: "physical memory" } }) }),
    });
    const c = context({ thresholdPercent: 50 }, reader);
    const monitors = new MonitorSet(createMonitors(c), c.clock, () => {});
    monitors.start();
    reader.spawn(ROOT, { ppid: 1, startTime: 1, rss: 6000 });
    c.sampler.attach(ROOT);
    c.sampler.sample(0);
    monitors.sample(0);
    const groups = monitors.finish({ durationMs: 5, command: { exitCode: 0, maxRss: 7000 }, rootPid: ROOT, rootName: "cmd" });
    expect(groups.threshold).toMatchObject({ bytes: 5000, percent: 50, exceeded: true });
    expect(groups.peaks?.rss).toMatchObject({ bytes: 7000, source: "rusage" });
    expect(groups.memory?.limit).toEqual({ bytes: 10_000, source: "cgroup memory.max" });
    expect(monitors.faults).toEqual([]);
  });
});
