import { describe, expect, test } from "bun:test";
import { inInitPidNamespace, procProblem } from "../../../src/platform/linux/namespace.ts";

describe("procProblem", () => {
  test("a /proc that names us by our own pid is trusted", () => {
    expect(procProblem(4242, "4242")).toBeUndefined();
    expect(procProblem(1, "1")).toBeUndefined(); // a namespace with its own /proc
  });

  test("the host's /proc inside a new pid namespace: both pids named, and the fix", () => {
    expect(procProblem(1, "4242")).toBe(
      "/proc belongs to another pid namespace (it calls this process 4242, which is pid 1 here): " +
        "mount a /proc for this namespace (unshare --mount-proc, or mount -t proc proc /proc) or run peak-mem outside it",
    );
  });

  test("no /proc at all", () => {
    expect(procProblem(7, undefined)).toBe("/proc is not mounted: peak-mem reads process memory from it");
    expect(procProblem(7, undefined, false)).toBe("/proc is not mounted: peak-mem reads process memory from it");
  });

  test("a /proc of a namespace that cannot see us has no self link", () => {
    const problem = procProblem(7, undefined, true);
    expect(problem).toStartWith("/proc belongs to another pid namespace (it has no pid for this process, which is pid 7 here): ");
    expect(problem).toContain("unshare --mount-proc");
  });

  test("a self link that is not a pid: not a proc file system", () => {
    expect(procProblem(7, "/somewhere")).toBe("/proc is not a proc file system (/proc/self points to '/somewhere'): peak-mem reads process memory from it");
    expect(procProblem(7, "07")).toStartWith("/proc is not a proc file system");
    expect(procProblem(7, "")).toStartWith("/proc is not a proc file system");
  });
});

describe("inInitPidNamespace", () => {
  test("the init namespace's fixed inode, any other, and a kernel without pid namespaces", () => {
    expect(inInitPidNamespace("pid:[4026531836]")).toBe(true);
    expect(inInitPidNamespace("pid:[4026532299]\n")).toBe(false);
    expect(inInitPidNamespace("net:[4026531836]")).toBe(false);
    expect(inInitPidNamespace(undefined)).toBe(true);
  });

  test("this machine's answer agrees with whether pid 2 is the kernel's thread starter (seen only in the init namespace)", () => {
    const { readlinkSync, readFileSync, existsSync } = require("node:fs");
    const kthreadd = existsSync("/proc/2/comm") && readFileSync("/proc/2/comm", "utf8").trim() === "kthreadd";
    expect(inInitPidNamespace(readlinkSync("/proc/self/ns/pid"))).toBe(kthreadd);
  });
});
