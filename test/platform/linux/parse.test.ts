import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { emptyStatusMemory, newStatusLines, parseChildren, parseLastPid, parseLastPidBytes, parseSmapsRollup, parseStat, parseStatusMemory, parseStatusMemoryBytes } from "../../../src/platform/linux/parse.ts";

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

  test("into a result given: every field is set again, only the first `length` bytes count", () => {
    const result = emptyStatusMemory();
    const zombie = Buffer.from(fixture("zombie-status.txt"), "latin1");
    expect(parseStatusMemoryBytes(zombie, zombie.length, result)).toBe(result);
    expect(result).toMatchObject({ ...zeros, zombie: true });
    const buffer = Buffer.alloc(8192, "x");
    const real = Buffer.from(fixture("self-status.txt"), "latin1");
    real.copy(buffer);
    parseStatusMemoryBytes(buffer, real.length, result);
    expect(result).toEqual({ rss: 1552 * 1024, vsz: 3060 * 1024, hwm: 1552 * 1024, peak: 3060 * 1024, swap: 0, zombie: false, threads: 1 });
    // A longer, older reading left in the buffer past `length` is not read.
    buffer.write("Name:\tx\nVmRSS:\t 10 kB\n");
    expect(parseStatusMemoryBytes(buffer, Buffer.byteLength("Name:\tx\nVmRSS:\t 10 kB\n"), result)).toMatchObject({ rss: 10 * 1024, vsz: 0, hwm: 0, threads: 0 });
  });

  test("with the lines of the last read: the same results whatever moved in between", () => {
    const real = fixture("self-status.txt");
    const lines = newStatusLines();
    const parse = (text: string) => parseStatusMemoryBytes(Buffer.from(text, "latin1"), undefined, emptyStatusMemory(), lines);
    const expected = parseStatusMemory(real);
    expect(parse(real)).toEqual(expected);
    expect(parse(real)).toEqual(expected); // found where they were
    // The state line changes length; the lines after it move with it.
    const sleeping = real.replace("State:\tR (running)", "State:\tS (sleeping)");
    expect(parse(sleeping)).toEqual(expected);
    // A line before the memory lines grows: found again by a full scan.
    const grown = real.replace("FDSize:\t256", "FDSize:\t1024").replace("VmRSS:\t    1552 kB", "VmRSS:\t    1600 kB");
    expect(parse(grown)).toEqual({ ...expected, rss: 1600 * 1024 });
    // A value wider than its column shifts only what follows it.
    const wide = grown.replace("VmSize:\t    3060 kB", "VmSize:\t123456789012 kB");
    expect(parse(wide)).toEqual({ ...expected, rss: 1600 * 1024, vsz: 123456789012 * 1024 });
    // The same process as a zombie: its memory lines are gone.
    expect(parse(fixture("zombie-status.txt"))).toMatchObject({ ...zeros, swap: 0, zombie: true });
    expect(parse(real)).toEqual(expected);
    // A renamed process (exec): the name heads the text, everything moves.
    expect(parse(real.replace("Name:\tcat", "Name:\ta-much-longer-name"))).toEqual(expected);
  });

  test("a line that only looks like a key where one was is not taken for it", () => {
    const lines = newStatusLines();
    const text = "Name:\tx\nState:\tS (sleeping)\nVmPeak:\t 4 kB\nVmSize:\t 3 kB\nVmHWM:\t 2 kB\nVmRSS:\t 1 kB\nVmSwap:\t 0 kB\nThreads:\t1\n";
    parseStatusMemoryBytes(Buffer.from(text), undefined, emptyStatusMemory(), lines);
    // Same length and layout, but the key at VmRSS's place is another one now.
    const other = text.replace("VmRSS:\t 1 kB", "VmRSX:\t 9 kB");
    expect(parseStatusMemoryBytes(Buffer.from(other), undefined, emptyStatusMemory(), lines)).toMatchObject({ rss: 0, vsz: 3 * 1024, threads: 1 });
  });

  test("a value at the very end, without its unit or newline", () => {
    expect(parseStatusMemory("VmRSS:\t5").rss).toBe(5 * 1024);
    expect(parseStatusMemory("Threads:\t12").threads).toBe(12);
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

  test("from bytes: only the first `length` count", () => {
    const buffer = Buffer.alloc(64, "7");
    buffer.write("0.00 0.01 0.05 1/234 98765\n");
    expect(parseLastPidBytes(buffer, 27)).toBe(98765);
    expect(parseLastPidBytes(buffer, 25)).toBe(9876);
    expect(parseLastPidBytes(buffer, 0)).toBeUndefined();
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

// smaps-rollup.txt: this machine's own file, with the sizes of a forked child sharing 200 MiB put in.
describe("parseSmapsRollup", () => {
  const fixture = readFileSync(join(import.meta.dir, "../../fixtures/proc/smaps-rollup.txt"), "latin1");

  test("Pss, Rss, Private_Clean + Private_Dirty as USS, and SwapPss, in bytes", () => {
    expect(parseSmapsRollup(fixture)).toEqual({ pss: 23188 * 1024, rss: 206148 * 1024, uss: (88 + 112) * 1024, swapPss: 512 * 1024 });
  });

  test("Pss_Dirty and the other Pss_ lines are not Pss", () => {
    const onlyDirty = fixture.split("\n").filter((line) => !line.startsWith("Pss:")).join("\n");
    expect(parseSmapsRollup(onlyDirty)).toBeUndefined();
  });

  test("an empty file (a zombie, a kernel thread: no mm) has no reading", () => {
    expect(parseSmapsRollup("")).toBeUndefined();
  });

  test("this process's own file parses, with PSS at most RSS", () => {
    const own = readFileSync("/proc/self/smaps_rollup", "latin1");
    const rss = Number(/^Rss:\s+(\d+)/m.exec(own)?.[1]) * 1024;
    const parsed = parseSmapsRollup(own);
    expect(parsed?.pss).toBeGreaterThan(0);
    expect(parsed?.pss).toBeLessThanOrEqual(parsed!.rss);
    // Read a moment after the regex's copy: the same order of size.
    expect(parsed!.rss).toBeGreaterThan(rss / 2);
  });
});
