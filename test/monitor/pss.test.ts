import { describe, expect, test } from "bun:test";
import type { Member } from "../../src/monitor/tree.ts";
import { PssMonitor } from "../../src/monitor/pss.ts";
import type { ProportionalReading, ProportionalSource } from "../../src/platform/types.ts";

const MiB = 1024 * 1024;

function member(pid: number, rss: number, alive = true): Member {
  return { pid, ppid: 1, startTime: pid, name: `p${pid}`, alive, rss, vsz: rss, peakRss: rss, peakVsz: rss, readIn: 0, verifiedAt: undefined, firstSeenMs: 0, lastSeenMs: 0 };
}

/** A source whose reads advance a fake clock by `costMs` each, answering from a table. */
function source(table: Record<number, ProportionalReading | null>, clock: { now: number }, costMs: number): ProportionalSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    source: "test",
    reads,
    read(pid) {
      reads.push(pid);
      clock.now += costMs;
      return table[pid];
    },
  };
}

describe("PssMonitor", () => {
  test("sums the live members at one reading; USS and swap PSS are those of the peak's reading", () => {
    const clock = { now: 0 };
    const table: Record<number, ProportionalReading | null> = { 1: { pss: 10 * MiB, uss: 2 * MiB, swapPss: 0 }, 2: { pss: 30 * MiB, uss: 1 * MiB, swapPss: MiB } };
    const monitor = new PssMonitor(source(table, clock, 0), 100, () => clock.now);
    monitor.sample(0, { latest: [member(1, 50 * MiB), member(2, 50 * MiB), member(3, 99 * MiB, false)] });
    table[2] = { pss: 5 * MiB, uss: 5 * MiB, swapPss: 0 };
    monitor.sample(100, { latest: [member(1, 50 * MiB), member(2, 50 * MiB)] });
    const facts = monitor.finish();
    expect(facts.peakPssBytes).toBe(40 * MiB);
    expect(facts.ussAtPeakBytes).toBe(3 * MiB); // of the peak's own reading, not the largest USS (7 MiB)
    expect(facts.swapPssAtPeakBytes).toBe(MiB);
    expect(facts.readings).toBe(2);
    expect(facts.effectiveIntervalMs).toBe(100);
  });

  test("never more often than the interval when reads are cheap", () => {
    const clock = { now: 0 };
    const reader = source({ 1: { pss: MiB } }, clock, 0.01);
    const monitor = new PssMonitor(reader, 50, () => clock.now);
    for (let t = 0; t <= 1000; t += 10) monitor.sample(t, { latest: [member(1, MiB)] });
    expect(reader.reads.length).toBe(21); // 0, 50, …, 1000
  });

  test("an expensive read is spaced to stay within the budget, over the whole run too", () => {
    const clock = { now: 0 };
    // 5 ms per reading, 5% of a core: one reading every 100 ms, whatever the 10 ms interval;
    // the first, made at the start, pays for itself with a longer wait for the second.
    const reader = source({ 1: { pss: MiB } }, clock, 5);
    const monitor = new PssMonitor(reader, 10, () => clock.now, 5);
    const lastSample = 990;
    for (let t = 0; t <= lastSample; t += 10) monitor.sample(t, { latest: [member(1, MiB)] });
    const facts = monitor.finish();
    // At 0, 200, 300, …, 900.
    expect(facts.readings).toBe(9);
    expect(facts.effectiveIntervalMs).toBe(900 / 8);
    expect(facts.meanReadMs).toBe(5);
    // Within the budget even for a run that ends right after its last sample.
    expect((facts.readings * facts.meanReadMs) / lastSample).toBeLessThanOrEqual(0.05);
  });

  test("a process not ours to read counts by its RSS, and is counted once", () => {
    const clock = { now: 0 };
    const other = member(2, 8 * MiB);
    const monitor = new PssMonitor(source({ 1: { pss: MiB, uss: MiB }, 2: null }, clock, 0), 10, () => clock.now);
    monitor.sample(0, { latest: [member(1, MiB), other] });
    monitor.sample(10, { latest: [member(1, MiB), other] });
    const facts = monitor.finish();
    expect(facts.peakPssBytes).toBe(9 * MiB);
    expect(facts.unreadable).toBe(1);
  });

  test("a reading returns the tree's RSS as it found it: the reading's own where it has one, else the sample's", () => {
    const clock = { now: 0 };
    // Member 1 grew from 10 to 60 MiB while the walk went on; member 2's platform has no RSS in the reading; 3 is not ours.
    const table: Record<number, ProportionalReading | null> = { 1: { pss: 60 * MiB, rss: 60 * MiB }, 2: { pss: MiB }, 3: null };
    const monitor = new PssMonitor(source(table, clock, 0), 50, () => clock.now);
    expect(monitor.sample(0, { latest: [member(1, 10 * MiB), member(2, 2 * MiB), member(3, 4 * MiB)] })).toBe(66 * MiB);
    // Not its turn: nothing read, nothing to offer.
    expect(monitor.sample(10, { latest: [member(1, 10 * MiB)] })).toBe(0);
    // Nothing alive: no reading.
    expect(monitor.sample(50, { latest: [member(1, 10 * MiB, false)] })).toBe(0);
  });

  test("no USS or swap where the platform keeps none; no reading when nothing was alive", () => {
    const clock = { now: 0 };
    const monitor = new PssMonitor(source({ 1: { pss: 3 * MiB } }, clock, 0), 10, () => clock.now);
    monitor.sample(0, { latest: [member(1, MiB, false)] });
    expect(monitor.finish().readings).toBe(0);
    monitor.sample(10, { latest: [member(1, MiB)] });
    const facts = monitor.finish();
    expect(facts.peakPssBytes).toBe(3 * MiB);
    expect(facts.ussAtPeakBytes).toBeUndefined();
    expect(facts.swapPssAtPeakBytes).toBeUndefined();
  });
});
