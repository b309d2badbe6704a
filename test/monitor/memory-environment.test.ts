import { describe, expect, test } from "bun:test";
import { MemoryEnvironmentMonitor, type RunEnding } from "../../src/monitor/memory-environment.ts";
import type { MemoryLimits, MemorySources, PressureReading } from "../../src/platform/memory-sources.ts";
import type { Member } from "../../src/monitor/tree.ts";
import type { MemoryLimit } from "../../src/model/report.ts";

// MemoryEnvironmentMonitor against fake MemorySources: counters whose value the test sets
// between calls, counting their reads, as src/session/run.ts drives it (start, samples, finish).

const MiB = 2 ** 20;
const PHYSICAL: MemoryLimit = { bytes: 16 * 1024 * MiB, source: "physical memory, MemTotal" };
const cgroupLimit = (mib: number, file = "memory.max", cgroup = "/user.slice"): MemoryLimit => ({ bytes: mib * MiB, source: `cgroup ${file}`, cgroup });

/** An OOM counter the test moves; `value` undefined reads as "cannot be read now". */
function fakeCounter(scope: "cgroup" | "system", start = 0, source = scope === "cgroup" ? "memory.events" : "/proc/vmstat") {
  const state: { value: number | undefined; reads: number; closed: boolean } = { value: start, reads: 0, closed: false };
  const counter = {
    source,
    scope,
    read: () => {
      state.reads++;
      return state.value;
    },
    close: () => {
      state.closed = true;
    },
  };
  return { state, counter };
}

function fakePressure(start: PressureReading | undefined, source = "memory.pressure", scope: "cgroup" | "system" = "cgroup") {
  const state: { value: PressureReading | undefined; reads: number; closed: boolean } = { value: start, reads: 0, closed: false };
  return {
    state,
    source: {
      source,
      scope,
      read: () => {
        state.reads++;
        return state.value;
      },
      close: () => {
        state.closed = true;
      },
    },
  };
}

function sources(limits: MemoryLimits, parts: { counter?: ReturnType<typeof fakeCounter>["counter"]; pressure?: ReturnType<typeof fakePressure>["source"] } = {}): MemorySources {
  return { limits: () => limits, oomCounter: () => parts.counter, pressure: () => parts.pressure };
}

/** A monitor started over an OOM counter at `start`, physical memory the only limit; `state` moves the counter. */
function startedWith(scope: "cgroup" | "system", start: number) {
  const { state, counter } = fakeCounter(scope, start);
  const monitor = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }, { counter }));
  monitor.start();
  return { state, monitor };
}

function member(pid: number, name: string, goneMs?: number): Member {
  return {
    pid,
    startTime: pid * 10,
    ppid: 1,
    name,
    alive: goneMs === undefined,
    rss: MiB,
    vsz: 2 * MiB,
    peakRss: MiB,
    peakVsz: 2 * MiB,
    readIn: 1,
    verifiedAt: undefined,
    firstSeenMs: 0,
    lastSeenMs: goneMs ?? 1000,
    ...(goneMs !== undefined && { goneMs }),
  };
}

const ROOT = member(100, "make");
const ending = (overrides: Partial<RunEnding> = {}): RunEnding => ({ endMs: 1000, rootPid: 100, rootName: "make", killedOrphans: [], members: [ROOT], ...overrides });

describe("the limit in force", () => {
  test("a cgroup's limit below physical memory is the limit", () => {
    const monitor = new MemoryEnvironmentMonitor(sources({ limit: cgroupLimit(200), physical: PHYSICAL }));
    monitor.start();
    expect(monitor.limit).toEqual(cgroupLimit(200));
    expect(monitor.finish(ending(), 1000)).toEqual({ limit: cgroupLimit(200) });
  });

  test("a cgroup's limit above physical memory is bounded by it", () => {
    const monitor = new MemoryEnvironmentMonitor(sources({ limit: cgroupLimit(64 * 1024), physical: PHYSICAL }));
    monitor.start();
    expect(monitor.limit).toEqual(PHYSICAL);
    expect(monitor.finish(ending(), 1000).limit).toEqual(PHYSICAL);
  });

  test("no cgroup limit: physical memory", () => {
    const monitor = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }));
    monitor.start();
    expect(monitor.limit).toEqual(PHYSICAL);
  });

  test("no limit before start", () => {
    expect(new MemoryEnvironmentMonitor(sources({ limit: cgroupLimit(200), physical: PHYSICAL })).limit).toBeUndefined();
  });

  test("--limit marks the limit as enforced", () => {
    const monitor = new MemoryEnvironmentMonitor(sources({ limit: cgroupLimit(200), physical: PHYSICAL }), true);
    monitor.start();
    expect(monitor.finish(ending(), 1000)).toEqual({ limit: cgroupLimit(200), enforced: true });
  });

  test("a soft limit above the hard one is dropped", () => {
    const monitor = new MemoryEnvironmentMonitor(sources({ limit: cgroupLimit(200), soft: cgroupLimit(300, "memory.high"), physical: PHYSICAL }));
    monitor.start();
    // toEqual: no soft limit under any key.
    expect(monitor.finish(ending(), 1000)).toEqual({ limit: cgroupLimit(200) });
  });

  // The report's MemoryEnvironment names them softLimit and swapLimit (src/model/report.ts), which
  // memory-rows.ts and json.ts read.
  test("a soft limit below the hard one is reported as softLimit, a swap limit as swapLimit", () => {
    const monitor = new MemoryEnvironmentMonitor(
      sources({ limit: cgroupLimit(200), soft: cgroupLimit(150, "memory.high"), swap: cgroupLimit(100, "memory.swap.max"), physical: PHYSICAL }),
    );
    monitor.start();
    expect(monitor.finish(ending(), 1000)).toEqual({
      limit: cgroupLimit(200),
      softLimit: cgroupLimit(150, "memory.high"),
      swapLimit: cgroupLimit(100, "memory.swap.max"),
    });
  });
});

describe("OOM kills", () => {
  test("no kills: oom.kills 0, not killed, the counter closed", () => {
    const { state, monitor } = startedWith("cgroup", 4);
    monitor.sample(100);
    monitor.sample(200);
    const { oom } = monitor.finish(ending(), 250);
    expect(oom).toEqual({ kills: 0, source: "memory.events", scope: "cgroup", treeKilled: false });
    expect(state.closed).toBe(true);
  });

  test("kills rose and the command died of SIGKILL: the command, certainly, at its end", () => {
    const { state, counter } = fakeCounter("cgroup", 1);
    const monitor = new MemoryEnvironmentMonitor(sources({ limit: cgroupLimit(200), physical: PHYSICAL }, { counter }));
    monitor.start();
    monitor.sample(100);
    state.value = 2;
    monitor.sample(200);
    const { oom } = monitor.finish(ending({ signal: "SIGKILL", endMs: 204.6 }), 210);
    expect(oom).toEqual({
      kills: 1,
      source: "memory.events",
      scope: "cgroup",
      treeKilled: true,
      victim: { pid: 100, name: "make", role: "command", certain: true },
      atMs: 205,
    });
  });

  test("the count is read at a sample where the tree changed, else at most a second apart", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    const afterStart = state.reads;
    monitor.sample(100, true); // the first sample: the command found
    monitor.sample(200, false); // quiet
    monitor.sample(300, false);
    expect(state.reads - afterStart).toBe(1);
    monitor.sample(400, true); // a process came or went
    expect(state.reads - afterStart).toBe(2);
    monitor.sample(1300, false);
    expect(state.reads - afterStart).toBe(2);
    monitor.sample(1400, false); // a second since the last read
    expect(state.reads - afterStart).toBe(3);
  });

  test("a kill first seen at the read its victim's going brought names that victim", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100, true);
    monitor.sample(200, false);
    monitor.sample(300, false);
    state.value = 1;
    monitor.sample(400, true); // the victim gone: its change brings the read that sees the rise
    const members = [ROOT, member(202, "victim", 400)];
    expect(monitor.finish(ending({ members }), 450).oom?.victim).toEqual({ pid: 202, name: "victim", role: "member", certain: false });
  });

  test("the command died of SIGKILL but no kill was counted: not the OOM killer", () => {
    const { monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    expect(monitor.finish(ending({ signal: "SIGKILL" }), 150).oom).toEqual({ kills: 0, source: "memory.events", scope: "cgroup", treeKilled: false });
  });

  test("kills rose, the command exited normally, an orphan died of SIGKILL: the orphan", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    state.value = 1;
    const { oom } = monitor.finish(ending({ killedOrphans: [{ pid: 345, name: "worker", atMs: 180.4 }] }), 200);
    expect(oom).toEqual({ kills: 1, source: "memory.events", scope: "cgroup", treeKilled: true, victim: { pid: 345, name: "worker", role: "orphan", certain: true }, atMs: 180 });
  });

  test("kills rose, a member vanished between the sample before the rise and the one after: likely it", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    monitor.sample(200); // the sample before the rise
    state.value = 1;
    monitor.sample(300); // the rise is seen
    monitor.sample(400); // the sample after
    monitor.sample(500);
    const members = [ROOT, member(201, "early", 150), member(202, "cc1plus", 350)];
    const { oom } = monitor.finish(ending({ members }), 520);
    expect(oom).toEqual({
      kills: 1,
      source: "memory.events",
      scope: "cgroup",
      treeKilled: true,
      victim: { pid: 202, name: "cc1plus", role: "member", certain: false },
      atMs: 350,
    });
  });

  test("kills rose and the kernel's exit event said a member died of SIGKILL: that member, certainly", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    state.value = 1;
    monitor.sample(200);
    const killed = { ...member(202, "ld", 190), exitSignal: 9, exitedMs: 187.6, peakRss: 900 };
    const piped = { ...member(203, "sort", 191), exitSignal: 13, exitedMs: 188 };
    const { oom } = monitor.finish(ending({ members: [ROOT, piped, killed] }), 220);
    expect(oom?.victim).toEqual({ pid: 202, name: "ld", role: "member", certain: true });
    expect(oom?.atMs).toBe(188);
  });

  test("gone at the sample before the rise is out of the window; just after it, or at the sample after the rise, in", () => {
    const run = (goneMs: number) => {
      const { state, monitor } = startedWith("cgroup", 0);
      monitor.sample(200);
      state.value = 1;
      monitor.sample(300);
      monitor.sample(400);
      return monitor.finish(ending({ members: [ROOT, member(202, "victim", goneMs)] }), 500).oom?.victim?.pid;
    };
    expect(run(150)).toBeUndefined();
    expect(run(200)).toBeUndefined();
    expect(run(201)).toBe(202);
    expect(run(300)).toBe(202);
    expect(run(400)).toBe(202);
  });

  test("of several gone after the rise, the first to vanish", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    state.value = 1;
    for (const t of [200, 300, 400, 500, 600, 700]) monitor.sample(t);
    // 301 is gone at 200 (the rise), 302 only at 700: far apart, the first is the victim
    // even though the later one was larger.
    const members = [ROOT, { ...member(301, "first", 200), peakRss: 10 * MiB }, { ...member(302, "later", 700), peakRss: 900 * MiB }];
    expect(monitor.finish(ending({ members }), 750).oom?.victim).toEqual({ pid: 301, name: "first", role: "member", certain: false });
  });

  test("several gone together (a pipeline's writer dies of SIGPIPE): the largest of them", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    state.value = 1;
    monitor.sample(200);
    monitor.sample(300);
    const members = [ROOT, { ...member(401, "gzip", 200), peakRss: 2 * MiB }, { ...member(402, "sort", 200), peakRss: 700 * MiB }];
    const { oom } = monitor.finish(ending({ members }), 350);
    expect(oom?.victim).toEqual({ pid: 402, name: "sort", role: "member", certain: false });
    expect(oom?.atMs).toBe(200);
  });

  test("a member that vanished long before the rise: no victim, not the tree's kill", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    for (const t of [100, 200, 300, 400]) monitor.sample(t);
    state.value = 2;
    monitor.sample(500);
    monitor.sample(600);
    const { oom } = monitor.finish(ending({ members: [ROOT, member(201, "old", 120)] }), 650);
    expect(oom).toEqual({ kills: 2, source: "memory.events", scope: "cgroup", treeKilled: false });
  });

  test("the command itself vanishing is not a member victim", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    state.value = 1;
    monitor.sample(200);
    const { oom } = monitor.finish(ending({ members: [member(100, "make", 150)] }), 250);
    expect(oom?.treeKilled).toBe(false);
    expect(oom?.victim).toBeUndefined();
  });

  test("a rise first seen at the end: a member gone since the last sample is the likely victim", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    state.value = 1;
    const { oom } = monitor.finish(ending({ members: [ROOT, member(201, "ld", 130)] }), 140);
    expect(oom?.victim).toEqual({ pid: 201, name: "ld", role: "member", certain: false });
  });

  test("a system-scope counter is read at start and end only, and names no member", () => {
    const { state, monitor } = startedWith("system", 58);
    expect(state.reads).toBe(1);
    monitor.sample(100);
    state.value = 59;
    monitor.sample(200);
    monitor.sample(300);
    expect(state.reads).toBe(1);
    const { oom } = monitor.finish(ending({ members: [ROOT, member(201, "cc1", 250)] }), 350);
    expect(state.reads).toBe(2);
    expect(oom).toEqual({ kills: 1, source: "/proc/vmstat", scope: "system", treeKilled: false });
  });

  test("a cgroup counter is read at start, at each sample and at the end", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    monitor.sample(200);
    monitor.finish(ending(), 250);
    expect(state.reads).toBe(4);
  });

  test("a counter unreadable at the end: the last value read", () => {
    const { state, monitor } = startedWith("cgroup", 0);
    monitor.sample(100);
    state.value = 3;
    monitor.sample(200);
    state.value = undefined;
    monitor.sample(300); // unreadable at a sample too: the last good value stays
    expect(monitor.finish(ending({ signal: "SIGKILL" }), 350).oom).toMatchObject({ kills: 3, treeKilled: true });
  });

  test("a counter unreadable at the start: no OOM facts at all", () => {
    const { state, counter } = fakeCounter("cgroup");
    state.value = undefined;
    const monitor = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }, { counter }));
    monitor.start();
    expect(state.reads).toBe(1);
    state.value = 1;
    monitor.sample(100);
    expect(monitor.finish(ending({ signal: "SIGKILL" }), 150)).not.toHaveProperty("oom");
  });

  test("no counter, no sources: no OOM facts, and the limit is physical memory", () => {
    const monitor = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }));
    monitor.start();
    monitor.sample(100);
    expect(monitor.finish(ending({ signal: "SIGKILL" }), 150)).toEqual({ limit: PHYSICAL });
    const none = new MemoryEnvironmentMonitor(undefined);
    none.start();
    expect(none.limit?.source).toBe("physical memory");
    expect(none.limit?.bytes).toBeGreaterThan(0);
  });
});

describe("pressure", () => {
  const reading = (someTotalUs: number, fullTotalUs: number, someAvg10: number, fullAvg10: number): PressureReading => ({ someTotalUs, fullTotalUs, someAvg10, fullAvg10 });

  test("stall deltas in ms from µs totals; the highest avg10 over the samples", () => {
    const { state, source } = fakePressure(reading(1_000_000, 200_000, 0.5, 0.1));
    const monitor = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }, { pressure: source }));
    monitor.start();
    state.value = reading(1_400_000, 300_000, 7.25, 3.5);
    monitor.sample(100);
    state.value = reading(2_000_000, 500_000, 4.0, 1.0);
    monitor.sample(2200);
    state.value = reading(3_500_500, 700_250, 2.0, 0.5);
    const { pressure } = monitor.finish(ending(), 2300);
    expect(pressure).toEqual({ source: "memory.pressure", scope: "cgroup", someStallMs: 2500.5, fullStallMs: 500.25, maxSomeAvg10: 7.25, maxFullAvg10: 3.5 });
    expect(state.reads).toBe(4);
    expect(state.closed).toBe(true);
  });

  test("the averages are read once every 2 s at most, as often as the kernel updates them", () => {
    const { state, source } = fakePressure(reading(0, 0, 0, 0));
    const monitor = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }, { pressure: source }));
    monitor.start();
    for (let t = 100; t <= 4000; t += 100) monitor.sample(t);
    // At the start, then at 100, 2100 and 4100 would be due: 100 and 2100 within the 40 samples.
    expect(state.reads).toBe(3);
  });

  test("the end's avg10 counts when it is the highest", () => {
    const { state, source } = fakePressure(reading(0, 0, 0, 0), "/proc/pressure/memory", "system");
    const monitor = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }, { pressure: source }));
    monitor.start();
    state.value = reading(10_000, 0, 1.0, 0);
    monitor.sample(100);
    state.value = reading(30_000, 5_000, 9.5, 2.25);
    expect(monitor.finish(ending(), 200).pressure).toEqual({
      source: "/proc/pressure/memory",
      scope: "system",
      someStallMs: 30,
      fullStallMs: 5,
      maxSomeAvg10: 9.5,
      maxFullAvg10: 2.25,
    });
  });

  test("unreadable at the start or the end: no pressure facts", () => {
    const atStart = fakePressure(undefined);
    const first = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }, { pressure: atStart.source }));
    first.start();
    atStart.state.value = reading(1000, 0, 1, 0);
    expect(first.finish(ending(), 100)).not.toHaveProperty("pressure");

    const atEnd = fakePressure(reading(1000, 0, 1, 0));
    const second = new MemoryEnvironmentMonitor(sources({ physical: PHYSICAL }, { pressure: atEnd.source }));
    second.start();
    atEnd.state.value = undefined;
    expect(second.finish(ending(), 100)).not.toHaveProperty("pressure");
  });
});

describe("a cgroup that counts no kill (the machine's root cgroup)", () => {
  test("the system's count read beside it still tells, as likely", () => {
    const cgroup = fakeCounter("cgroup", 0, "memory.oom_control");
    const system = fakeCounter("system", 40);
    const monitor = new MemoryEnvironmentMonitor({ limits: () => ({ physical: PHYSICAL }), oomCounter: () => cgroup.counter, systemOomCounter: () => system.counter });
    monitor.start();
    monitor.sample(100);
    system.state.value = 41; // a kill on the machine; the root cgroup's counter stays 0
    const facts = monitor.finish({ signal: "SIGKILL", endMs: 150, rootPid: 7, rootName: "cargo", killedOrphans: [], members: [] }, 150);
    expect(facts.oom).toMatchObject({ kills: 1, scope: "system", source: "/proc/vmstat", treeKilled: true, victim: { pid: 7, role: "command", certain: false } });
    expect(system.state.reads).toBe(2); // only at the start and the end
  });

  test("a cgroup that counted the kill wins over the system's count", () => {
    const cgroup = fakeCounter("cgroup", 0);
    const system = fakeCounter("system", 40);
    const monitor = new MemoryEnvironmentMonitor({ limits: () => ({ physical: PHYSICAL }), oomCounter: () => cgroup.counter, systemOomCounter: () => system.counter });
    monitor.start();
    cgroup.state.value = 1;
    system.state.value = 43;
    const facts = monitor.finish({ signal: "SIGKILL", endMs: 150, rootPid: 7, rootName: "cargo", killedOrphans: [], members: [] }, 150);
    expect(facts.oom).toMatchObject({ kills: 1, scope: "cgroup", treeKilled: true, victim: { certain: true } });
  });
});
