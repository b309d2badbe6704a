import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CgroupMembership,
  type CgroupMount,
  cgroupCandidates,
  cgroupDirectory,
  limitFiles,
  parseCgroupMounts,
  parseProcCgroup,
} from "../../../src/platform/linux/cgroup.ts";

// cgroup-v1.txt and mountinfo-v1.txt are /proc/self/cgroup and /proc/self/mountinfo
// captured on a Linux host whose controllers are all on cgroup v1 hierarchies (the
// memory one holding us in a sub-cgroup); like most such hosts it also mounts an empty
// cgroup2 hierarchy (/sys/fs/cgroup/unified), hence the "0::/" line.
const fixture = (name: string) => readFileSync(join(import.meta.dir, "../../fixtures/proc", name), "latin1");

const V1_MEMORY_PATH = "/process_api/9d83604dc349e35d4dac4c51f1b604c4";

/** A realistic cgroup2 mountinfo line (systemd, unified layout). */
const V2_LINE = "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot";

const v2Mount = (root = "/", mountPoint = "/sys/fs/cgroup"): CgroupMount => ({
  root,
  mountPoint,
  fsType: "cgroup2",
  superOptions: ["rw", "nsdelegate"],
});
const v1Mount = (controller: string, root = "/"): CgroupMount => ({
  root,
  mountPoint: `/sys/fs/cgroup/${controller}`,
  fsType: "cgroup",
  superOptions: ["rw", controller],
});

describe("parseProcCgroup", () => {
  test("a real v1 file: every controller to its path, the empty unified hierarchy too", () => {
    const membership = parseProcCgroup(fixture("cgroup-v1.txt"));
    expect(membership.unified).toBe("/");
    expect(Object.fromEntries(membership.controllers)).toEqual({
      "name=systemd": "/",
      pids: "/",
      blkio: "/",
      freezer: "/",
      devices: "/",
      memory: V1_MEMORY_PATH,
      cpuset: "/",
      cpuacct: "/",
      cpu: "/",
    });
  });

  test("a v1-only file has no unified path", () => {
    const membership = parseProcCgroup("4:memory:/a/b\n1:cpu:/\n");
    expect(membership.unified).toBeUndefined();
    expect(membership.controllers.get("memory")).toBe("/a/b");
    expect(membership.controllers.size).toBe(2);
  });

  test("a pure v2 file: only the unified path", () => {
    const membership = parseProcCgroup("0::/user.slice/user-1000.slice/session-2.scope\n");
    expect(membership.unified).toBe("/user.slice/user-1000.slice/session-2.scope");
    expect(membership.controllers.size).toBe(0);
  });

  test("a hybrid file: both", () => {
    const membership = parseProcCgroup("5:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/docker/abc\n");
    expect(membership.unified).toBe("/docker/abc");
    expect(membership.controllers.get("memory")).toBe("/docker/abc");
    expect(membership.controllers.get("name=systemd")).toBe("/docker/abc");
  });

  test("comma-joined controllers each get the path", () => {
    const membership = parseProcCgroup("3:cpu,cpuacct:/x\n2:net_cls,net_prio:/y\n");
    expect(Object.fromEntries(membership.controllers)).toEqual({ cpu: "/x", cpuacct: "/x", net_cls: "/y", net_prio: "/y" });
    expect(membership.unified).toBeUndefined();
  });

  test("a path holding colons is kept whole", () => {
    expect(parseProcCgroup("0::/a:b:c\n").unified).toBe("/a:b:c");
    expect(parseProcCgroup("4:memory:/x:y\n").controllers.get("memory")).toBe("/x:y");
  });

  test("blank and malformed lines are skipped", () => {
    const membership = parseProcCgroup("\n\n4:memory:/m\n\nnonsense\n7:only-one-colon\n\n0::/u\n\n");
    expect(membership.unified).toBe("/u");
    expect(Object.fromEntries(membership.controllers)).toEqual({ memory: "/m" });
  });

  test("an empty file: nothing", () => {
    const membership = parseProcCgroup("");
    expect(membership.unified).toBeUndefined();
    expect(membership.controllers.size).toBe(0);
  });
});

describe("parseCgroupMounts", () => {
  test("a real v1 mountinfo: only the cgroup mounts, in order", () => {
    const mounts = parseCgroupMounts(fixture("mountinfo-v1.txt"));
    // proc, sysfs, devtmpfs, tmpfs (including the tmpfs on /sys/fs/cgroup itself), ext4... are not cgroups.
    expect(mounts.map((m) => [m.fsType, m.mountPoint])).toEqual([
      ["cgroup", "/sys/fs/cgroup/cpu"],
      ["cgroup", "/sys/fs/cgroup/cpuacct"],
      ["cgroup", "/sys/fs/cgroup/cpuset"],
      ["cgroup", "/sys/fs/cgroup/memory"],
      ["cgroup", "/sys/fs/cgroup/devices"],
      ["cgroup", "/sys/fs/cgroup/freezer"],
      ["cgroup", "/sys/fs/cgroup/blkio"],
      ["cgroup", "/sys/fs/cgroup/pids"],
      ["cgroup", "/sys/fs/cgroup/systemd"],
      ["cgroup2", "/sys/fs/cgroup/unified"],
    ]);
    expect(mounts.every((m) => m.root === "/")).toBe(true);
    expect(mounts.find((m) => m.mountPoint === "/sys/fs/cgroup/memory")).toEqual({
      root: "/",
      mountPoint: "/sys/fs/cgroup/memory",
      fsType: "cgroup",
      superOptions: ["rw", "memory"],
    });
    expect(mounts.find((m) => m.mountPoint === "/sys/fs/cgroup/systemd")?.superOptions).toEqual(["rw", "name=systemd"]);
  });

  test("a v2 line with optional fields before the separator", () => {
    expect(parseCgroupMounts(`${V2_LINE}\n`)).toEqual([
      {
        root: "/",
        mountPoint: "/sys/fs/cgroup",
        fsType: "cgroup2",
        superOptions: ["rw", "nsdelegate", "memory_recursiveprot"],
      },
    ]);
  });

  test("several optional fields, or none", () => {
    const text = [
      "40 30 0:37 / /a rw shared:1 master:2 propagate_from:3 - cgroup2 cgroup2 rw",
      "41 30 0:38 / /b rw - cgroup cgroup rw,memory",
    ].join("\n");
    expect(parseCgroupMounts(text).map((m) => [m.mountPoint, m.fsType, m.superOptions])).toEqual([
      ["/a", "cgroup2", ["rw"]],
      ["/b", "cgroup", ["rw", "memory"]],
    ]);
  });

  test("a container's mount: the root field is the cgroup mounted, not /", () => {
    const line = "1240 1232 0:31 /docker/abc /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:15 - cgroup cgroup rw,memory";
    expect(parseCgroupMounts(line)).toEqual([
      { root: "/docker/abc", mountPoint: "/sys/fs/cgroup/memory", fsType: "cgroup", superOptions: ["rw", "memory"] },
    ]);
  });

  test("escaped characters in the root and mount point are unescaped", () => {
    const line = "50 24 0:40 /my\\040group /mnt/cgroup\\040v2\\011tab\\134back - cgroup2 cgroup2 rw";
    const [mount] = parseCgroupMounts(line);
    expect(mount?.root).toBe("/my group");
    expect(mount?.mountPoint).toBe("/mnt/cgroup v2\ttab\\back");
  });

  test("non-cgroup lines are ignored, even ones that mention cgroups", () => {
    const text = [
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
      "60 26 0:50 / /srv/cgroup rw - ext4 /dev/cgroup rw",
      "61 26 0:51 / /srv/x rw - fuse.cgroupfs cgroup rw",
      V2_LINE,
    ].join("\n");
    expect(parseCgroupMounts(text).map((m) => m.mountPoint)).toEqual(["/sys/fs/cgroup"]);
  });

  test("empty text or lines without a separator: nothing", () => {
    expect(parseCgroupMounts("")).toEqual([]);
    expect(parseCgroupMounts("\n\n")).toEqual([]);
    expect(parseCgroupMounts("35 24 0:30 / /sys/fs/cgroup rw cgroup2 cgroup2 rw")).toEqual([]);
  });
});

describe("cgroupDirectory", () => {
  test("a hierarchy mounted from its root: mount point + path", () => {
    expect(cgroupDirectory(v2Mount(), "/user.slice/session-2.scope")).toBe("/sys/fs/cgroup/user.slice/session-2.scope");
    expect(cgroupDirectory(v1Mount("memory"), V1_MEMORY_PATH)).toBe(`/sys/fs/cgroup/memory${V1_MEMORY_PATH}`);
  });

  // No trailing slash: cgroupCandidates compares it with the mount point.
  test("the root cgroup of a hierarchy mounted from its root is the mount point itself", () => {
    expect(cgroupDirectory(v2Mount(), "/")).toBe("/sys/fs/cgroup");
  });

  test("the root cgroup of a hierarchy mounted from its root is at the mount point", () => {
    expect(cgroupDirectory(v2Mount(), "/")?.replace(/\/$/, "")).toBe("/sys/fs/cgroup");
  });

  test("a hierarchy mounted from a sub-cgroup: the path is taken relative to it", () => {
    const mount = v1Mount("memory", "/docker/abc");
    expect(cgroupDirectory(mount, "/docker/abc")).toBe("/sys/fs/cgroup/memory");
    expect(cgroupDirectory(mount, "/docker/abc/job")).toBe("/sys/fs/cgroup/memory/job");
  });

  test("a path outside the mounted sub-cgroup is not visible", () => {
    const mount = v2Mount("/docker/abc");
    expect(cgroupDirectory(mount, "/")).toBeUndefined();
    expect(cgroupDirectory(mount, "/docker")).toBeUndefined();
    expect(cgroupDirectory(mount, "/docker/other")).toBeUndefined();
    // A sibling whose name merely starts with the root's is outside too.
    expect(cgroupDirectory(mount, "/docker/abcdef")).toBeUndefined();
  });
});

describe("cgroupCandidates", () => {
  const membership = (unified: string | undefined, memory?: string): CgroupMembership => ({
    ...(unified !== undefined && { unified }),
    controllers: new Map(memory === undefined ? [] : [["memory", memory]]),
  });

  test("a v1-only machine: one v1 candidate, our memory cgroup", () => {
    const realMembership = parseProcCgroup(fixture("cgroup-v1.txt"));
    delete realMembership.unified;
    const realMounts = parseCgroupMounts(fixture("mountinfo-v1.txt")).filter((m) => m.fsType === "cgroup");
    const home = `/sys/fs/cgroup/memory${V1_MEMORY_PATH}`;
    expect(cgroupCandidates(realMembership, realMounts)).toEqual([{ version: 1, parent: home, home }]);
  });

  test("v1: the memory hierarchy is found among the others, whatever their order", () => {
    const mounts = [v1Mount("cpu"), v1Mount("pids"), v1Mount("memory"), v1Mount("blkio")];
    expect(cgroupCandidates(membership(undefined, "/a"), mounts)).toEqual([
      { version: 1, parent: "/sys/fs/cgroup/memory/a", home: "/sys/fs/cgroup/memory/a" },
    ]);
  });

  test("v1 without a memory hierarchy mounted, or without a memory line: nothing", () => {
    expect(cgroupCandidates(membership(undefined, "/a"), [v1Mount("cpu")])).toEqual([]);
    expect(cgroupCandidates(membership(undefined), [v1Mount("memory")])).toEqual([]);
  });

  test("a v2 machine: our own cgroup, then its parent", () => {
    const mounts = parseCgroupMounts(V2_LINE);
    const home = "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope";
    expect(cgroupCandidates(parseProcCgroup("0::/user.slice/user-1000.slice/session-2.scope\n"), mounts)).toEqual([
      { version: 2, parent: home, home },
      { version: 2, parent: "/sys/fs/cgroup/user.slice/user-1000.slice", home },
    ]);
  });

  test("v2 at the mount root: only our own cgroup (its parent is not mounted)", () => {
    const mounts = parseCgroupMounts(V2_LINE);
    const candidates = cgroupCandidates(membership("/"), mounts);
    expect(candidates.map((c) => c.parent)).toEqual(["/sys/fs/cgroup"]);
    expect(candidates).toEqual([{ version: 2, parent: "/sys/fs/cgroup", home: "/sys/fs/cgroup" }]);
  });

  test("v2 in a container whose mount is our cgroup: only our own cgroup", () => {
    const mounts = [v2Mount("/docker/abc")];
    expect(cgroupCandidates(membership("/docker/abc"), mounts)).toEqual([
      { version: 2, parent: "/sys/fs/cgroup", home: "/sys/fs/cgroup" },
    ]);
  });

  test("v2 outside the mounted part of the hierarchy: nothing", () => {
    expect(cgroupCandidates(membership("/elsewhere"), [v2Mount("/docker/abc")])).toEqual([]);
  });

  test("a hybrid machine: the v2 candidates first, then v1", () => {
    const mounts = [v1Mount("memory"), v2Mount("/", "/sys/fs/cgroup/unified"), v1Mount("cpu")];
    const home2 = "/sys/fs/cgroup/unified/app/job";
    expect(cgroupCandidates(membership("/app/job", "/app/job"), mounts)).toEqual([
      { version: 2, parent: home2, home: home2 },
      { version: 2, parent: "/sys/fs/cgroup/unified/app", home: home2 },
      { version: 1, parent: "/sys/fs/cgroup/memory/app/job", home: "/sys/fs/cgroup/memory/app/job" },
    ]);
  });

  test("the captured hybrid host: v2 first, the v1 memory cgroup last", () => {
    const candidates = cgroupCandidates(parseProcCgroup(fixture("cgroup-v1.txt")), parseCgroupMounts(fixture("mountinfo-v1.txt")));
    const home1 = `/sys/fs/cgroup/memory${V1_MEMORY_PATH}`;
    expect(candidates[0]?.version).toBe(2);
    expect(candidates[0]?.home.replace(/\/$/, "")).toBe("/sys/fs/cgroup/unified");
    expect(candidates.at(-1)).toEqual({ version: 1, parent: home1, home: home1 });
  });

  test("the captured hybrid host: its empty unified root, then the v1 memory cgroup", () => {
    const candidates = cgroupCandidates(parseProcCgroup(fixture("cgroup-v1.txt")), parseCgroupMounts(fixture("mountinfo-v1.txt")));
    const home1 = `/sys/fs/cgroup/memory${V1_MEMORY_PATH}`;
    expect(candidates).toEqual([
      { version: 2, parent: "/sys/fs/cgroup/unified", home: "/sys/fs/cgroup/unified" },
      { version: 1, parent: home1, home: home1 },
    ]);
  });

  test("a v2 mount without a unified line in /proc/PID/cgroup is skipped", () => {
    expect(cgroupCandidates(membership(undefined, "/m"), [v2Mount(), v1Mount("memory")])).toEqual([
      { version: 1, parent: "/sys/fs/cgroup/memory/m", home: "/sys/fs/cgroup/memory/m" },
    ]);
  });
});

describe("limitFiles (--limit)", () => {
  test("v1: the memory limit first (memsw may not go below it), memsw optional", () => {
    expect(limitFiles(1, 100_000_000)).toEqual([
      ["memory.limit_in_bytes", "100000000", false],
      ["memory.memsw.limit_in_bytes", "100000000", true],
    ]);
  });

  test("v2: memory.max, and no swap at all (memory.swap.max 0, optional without swap accounting)", () => {
    expect(limitFiles(2, 7 * 2 ** 30)).toEqual([
      ["memory.max", String(7 * 2 ** 30), false],
      ["memory.swap.max", "0", true],
    ]);
  });
});
