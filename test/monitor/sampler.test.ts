import { describe, expect, test } from "bun:test";
import { Sampler } from "../../src/monitor/sampler.ts";
import type { TreeOptions } from "../../src/monitor/tree.ts";
import type { MemoryReading, ProcessInfo, ProcessReader, ReapedProcess } from "../../src/platform/types.ts";

interface FakeProcess {
  ppid: number;
  startTime: number;
  rss: number;
}

/**
 * A process table in memory (as in tree.test.ts), plus reapExited: each call records the
 * `keep` it was given and hands out what `toReap` holds, once.
 */
class FakeReader implements ProcessReader {
  readonly table = new Map<number, FakeProcess>();
  mark: number | undefined = 99;
  keeps: number[] = [];
  toReap: ReapedProcess[] = [];

  spawn(pid: number, process: FakeProcess): void {
    this.table.set(pid, process);
    this.mark = pid;
  }

  listPids(): number[] {
    return [...this.table.keys()];
  }
  info(pid: number): ProcessInfo | undefined {
    const p = this.table.get(pid);
    return p && { pid, ppid: p.ppid, startTime: p.startTime, name: `proc${pid}` };
  }
  memory(pid: number): MemoryReading | undefined {
    const p = this.table.get(pid);
    return p && { rss: p.rss, vsz: 2 * p.rss };
  }
  creationMark(): number | undefined {
    return this.mark;
  }
  adoptOrphans(): boolean {
    return true;
  }
  isTerminal() {
    return false;
  }
  terminalState() {
    return undefined;
  }
  reapExited?: (keep: number) => readonly ReapedProcess[] = (keep) => {
    this.keeps.push(keep);
    const reaped = this.toReap;
    this.toReap = [];
    for (const { pid } of reaped) this.table.delete(pid);
    return reaped;
  };
}

const ADOPTER = 50; // peak-mem itself
const ROOT = 100; // the command
const ORPHAN = 300; // a double-forked daemon of the command, adopted by peak-mem
const SUBREAPER: TreeOptions = { children: true, adopterPid: ADOPTER };

/** A sampler with the command (RSS 100) and an orphan of it (RSS 10), both found by one sample. */
function started(options: TreeOptions = SUBREAPER) {
  const reader = new FakeReader();
  const sampler = new Sampler(reader, options);
  reader.spawn(ROOT, { ppid: ADOPTER, startTime: 10, rss: 100 });
  sampler.attach(ROOT);
  reader.spawn(ORPHAN, { ppid: ADOPTER, startTime: 11, rss: 10 });
  return { reader, sampler, orphan: () => sampler.tree.members.find((m) => m.pid === ORPHAN) };
}

describe("Sampler: orphans reaped by the subreaper", () => {
  test("a reaped orphan's exact peak is the run's peak when it is the largest", () => {
    const { reader, sampler, orphan } = started();
    expect(sampler.sample(0)).toMatchObject({ rss: 110, count: 2 });
    expect(sampler.peaks.rss).toEqual({ bytes: 110, source: "sampled-sum" });
    expect(orphan()?.alive).toBe(true);

    reader.toReap = [{ pid: ORPHAN, maxRss: 5000 }];
    sampler.sample(100);
    expect(reader.keeps.at(-1)).toBe(ROOT); // the command itself is left to the runtime
    expect(sampler.peaks.rss).toEqual({ bytes: 5000, source: "rusage" });
    expect(sampler.reaped).toBe(1);
    expect(orphan()?.alive).toBe(false);
    expect(orphan()?.peakRss).toBeGreaterThanOrEqual(5000);

    // Handed out once: later samples reap nothing more and keep the peak.
    expect(sampler.sample(200)).toMatchObject({ rss: 100, count: 1 });
    expect(sampler.reaped).toBe(1);
    expect(sampler.peaks.rss).toEqual({ bytes: 5000, source: "rusage" });
  });

  test("reapExited is asked at every sample, always to keep the root", () => {
    const { reader, sampler } = started();
    for (const t of [0, 100, 200]) sampler.sample(t);
    expect(reader.keeps).toEqual([ROOT, ROOT, ROOT]);
  });

  test("a smaller reaped peak changes neither the peak nor its source", () => {
    const { reader, sampler, orphan } = started();
    sampler.sample(0);
    reader.toReap = [{ pid: ORPHAN, maxRss: 50 }];
    sampler.sample(100);
    expect(sampler.peaks.rss).toEqual({ bytes: 110, source: "sampled-sum" });
    expect(sampler.reaped).toBe(1);
    expect(orphan()?.alive).toBe(false);
    expect(orphan()?.peakRss).toBe(50); // above its sampled 10: the kernel's number is exact
  });

  test("a member's larger sampled peak is not lowered by a smaller rusage one", () => {
    const { reader, sampler, orphan } = started();
    reader.table.get(ORPHAN)!.rss = 80;
    sampler.sample(0);
    reader.toReap = [{ pid: ORPHAN, maxRss: 60 }];
    sampler.sample(100);
    expect(orphan()?.peakRss).toBe(80);
  });

  test("several at once, one never seen alive: each counted, the largest peak kept", () => {
    const { reader, sampler, orphan } = started();
    sampler.sample(0);
    const members = sampler.tree.members.length;
    reader.toReap = [
      { pid: ORPHAN, maxRss: 700 },
      { pid: 400, maxRss: 900 }, // lived and died between two samples
    ];
    sampler.sample(100);
    expect(sampler.reaped).toBe(2);
    expect(sampler.peaks.rss).toEqual({ bytes: 900, source: "rusage" });
    expect(orphan()?.alive).toBe(false);
    expect(sampler.tree.members.length).toBe(members); // no member is made up for it
  });

  test("without adopterPid (not a subreaper), reapExited is never called", () => {
    const { reader, sampler } = started({ children: true });
    reader.toReap = [{ pid: ORPHAN, maxRss: 5000 }];
    for (const t of [0, 100, 200]) sampler.sample(t);
    expect(reader.keeps).toEqual([]);
    expect(sampler.reaped).toBe(0);
    expect(sampler.peaks.rss.source).not.toBe("rusage");
  });

  test("a reader without reapExited is fine", () => {
    const reader = new FakeReader();
    delete reader.reapExited;
    const sampler = new Sampler(reader, SUBREAPER);
    reader.spawn(ROOT, { ppid: ADOPTER, startTime: 10, rss: 100 });
    sampler.attach(ROOT);
    expect(sampler.sample(0)).toMatchObject({ rss: 100, count: 1 });
    expect(sampler.reaped).toBe(0);
  });

  test("before attach, nothing is reaped", () => {
    const reader = new FakeReader();
    const sampler = new Sampler(reader, SUBREAPER);
    reader.toReap = [{ pid: ORPHAN, maxRss: 5000 }];
    sampler.sample(0);
    expect(reader.keeps).toEqual([]);
    expect(sampler.reaped).toBe(0);
  });
});
