import { describe, expect, test } from "bun:test";
import type { Member } from "../../src/monitor/tree.ts";
import { summarizeProcesses } from "../../src/monitor/process-summary.ts";

const member = (pid: number, ppid: number, firstSeenMs: number, extra: Partial<Member> = {}): Member => ({
  pid, ppid, name: `p${pid}`, startTime: pid, alive: false, rss: 0, vsz: 0, peakRss: pid * 10, peakVsz: 0,
  readIn: 0, verifiedAt: undefined, firstSeenMs, lastSeenMs: firstSeenMs + 5, ...extra,
});

describe("summarizeProcesses", () => {
  test("parents first, children indented, orphans and strangers under the command", () => {
    const members = [member(10, 1, 0), member(30, 20, 2), member(20, 10, 1), member(40, 999, 3), member(50, 30, 4, { rssAtPeak: 7 })];
    const summary = summarizeProcesses(members);
    expect(summary.map((p) => [p.pid, p.depth])).toEqual([[10, 0], [20, 1], [30, 2], [50, 3], [40, 1]]);
    expect(summary.find((p) => p.pid === 50)?.rssAtPeak).toBe(7);
    expect(summary.find((p) => p.pid === 10)?.rssAtPeak).toBeUndefined();
  });

  test("a reused pid's parent is the process that held it first", () => {
    const members = [member(10, 1, 0), member(20, 10, 1), member(30, 20, 2), member(20, 10, 50), member(31, 20, 60)];
    expect(summarizeProcesses(members).map((p) => [p.pid, p.depth, p.firstSeenMs])).toEqual([
      [10, 0, 0], [20, 1, 1], [30, 2, 2], [20, 1, 50], [31, 2, 60],
    ]);
  });

  test("nothing seen, nothing listed", () => {
    expect(summarizeProcesses([])).toEqual([]);
  });
});
