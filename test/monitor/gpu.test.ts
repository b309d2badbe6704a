import { describe, expect, test } from "bun:test";
import { GpuMonitor, thresholdFacts, type GpuTree } from "../../src/monitor/gpu.ts";
import type { Member } from "../../src/monitor/tree.ts";
import type { GpuDevice, GpuSource } from "../../src/platform/types.ts";

// The GPU monitor through a fake source: what each process holds on each device at each
// reading is set by the test, as a driver would list it.

const GiB = 1024 ** 3;

function member(pid: number, name = `p${pid}`): Member {
  return { pid, name, alive: true, startTime: pid, ppid: 1, rss: 0, vsz: 0, peakRss: 0, peakVsz: 0, readIn: 0, verifiedAt: undefined, firstSeenMs: 0, lastSeenMs: 0 };
}

function tree(...members: Member[]): GpuTree & { members: Member[] } {
  return { members, byId: (pid) => members.find((m) => m.pid === pid) };
}

interface Fake extends GpuSource {
  /** device → pid → bytes, as the driver lists them now. */
  uses: Map<number, Map<number, number>>;
  used: Map<number, number>;
  peaks: Map<string, number>;
  isReady: true | string | undefined;
}

function fake(devices: Partial<GpuDevice>[], options: { pidsMatch?: boolean; source?: string } = {}): Fake {
  const list: GpuDevice[] = devices.map((d, index) => ({ index, name: `GPU model ${index}`, totalBytes: 80 * GiB, accounting: false, ...d }));
  const source: Fake = {
    source: options.source ?? "nvml",
    pidsMatch: options.pidsMatch ?? true,
    uses: new Map(list.map((d) => [d.index, new Map()])),
    used: new Map(),
    peaks: new Map(),
    isReady: true,
    setupMs: 120,
    ready: () => source.isReady,
    devices: () => list,
    read(use) {
      for (const [device, pids] of source.uses) for (const [pid, bytes] of pids) use(device, pid, bytes);
      return true;
    },
    deviceUsed: (device) => source.used.get(device) ?? [...(source.uses.get(device)?.values() ?? [])].reduce((a, b) => a + b, 0),
    processPeak: (device, pid) => source.peaks.get(`${device}:${pid}`),
    close() {},
  };
  return source;
}

/** A monitor reading at every sample (interval 1 ms, no cost). */
function monitorOf(...sources: GpuSource[]) {
  let now = 0;
  const monitor = new GpuMonitor(sources, 1, () => now, Date.now(), 100);
  return {
    monitor,
    at(tMs: number, t: GpuTree & { members: Member[] }) {
      now = tMs;
      monitor.sample(tMs, t, t.members);
    },
  };
}

describe("GpuMonitor", () => {
  test("two processes of the tree at once: their sum; one after the other: the larger", () => {
    const source = fake([{}]);
    const t = tree(member(10), member(11));
    const { monitor, at } = monitorOf(source);
    source.uses.get(0)?.set(10, 1 * GiB).set(11, 2 * GiB);
    at(1, t);
    source.uses.get(0)?.clear();
    source.uses.get(0)?.set(11, 2.5 * GiB);
    at(2, t);
    const facts = monitor.finish(t);
    expect(facts.peakBytes).toBe(3 * GiB);
    expect(facts.exact).toBe(false); // sampled, no accounting
    expect(facts.devices[0]).toMatchObject({ peakBytes: 3 * GiB, processes: 2, source: "nvml", usedAtPeakBytes: 3 * GiB });
    expect(facts.processes.map((p) => [p.pid, p.peakBytes])).toEqual([
      [11, 2.5 * GiB],
      [10, 1 * GiB],
    ]);
    expect(facts.atMs).toBe(1);

    const after = fake([{}]);
    const second = monitorOf(after);
    after.uses.get(0)?.set(10, 1 * GiB);
    second.at(1, t);
    after.uses.get(0)?.clear();
    after.uses.get(0)?.set(11, 2 * GiB);
    second.at(2, t);
    expect(second.monitor.finish(t).peakBytes).toBe(2 * GiB);
  });

  test("a process outside the tree on the same device is not counted, though the device's use counts it", () => {
    const source = fake([{}]);
    const t = tree(member(10));
    const { monitor, at } = monitorOf(source);
    source.uses.get(0)?.set(10, GiB).set(99, 5 * GiB);
    at(1, t);
    const facts = monitor.finish(t);
    expect(facts.peakBytes).toBe(GiB);
    expect(facts.devices[0]?.usedAtPeakBytes).toBe(6 * GiB);
    expect(facts.processes.map((p) => p.pid)).toEqual([10]);
  });

  test("a process that has exited is not the tree's any more, even if its pid is listed", () => {
    const source = fake([{}]);
    const gone = member(10);
    gone.alive = false;
    const t = tree(gone);
    const { monitor, at } = monitorOf(source);
    source.uses.get(0)?.set(10, GiB);
    at(1, t);
    expect(monitor.finish(t).peakBytes).toBe(0);
  });

  test("two devices: each its own peak, and the total at one reading", () => {
    const source = fake([{}, { name: "second" }]);
    const t = tree(member(10), member(11));
    const { monitor, at } = monitorOf(source);
    source.uses.get(0)?.set(10, 4 * GiB);
    source.uses.get(1)?.set(11, 1 * GiB);
    at(1, t);
    source.uses.get(0)?.set(10, 1 * GiB);
    source.uses.get(1)?.set(11, 2 * GiB);
    at(2, t);
    const facts = monitor.finish(t);
    expect(facts.peakBytes).toBe(5 * GiB);
    expect(facts.devices.map((d) => d.peakBytes)).toEqual([4 * GiB, 2 * GiB]);
    expect(facts.processes.find((p) => p.pid === 11)?.devices).toEqual([1]);
  });

  test("accounting mode: a burst between readings is caught, exact for one process, bounded for several", () => {
    const source = fake([{ accounting: true }]);
    const t = tree(member(10));
    const { monitor, at } = monitorOf(source);
    source.uses.get(0)?.set(10, GiB);
    at(1, t);
    source.peaks.set("0:10", 3 * GiB); // the driver saw it at 3 GiB between readings
    const facts = monitor.finish(t);
    expect(facts).toMatchObject({ peakBytes: 3 * GiB, exact: true });
    expect(facts.devices[0]).toMatchObject({ source: "nvml-accounting", exact: true });
    expect(facts.processes[0]).toMatchObject({ pid: 10, peakBytes: 3 * GiB, exact: true });

    // Two processes: at least the larger own peak, at most their sum.
    const two = fake([{ accounting: true }]);
    const t2 = tree(member(10), member(11), member(12));
    const m2 = monitorOf(two);
    two.uses.get(0)?.set(10, GiB);
    m2.at(1, t2);
    two.peaks.set("0:10", 2 * GiB).set("0:11", 1 * GiB); // 11 never lived through a reading
    const bounded = m2.monitor.finish(t2);
    expect(bounded).toMatchObject({ peakBytes: 2 * GiB, exact: false, upperBytes: 3 * GiB });
    expect(bounded.devices[0]).toMatchObject({ processes: 2, upperBytes: 3 * GiB });
    expect(bounded.processes.map((p) => p.pid)).toEqual([10, 11]);
  });

  test("a driver still starting: no reading until it is ready; none at all when the command ends first", () => {
    const source = fake([{}]);
    source.isReady = undefined;
    const t = tree(member(10));
    const { monitor, at } = monitorOf(source);
    source.uses.get(0)?.set(10, GiB);
    at(1, t);
    expect(monitor.latest).toBeUndefined();
    source.isReady = true;
    at(2, t);
    expect(monitor.latest).toBe(GiB);
    expect(monitor.finish(t).setupMs).toBe(120);

    const slow = fake([{}]);
    slow.isReady = undefined;
    const never = monitorOf(slow);
    never.at(1, t);
    expect(never.monitor.finish(t).unread).toBe("the command ended before the GPU driver had started");

    const broken = fake([{}]);
    broken.isReady = "NVML did not start: Driver Not Loaded";
    expect(monitorOf(broken).monitor.finish(t).unread).toBe("NVML did not start: Driver Not Loaded");
  });

  test("pids that are not the tree's: each device's rise in use, said to be device-wide", () => {
    const source = fake([{}], { pidsMatch: false });
    const t = tree(member(10));
    const { monitor, at } = monitorOf(source);
    source.used.set(0, 10 * GiB);
    at(1, t);
    source.used.set(0, 16 * GiB);
    at(2, t);
    source.used.set(0, 11 * GiB);
    at(3, t);
    const facts = monitor.finish(t);
    expect(facts).toMatchObject({ scope: "device", peakBytes: 6 * GiB, exact: false });
    expect(facts.scopeWhy).toContain("pid namespace");
    expect(facts.devices[0]?.source).toBe("nvml-device");
    expect(facts.processes).toEqual([]);
  });

  test("a driver that will not say what a process of the tree holds: device-wide too", () => {
    const source = fake([{}]);
    const t = tree(member(10));
    const { monitor, at } = monitorOf(source);
    source.used.set(0, GiB);
    source.uses.get(0)?.set(10, -1);
    at(1, t);
    source.used.set(0, 3 * GiB);
    at(2, t);
    const facts = monitor.finish(t);
    expect(facts).toMatchObject({ scope: "device", peakBytes: 2 * GiB });
    expect(facts.scopeWhy).toContain("does not say how much");
  });

  test("readings keep to their budget: a slow driver is read less often", () => {
    let now = 0;
    const source = fake([{}]);
    const slowRead = source.read;
    source.read = (use, pids) => {
      now += 2; // each reading costs 2 ms
      return slowRead(use, pids);
    };
    const monitor = new GpuMonitor([source], 10, () => now, Date.now(), 2);
    const t = tree(member(10));
    for (let tMs = 0; tMs < 10_000; tMs += 10) {
      now = tMs;
      monitor.sample(tMs, t, t.members);
    }
    const facts = monitor.finish(t);
    // 2 ms within 2% of a core: one reading per 100 ms at most.
    expect(facts.readings).toBeLessThanOrEqual(101);
    expect(facts.readings).toBeGreaterThan(50);
    expect(facts.effectiveIntervalMs).toBeGreaterThanOrEqual(100);
  });
});

describe("--gpu-threshold", () => {
  const device = (index: number, peakBytes: number, totalBytes?: number) => ({ index, name: "g", peakBytes, exact: false, source: "nvml", processes: 1, ...(totalBytes && { totalBytes }) });
  test("a size against each device's peak, a share against each device's own memory", () => {
    expect(thresholdFacts([device(0, 3 * GiB), device(1, 5 * GiB)], { bytes: 4 * GiB, given: "4GiB" })).toEqual({ bytes: 4 * GiB, given: "4GiB", exceeded: true, devices: [1] });
    expect(thresholdFacts([device(0, 3 * GiB, 80 * GiB)], { percent: 5 })).toEqual({ percent: 5, exceeded: false, devices: [] });
    expect(thresholdFacts([device(0, 5 * GiB, 80 * GiB)], { percent: 5 })).toMatchObject({ exceeded: true, devices: [0] });
    // A device whose memory is unknown cannot cross a share of it.
    expect(thresholdFacts([device(0, 5 * GiB)], { percent: 5 }).exceeded).toBe(false);
  });
});
