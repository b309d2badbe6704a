import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseMaxProcesses, parsePidsMax, pidsMaxFiles, tightestLimit } from "../../../../src/platform/linux/runtime/threads.ts";

// fitRuntimeToProcessLimits is never called here: under a tight limit it execve()s.

/** /proc/self/limits as captured on a Linux host (column padding kept, trailing spaces too). */
const LIMITS = [
  "Limit                     Soft Limit           Hard Limit           Units     ",
  "Max cpu time              unlimited            unlimited            seconds   ",
  "Max file size             unlimited            unlimited            bytes     ",
  "Max data size             unlimited            unlimited            bytes     ",
  "Max stack size            8388608              unlimited            bytes     ",
  "Max core file size        0                    unlimited            bytes     ",
  "Max resident set          unlimited            unlimited            bytes     ",
  "Max processes             96364                96364                processes ",
  "Max open files            20000                20000                files     ",
  "Max locked memory         8388608              8388608              bytes     ",
  "Max address space         unlimited            unlimited            bytes     ",
  "Max file locks            unlimited            unlimited            locks     ",
  "Max pending signals       96364                96364                signals   ",
  "Max msgqueue size         819200               819200               bytes     ",
  "Max nice priority         0                    0                    ",
  "Max realtime priority     0                    0                    ",
  "Max realtime timeout      unlimited            unlimited            us        ",
  "",
].join("\n");

const withMaxProcesses = (soft: string, hard: string) =>
  LIMITS.replace(/^Max processes .*$/m, `Max processes             ${soft.padEnd(21)}${hard.padEnd(21)}processes `);

const fixture = (name: string) => readFileSync(join(import.meta.dir, "../../../fixtures/proc", name), "latin1");

describe("parseMaxProcesses", () => {
  test("the soft limit of a real file, not the hard one nor another row's", () => {
    expect(parseMaxProcesses(LIMITS)).toBe(96364);
    expect(parseMaxProcesses(withMaxProcesses("100", "4096"))).toBe(100);
    expect(parseMaxProcesses(withMaxProcesses("0", "0"))).toBe(0);
  });

  test("unlimited is no limit", () => {
    expect(parseMaxProcesses(withMaxProcesses("unlimited", "unlimited"))).toBeUndefined();
    // A soft limit of "unlimited" with a numeric hard one still means no soft limit.
    expect(parseMaxProcesses(withMaxProcesses("unlimited", "500"))).toBeUndefined();
  });

  test("no such row, or no text", () => {
    expect(parseMaxProcesses(LIMITS.replace(/^Max processes .*\n/m, ""))).toBeUndefined();
    expect(parseMaxProcesses("")).toBeUndefined();
  });
});

describe("parsePidsMax", () => {
  test("a number, with the kernel's line break", () => {
    expect(parsePidsMax("100\n")).toBe(100);
    expect(parsePidsMax("4915\n")).toBe(4915);
  });

  test('"max" is no limit', () => {
    expect(parsePidsMax("max\n")).toBeUndefined();
    expect(parsePidsMax("max")).toBeUndefined();
  });
});

describe("pidsMaxFiles", () => {
  test("cgroup v1: every level of the pids hierarchy, deepest first", () => {
    expect(pidsMaxFiles("5:pids:/a/b\n")).toEqual([
      "/sys/fs/cgroup/pids/a/b/pids.max",
      "/sys/fs/cgroup/pids/a/pids.max",
      "/sys/fs/cgroup/pids/pids.max",
    ]);
  });

  test("cgroup v2: the same levels under the unified mount", () => {
    expect(pidsMaxFiles("0::/user.slice/x\n")).toEqual([
      "/sys/fs/cgroup/user.slice/x/pids.max",
      "/sys/fs/cgroup/user.slice/pids.max",
      "/sys/fs/cgroup/pids.max",
    ]);
  });

  test("a cgroup at the root: the mount's own file only", () => {
    expect(pidsMaxFiles("0::/\n")).toEqual(["/sys/fs/cgroup/pids.max"]);
    expect(pidsMaxFiles("8:pids:/\n")).toEqual(["/sys/fs/cgroup/pids/pids.max"]);
  });

  test("other controllers give nothing, named hierarchies included", () => {
    expect(pidsMaxFiles("4:memory:/process_api/x\n9:name=systemd:/user.slice\n1:cpu,cpuacct:/a\n")).toEqual([]);
    expect(pidsMaxFiles("")).toEqual([]);
    expect(pidsMaxFiles("not a cgroup line\n")).toEqual([]);
  });

  test("pids co-mounted with another controller is still the pids hierarchy", () => {
    expect(pidsMaxFiles("3:cpu,pids:/a\n")).toEqual(["/sys/fs/cgroup/pids/a/pids.max", "/sys/fs/cgroup/pids/pids.max"]);
  });

  test("a real hybrid host's file: the v1 pids root, then the empty unified hierarchy's root", () => {
    expect(pidsMaxFiles(fixture("cgroup-v1.txt"))).toEqual(["/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max"]);
  });

  test("another mount point", () => {
    expect(pidsMaxFiles("0::/a\n", "/mnt/cg")).toEqual(["/mnt/cg/a/pids.max", "/mnt/cg/pids.max"]);
  });
});

describe("tightestLimit", () => {
  test("the smallest limit wins, whichever kind it is", () => {
    expect(tightestLimit({ maxProcesses: 500, root: false, pidsMax: [undefined, 200, 1000] })).toBe(200);
    expect(tightestLimit({ maxProcesses: 50, root: false, pidsMax: [200, undefined] })).toBe(50);
  });

  test("RLIMIT_NPROC does not bind root; its pids cgroup does", () => {
    expect(tightestLimit({ maxProcesses: 50, root: true, pidsMax: [] })).toBeUndefined();
    expect(tightestLimit({ maxProcesses: 50, root: true, pidsMax: [300] })).toBe(300);
    expect(tightestLimit({ maxProcesses: 50, root: false, pidsMax: [] })).toBe(50);
  });

  test("no limit at all", () => {
    expect(tightestLimit({ root: false, pidsMax: [] })).toBeUndefined();
    expect(tightestLimit({ root: false, pidsMax: [undefined, undefined] })).toBeUndefined();
  });

  test("a limit of 0 is a limit, not none", () => {
    expect(tightestLimit({ maxProcesses: 0, root: false, pidsMax: [100] })).toBe(0);
  });
});
