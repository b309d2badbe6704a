import { describe, expect, test } from "bun:test";
import { Sampler } from "../../src/monitor/sampler.ts";
import type { TreeOptions } from "../../src/monitor/tree.ts";
import type { ReapedProcess } from "../../src/platform/types.ts";
import { FakeReader } from "./fake-reader.ts";

/**
 * The shared process table (fake-reader.ts), plus reapExited: each call records the `keep` it
 * was given and hands out what `toReap` holds, once. exit() makes a process a zombie, as the
 * kernel does: it reads as gone until it is reaped.
 */
class ReapingReader extends FakeReader {
  keeps: (readonly number[])[] = [];
  toReap: ReapedProcess[] = [];
  private readonly zombies = new Set<number>();

  constructor() {
    super(99);
  }

  exit(...reaped: ReapedProcess[]): void {
    for (const process of reaped) this.zombies.add(process.pid);
    this.toReap.push(...reaped);
  }

  override memory(pid: number) {
    return this.zombies.has(pid) ? undefined : super.memory(pid);
  }

  reapExited?: (keep: readonly number[]) => readonly ReapedProcess[] = (keep) => {
    this.keeps.push(keep);
    const reaped = this.toReap;
    this.toReap = [];
    for (const { pid } of reaped) {
      this.table.delete(pid);
      this.zombies.delete(pid);
    }
    return reaped;
  };
}

const ADOPTER = 50; // peak-mem itself
const ROOT = 100; // the command
const ORPHAN = 300; // a double-forked daemon of the command, adopted by peak-mem
const SUBREAPER: TreeOptions = { children: true, adopterPid: ADOPTER };

/** A sampler with the command (RSS 100) and an orphan of it (RSS 10), both found by one sample. */
function started(options: TreeOptions = SUBREAPER) {
  const reader = new ReapingReader();
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

    reader.exit({ pid: ORPHAN, maxRss: 5000 });
    sampler.sample(100);
    expect(reader.keeps.at(-1)).toEqual([ROOT]); // the command itself is left to the runtime
    expect(sampler.peaks.rss).toEqual({ bytes: 5000, source: "rusage" });
    expect(sampler.reaped).toBe(1);
    expect(orphan()?.alive).toBe(false);
    expect(orphan()?.peakRss).toBeGreaterThanOrEqual(5000);

    // Handed out once: later samples reap nothing more and keep the peak.
    expect(sampler.sample(200)).toMatchObject({ rss: 100, count: 1 });
    expect(sampler.reaped).toBe(1);
    expect(sampler.peaks.rss).toEqual({ bytes: 5000, source: "rusage" });
  });

  test("reapExited is asked when the tree changed, at every tenth sample of a quiet one, at every sample once the command is gone; always to keep the root", () => {
    const { reader, sampler } = started();
    sampler.sample(0); // both found: a change
    expect(reader.keeps).toEqual([[ROOT]]);
    for (let t = 1; t <= 9; t++) sampler.sample(t);
    expect(reader.keeps).toHaveLength(1);
    sampler.sample(10); // the tenth quiet sample
    expect(reader.keeps).toHaveLength(2);
    reader.table.delete(ROOT);
    sampler.sample(11); // the command gone: a change
    sampler.sample(12);
    sampler.sample(13);
    expect(reader.keeps).toEqual([[ROOT], [ROOT], [ROOT], [ROOT], [ROOT]]);
  });

  test("an orphan the tree never knew is reaped within ten samples", () => {
    const { reader, sampler } = started();
    sampler.sample(0);
    reader.toReap = [{ pid: 400, maxRss: 900 }];
    let t = 1;
    while (sampler.reaped === 0 && t <= 10) sampler.sample(t++);
    expect(sampler.reaped).toBe(1);
    expect(sampler.peaks.rss).toEqual({ bytes: 900, source: "rusage" });
  });

  test("started by a spawn helper, both the helper and the command are kept, and the helper is not in the tree", () => {
    const reader = new ReapingReader();
    const sampler = new Sampler(reader, SUBREAPER);
    // The helper is peak-mem's child, as adopted orphans are: it must not be taken for one.
    reader.spawn(77, { ppid: ADOPTER, startTime: 9, rss: 1 });
    reader.spawn(ROOT, { ppid: 77, startTime: 10, rss: 100 });
    sampler.attach(ROOT, 77);
    reader.spawn(ORPHAN, { ppid: ADOPTER, startTime: 11, rss: 10 });
    expect(sampler.sample(0)).toMatchObject({ rss: 110, count: 2 });
    expect(reader.keeps).toEqual([[77, ROOT]]);
    expect(sampler.tree.members.map((member) => member.pid)).toEqual([ROOT, ORPHAN]);
  });

  test("a smaller reaped peak changes neither the peak nor its source", () => {
    const { reader, sampler, orphan } = started();
    sampler.sample(0);
    reader.exit({ pid: ORPHAN, maxRss: 50 });
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
    reader.exit({ pid: ORPHAN, maxRss: 60 });
    sampler.sample(100);
    expect(sampler.reaped).toBe(1);
    expect(orphan()?.peakRss).toBe(80);
  });

  test("several at once, one never seen alive: each counted, the largest peak kept", () => {
    const { reader, sampler, orphan } = started();
    sampler.sample(0);
    const members = sampler.tree.members.length;
    reader.exit(
      { pid: ORPHAN, maxRss: 700 },
      { pid: 400, maxRss: 900 }, // lived and died between two samples
    );
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
    const reader = new ReapingReader();
    delete reader.reapExited;
    const sampler = new Sampler(reader, SUBREAPER);
    reader.spawn(ROOT, { ppid: ADOPTER, startTime: 10, rss: 100 });
    sampler.attach(ROOT);
    expect(sampler.sample(0)).toMatchObject({ rss: 100, count: 1 });
    expect(sampler.reaped).toBe(0);
  });

  test("before attach, nothing is reaped", () => {
    const reader = new ReapingReader();
    const sampler = new Sampler(reader, SUBREAPER);
    reader.toReap = [{ pid: ORPHAN, maxRss: 5000 }];
    sampler.sample(0);
    expect(reader.keeps).toEqual([]);
    expect(sampler.reaped).toBe(0);
  });
});
