import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseChildren, parseLastPid, parseStat, parseStatusMemory } from "../../../src/platform/linux/parse.ts";

// Fixtures are real /proc text captured on Linux (weird-name-stat.txt is self-stat.txt
// with the name replaced by one holding spaces and parentheses).
const fixture = (name: string) => readFileSync(join(import.meta.dir, "../../fixtures/proc", name), "latin1");

describe("parseStat", () => {
  test("a real process", () => {
    expect(parseStat(fixture("self-stat.txt"))).toEqual({
      name: "cat",
      state: "R",
      ppid: 5300,
      pgrp: 5300,
      tpgid: -1,
      startTime: 57299,
      vsizeBytes: 3133440,
      rssPages: 388,
    });
  });

  test("a kernel thread", () => {
    const stat = parseStat(fixture("kthread-stat.txt"));
    expect(stat).toMatchObject({ name: "kthreadd", state: "S", ppid: 0, startTime: 21, vsizeBytes: 0, rssPages: 0 });
  });

  test("a zombie", () => {
    expect(parseStat(fixture("zombie-stat.txt"))).toMatchObject({ name: "python3", state: "Z", ppid: 6790, startTime: 62201 });
  });

  test("a name with spaces and parentheses", () => {
    expect(parseStat(fixture("weird-name-stat.txt"))).toEqual({
      name: "my (weird) name",
      state: "R",
      ppid: 5300,
      pgrp: 5300,
      tpgid: -1,
      startTime: 57299,
      vsizeBytes: 3133440,
      rssPages: 388,
    });
  });

  test("a name that looks like the fields after it", () => {
    const line = fixture("self-stat.txt").replace("(cat)", "(x) S 1 2 3 (y)");
    expect(parseStat(line)).toMatchObject({ name: "x) S 1 2 3 (y", state: "R", ppid: 5300, startTime: 57299 });
  });

  test("malformed input is undefined", () => {
    expect(parseStat("")).toBeUndefined();
    expect(parseStat("1234 cat R 1 1 1 0 -1")).toBeUndefined();
    expect(parseStat("1234 (cat)")).toBeUndefined();
    expect(parseStat("1234 (cat) R")).toBeUndefined();
    expect(parseStat("1234 )cat( R 1 1 1 0 -1")).toBeUndefined();
  });
});

describe("parseStatusMemory", () => {
  const zeros = { rss: 0, vsz: 0, hwm: 0, peak: 0 };

  test("a real process: kB become bytes", () => {
    expect(parseStatusMemory(fixture("self-status.txt"))).toMatchObject({
      rss: 1552 * 1024,
      vsz: 3060 * 1024,
      hwm: 1552 * 1024,
      peak: 3060 * 1024,
      zombie: false,
    });
  });

  test("VmSwap is read when present (0 when missing, as for kernel threads)", () => {
    const text = "Name:\tx\nVmRSS:\t    10 kB\nVmSwap:\t  2048 kB\nThreads:\t1\n";
    expect(parseStatusMemory(text).swap).toBe(2048 * 1024);
    expect(parseStatusMemory("Name:\tx\nVmRSS:\t 10 kB\n").swap).toBe(0);
  });

  test("each Vm line goes to its own field", () => {
    const text = "Name:\tx\nVmPeak:\t    40 kB\nVmSize:\t    30 kB\nVmLck:\t 7 kB\nVmHWM:\t    20 kB\nVmRSS:\t    10 kB\nVmData:\t 99 kB\n";
    expect(parseStatusMemory(text)).toMatchObject({ rss: 10 * 1024, vsz: 30 * 1024, hwm: 20 * 1024, peak: 40 * 1024 });
  });

  test("a kernel thread has no Vm lines: zeros", () => {
    expect(parseStatusMemory(fixture("kthread-status.txt"))).toMatchObject({ ...zeros, zombie: false });
  });

  test("a zombie (real, unreaped child) has no Vm lines and is flagged", () => {
    expect(parseStatusMemory(fixture("zombie-status.txt"))).toMatchObject({ ...zeros, zombie: true });
  });

  test("empty text: zeros", () => {
    expect(parseStatusMemory("")).toMatchObject(zeros);
  });
});

describe("parseLastPid", () => {
  test("the last field of a real /proc/loadavg", () => {
    expect(parseLastPid(fixture("loadavg.txt"))).toBe(5305);
    expect(parseLastPid("0.00 0.01 0.05 1/234 98765\n")).toBe(98765);
  });

  test("malformed input is undefined", () => {
    expect(parseLastPid("")).toBeUndefined();
    expect(parseLastPid("\n")).toBeUndefined();
    expect(parseLastPid("0.00 0.01 0.05 1/234")).toBeUndefined();
    expect(parseLastPid("0.00 0.01 0.05 1/234 abc")).toBeUndefined();
    expect(parseLastPid("0.00 0.01 0.05 1/234 0")).toBeUndefined();
  });
});

describe("parseChildren", () => {
  test("space-separated pids with the kernel's trailing space", () => {
    expect(parseChildren("123 456 ")).toEqual([123, 456]);
    expect(parseChildren("7 ")).toEqual([7]);
  });

  test("no children: an empty list", () => {
    expect(parseChildren("")).toEqual([]);
    expect(parseChildren(" ")).toEqual([]);
  });

  test("a trailing newline is not part of the last pid", () => {
    expect(parseChildren("123 456\n")).toEqual([123, 456]);
  });

  // The kernel writes "%d " per child with no newline; a newline must still not read as pid 0.
  test("a newline after the trailing space, or alone, is no pid", () => {
    expect(parseChildren("123 456 \n")).toEqual([123, 456]);
    expect(parseChildren("\n")).toEqual([]);
  });

  test("anything that is not a whole number is dropped", () => {
    expect(parseChildren("12 abc 3.5 34 ")).toEqual([12, 34]);
  });
});
