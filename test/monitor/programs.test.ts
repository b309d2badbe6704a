import { describe, expect, test } from "bun:test";
import type { Member } from "../../src/monitor/tree.ts";
import { lifetimeMs, ProgramsMonitor } from "../../src/monitor/programs.ts";

const MiB = 1024 * 1024;

function member(pid: number, name: string, rss: number, extra: Partial<Member> = {}): Member {
  return { pid, ppid: 1, startTime: pid, name, alive: true, rss, vsz: rss, peakRss: rss, peakVsz: rss, readIn: 0, verifiedAt: undefined, firstSeenMs: 0, lastSeenMs: 0, ...extra };
}

describe("ProgramsMonitor", () => {
  test("sums each program's live processes at a sample; the top programs and the rest", () => {
    const monitor = new ProgramsMonitor();
    monitor.sample([member(1, "make", 5 * MiB), member(2, "cc1", 100 * MiB), member(3, "cc1", 50 * MiB), member(4, "ld", 20 * MiB), member(5, "gone", 99 * MiB, { alive: false })]);
    expect(monitor.top(2)).toEqual({
      programs: [
        { name: "cc1", rss: 150 * MiB },
        { name: "ld", rss: 20 * MiB },
      ],
      otherRss: 5 * MiB,
    });
  });

  test("per program: processes, largest process, share of the tree's peak, own peak, process-seconds", () => {
    const monitor = new ProgramsMonitor();
    const a = member(2, "cc1", 100 * MiB, { peakRss: 120 * MiB, rssAtPeak: 100 * MiB, firstSeenMs: 0, lastSeenMs: 2000 });
    const b = member(3, "cc1", 60 * MiB, { peakRss: 60 * MiB, rssAtPeak: 60 * MiB, firstSeenMs: 500, lastSeenMs: 1500 });
    const c = member(4, "cat", 1 * MiB, { forkedMs: 10, exitedMs: 10.5, eventOnly: true, alive: false });
    monitor.sample([a, b]);
    monitor.sample([{ ...a, rss: 120 * MiB }]);
    const list = monitor.finish([a, b, c]);
    expect(list.map((p) => p.name)).toEqual(["cc1", "cat"]);
    expect(list[0]).toEqual({ name: "cc1", processes: 2, maxProcessPeakBytes: 120 * MiB, rssAtPeakBytes: 160 * MiB, peakRssBytes: 160 * MiB, processSeconds: 3 });
    // Seen only through the kernel's events: its own peak stands for the program's.
    expect(list[1]).toEqual({ name: "cat", processes: 1, maxProcessPeakBytes: MiB, rssAtPeakBytes: 0, peakRssBytes: MiB, processSeconds: 0.001 });
  });

  test("lifetime: fork to exit where the kernel said, else first to last sample", () => {
    expect(lifetimeMs(member(1, "x", 0, { firstSeenMs: 100, lastSeenMs: 400 }))).toBe(300);
    expect(lifetimeMs(member(1, "x", 0, { firstSeenMs: 100, lastSeenMs: 400, forkedMs: 90, exitedMs: 450 }))).toBe(360);
  });
});
