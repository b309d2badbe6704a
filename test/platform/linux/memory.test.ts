import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  type CgroupLocation,
  createLinuxMemorySources,
  levels,
  locateMemoryCgroup,
  memoryLimits,
  parseKeyed,
  parseLimit,
  parseMemTotal,
  parsePressure,
  type ReadFile,
} from "../../../src/platform/linux/memory.ts";

// The pure half of src/platform/linux/memory.ts. Fixtures in test/fixtures/proc:
// - cgroup-v1.txt / mountinfo-v1.txt, memory-stat-v1.txt, memory-oom-control-v1.txt,
//   meminfo.txt, pressure-memory.txt, vmstat-excerpt.txt: captured on a cgroup v1 host;
// - cgroup-v2-systemd-host.txt / mountinfo-v2-systemd-host.txt: a systemd host on the
//   unified hierarchy, a login session's scope;
// - cgroup-v2-container-cgroupns.txt / mountinfo-v2-container-cgroupns.txt: a Docker
//   container with its own cgroup namespace (it sees itself at "/", mounted from "/");
// - cgroup-v2-container-no-cgroupns.txt / mountinfo-v2-container-no-cgroupns.txt: one
//   without (it sees its host path, /docker/abc, which is also the mount's root);
// - memory-events-v2.txt, pressure-some-only.txt: v2 memory.events, a "some"-only PSI file.
const fixture = (name: string) => readFileSync(join(import.meta.dir, "../../fixtures/proc", name), "latin1");

/** v1's "no limit", as read from memory.limit_in_bytes on a cgroup v1 host. */
const V1_NONE = "9223372036854771712\n";
const V1_DIR = "/sys/fs/cgroup/memory/process_api/9d83604dc349e35d4dac4c51f1b604c4";
const SESSION = "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope";
const CONTROLLERS = "cpuset cpu io memory hugetlb pids rdma misc\n";
const MiB = 2 ** 20;

/** A file system of a few files; every path asked for is recorded. */
function fakeFs(files: Record<string, string>): ReadFile & { asked: string[] } {
  const map = new Map(Object.entries(files));
  const asked: string[] = [];
  const read = (path: string) => {
    asked.push(path);
    return map.get(path);
  };
  return Object.assign(read, { asked });
}

describe("parseLimit", () => {
  test("bytes, with the trailing newline a cgroup file has", () => {
    expect(parseLimit("209715200\n")).toBe(209715200);
    expect(parseLimit("1099511627776")).toBe(2 ** 40);
    expect(parseLimit("0\n")).toBe(0); // a limit of nothing is still a limit
  });

  test("v2's max and v1's sentinel are no limit", () => {
    expect(parseLimit("max\n")).toBeUndefined();
    expect(parseLimit("max")).toBeUndefined();
    expect(parseLimit(V1_NONE)).toBeUndefined();
    expect(parseLimit("9223372036854775807")).toBeUndefined();
  });

  test("garbage and missing files are no limit", () => {
    for (const text of [undefined, "", "\n", "abc", "-1", "12.5", "1e9", "200M", "0x1000", "max 100"]) {
      expect(parseLimit(text)).toBeUndefined();
    }
  });
});

describe("parseKeyed", () => {
  test("v2 memory.events: each counter by its exact name", () => {
    const events = fixture("memory-events-v2.txt");
    expect(events).toBe("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n");
    expect(parseKeyed(events, "oom_kill")).toBe(2);
    expect(parseKeyed(events, "oom")).toBe(3);
    expect(parseKeyed(events, "oom_group_kill")).toBe(0);
    expect(parseKeyed(events, "max")).toBe(12);
    expect(parseKeyed(events, "oom_")).toBeUndefined();
    expect(parseKeyed(events, "kill")).toBeUndefined();
  });

  test("v1 memory.oom_control: oom_kill, not oom_kill_disable", () => {
    const control = fixture("memory-oom-control-v1.txt");
    expect(parseKeyed(control, "oom_kill")).toBe(1);
    expect(parseKeyed(control, "oom_kill_disable")).toBe(0);
    expect(parseKeyed(control, "under_oom")).toBe(0);
    expect(parseKeyed("oom_kill_disable 1\nunder_oom 0\n", "oom_kill")).toBeUndefined(); // before Linux 4.13
  });

  test("a /proc/vmstat excerpt", () => {
    const vmstat = fixture("vmstat-excerpt.txt");
    expect(parseKeyed(vmstat, "oom_kill")).toBe(58);
    expect(parseKeyed(vmstat, "slabs_scanned")).toBe(111128);
    expect(parseKeyed(vmstat, "pgfault")).toBeUndefined(); // not in the excerpt
  });

  test("missing file, missing key, a value that is not a number", () => {
    expect(parseKeyed(undefined, "oom_kill")).toBeUndefined();
    expect(parseKeyed("", "oom_kill")).toBeUndefined();
    expect(parseKeyed("oom_kill many\n", "oom_kill")).toBeUndefined();
    expect(parseKeyed("oom_kill 1.5\n", "oom_kill")).toBeUndefined();
    expect(parseKeyed(" oom_kill 1\n", "oom_kill")).toBeUndefined();
  });
});

describe("parseMemTotal", () => {
  test("a real /proc/meminfo: MemTotal in bytes, not MemFree or MemAvailable", () => {
    expect(parseMemTotal(fixture("meminfo.txt"))).toBe(24683652 * 1024);
  });

  test("none without a MemTotal line", () => {
    expect(parseMemTotal(undefined)).toBeUndefined();
    expect(parseMemTotal("")).toBeUndefined();
    expect(parseMemTotal("MemFree:        22548580 kB\n")).toBeUndefined();
    expect(parseMemTotal("MemTotal: lots\n")).toBeUndefined();
  });
});

describe("parsePressure", () => {
  test("real PSI text: some and full, avg10 in percent and totals in µs", () => {
    expect(parsePressure(fixture("pressure-memory.txt"))).toEqual({ someAvg10: 0.01, someTotalUs: 7263453, fullAvg10: 0, fullTotalUs: 5618267 });
    expect(parsePressure("some avg10=12.50 avg60=3.00 avg300=1.00 total=900\nfull avg10=4.25 avg60=1.00 avg300=0.50 total=300\n")).toEqual({
      someAvg10: 12.5,
      someTotalUs: 900,
      fullAvg10: 4.25,
      fullTotalUs: 300,
    });
  });

  test('a "some"-only file, as older kernels write: full reads as zero', () => {
    expect(parsePressure(fixture("pressure-some-only.txt"))).toEqual({ someAvg10: 2.04, someTotalUs: 34567, fullAvg10: 0, fullTotalUs: 0 });
  });

  test("garbage, a full line alone, a missing file", () => {
    expect(parsePressure(undefined)).toBeUndefined();
    expect(parsePressure("")).toBeUndefined();
    expect(parsePressure("cat: /proc/pressure/memory: Operation not supported\n")).toBeUndefined();
    expect(parsePressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n")).toBeUndefined();
    expect(parsePressure("some avg10=x avg60=0.00 avg300=0.00 total=5\n")).toBeUndefined();
  });
});

describe("locateMemoryCgroup", () => {
  test("cgroup v1: the memory hierarchy, whatever the empty unified one says", () => {
    const read = fakeFs({});
    expect(locateMemoryCgroup(fixture("cgroup-v1.txt"), fixture("mountinfo-v1.txt"), read)).toEqual({
      version: 1,
      dir: V1_DIR,
      mountPoint: "/sys/fs/cgroup/memory",
      mountRoot: "/",
    });
  });

  test("cgroup v2 on a systemd host: the session's scope, memory in cgroup.controllers", () => {
    const read = fakeFs({ "/sys/fs/cgroup/cgroup.controllers": CONTROLLERS });
    expect(locateMemoryCgroup(fixture("cgroup-v2-systemd-host.txt"), fixture("mountinfo-v2-systemd-host.txt"), read)).toEqual({
      version: 2,
      dir: SESSION,
      mountPoint: "/sys/fs/cgroup",
      mountRoot: "/",
    });
    expect(read.asked).toEqual(["/sys/fs/cgroup/cgroup.controllers"]);
  });

  test("cgroup v2 in a container with a cgroup namespace: the mount point itself", () => {
    const read = fakeFs({ "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n" });
    expect(locateMemoryCgroup(fixture("cgroup-v2-container-cgroupns.txt"), fixture("mountinfo-v2-container-cgroupns.txt"), read)).toEqual({
      version: 2,
      dir: "/sys/fs/cgroup",
      mountPoint: "/sys/fs/cgroup",
      mountRoot: "/",
    });
  });

  test("cgroup v2 in a container without one: its host path is the mount's root", () => {
    const read = fakeFs({ "/sys/fs/cgroup/cgroup.controllers": "memory pids\n" });
    expect(locateMemoryCgroup(fixture("cgroup-v2-container-no-cgroupns.txt"), fixture("mountinfo-v2-container-no-cgroupns.txt"), read)).toEqual({
      version: 2,
      dir: "/sys/fs/cgroup",
      mountPoint: "/sys/fs/cgroup",
      mountRoot: "/docker/abc",
    });
  });

  test("a v2 hierarchy without the memory controller, or unreadable controllers: none", () => {
    const [cgroup, mountinfo] = [fixture("cgroup-v2-systemd-host.txt"), fixture("mountinfo-v2-systemd-host.txt")];
    expect(locateMemoryCgroup(cgroup, mountinfo, fakeFs({ "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io pids\n" }))).toBeUndefined();
    expect(locateMemoryCgroup(cgroup, mountinfo, fakeFs({ "/sys/fs/cgroup/cgroup.controllers": "memoryless\n" }))).toBeUndefined();
    expect(locateMemoryCgroup(cgroup, mountinfo, fakeFs({}))).toBeUndefined();
  });

  test("no cgroup mounted, or no membership: none", () => {
    const read = fakeFs({ "/sys/fs/cgroup/cgroup.controllers": CONTROLLERS });
    expect(locateMemoryCgroup(fixture("cgroup-v2-systemd-host.txt"), "", read)).toBeUndefined();
    expect(locateMemoryCgroup("", fixture("mountinfo-v2-systemd-host.txt"), read)).toBeUndefined();
  });
});

describe("levels", () => {
  test("from the cgroup up to the mount point, deepest first", () => {
    expect(levels({ dir: SESSION, mountPoint: "/sys/fs/cgroup" })).toEqual([
      SESSION,
      "/sys/fs/cgroup/user.slice/user-1000.slice",
      "/sys/fs/cgroup/user.slice",
      "/sys/fs/cgroup",
    ]);
  });

  test("a cgroup at the mount point is one level", () => {
    expect(levels({ dir: "/sys/fs/cgroup", mountPoint: "/sys/fs/cgroup" })).toEqual(["/sys/fs/cgroup"]);
  });

  test("v1: stops at the memory hierarchy's mount, not at /sys/fs/cgroup", () => {
    expect(levels({ dir: V1_DIR, mountPoint: "/sys/fs/cgroup/memory" })).toEqual([V1_DIR, "/sys/fs/cgroup/memory/process_api", "/sys/fs/cgroup/memory"]);
  });
});

describe("memoryLimits", () => {
  const host: CgroupLocation = { version: 2, dir: SESSION, mountPoint: "/sys/fs/cgroup", mountRoot: "/" };
  const v1: CgroupLocation = { version: 1, dir: V1_DIR, mountPoint: "/sys/fs/cgroup/memory", mountRoot: "/" };

  test("v2: the parent's smaller memory.max wins, named as /proc/self/cgroup names it", () => {
    const read = fakeFs({
      [`${SESSION}/memory.max`]: `${2 * 1024 * MiB}\n`,
      "/sys/fs/cgroup/user.slice/user-1000.slice/memory.max": `${1024 * MiB}\n`,
      "/sys/fs/cgroup/user.slice/memory.max": `${4 * 1024 * MiB}\n`,
    });
    expect(memoryLimits(host, read, undefined)).toEqual({ limit: { bytes: 1024 * MiB, source: "cgroup memory.max", cgroup: "/user.slice/user-1000.slice" } });
    // Every level was asked, the root (which has no memory.max) too.
    for (const dir of levels(host)) expect(read.asked).toContain(`${dir}/memory.max`);
  });

  test("v2: the child's smaller limit wins over its parents'", () => {
    const read = fakeFs({
      [`${SESSION}/memory.max`]: `${300 * MiB}\n`,
      "/sys/fs/cgroup/user.slice/user-1000.slice/memory.max": `${1024 * MiB}\n`,
    });
    expect(memoryLimits(host, read, undefined).limit).toEqual({ bytes: 300 * MiB, source: "cgroup memory.max", cgroup: "/user.slice/user-1000.slice/session-2.scope" });
  });

  test("v2: max everywhere is no limit: physical memory only", () => {
    const files: Record<string, string> = {};
    for (const dir of levels(host)) {
      files[`${dir}/memory.max`] = "max\n";
      files[`${dir}/memory.high`] = "max\n";
      files[`${dir}/memory.swap.max`] = "max\n";
    }
    expect(memoryLimits(host, fakeFs(files), 16 * 1024 * MiB)).toEqual({ physical: { bytes: 16 * 1024 * MiB, source: "physical memory, MemTotal" } });
    expect(memoryLimits(host, fakeFs(files), undefined)).toEqual({});
  });

  test("v2: memory.high is the soft limit, memory.swap.max the swap limit", () => {
    const read = fakeFs({
      [`${SESSION}/memory.max`]: "max\n",
      [`${SESSION}/memory.high`]: `${768 * MiB}\n`,
      "/sys/fs/cgroup/user.slice/user-1000.slice/memory.max": `${1024 * MiB}\n`,
      "/sys/fs/cgroup/user.slice/user-1000.slice/memory.high": "max\n",
      "/sys/fs/cgroup/user.slice/memory.swap.max": `${512 * MiB}\n`,
    });
    expect(memoryLimits(host, read, undefined)).toEqual({
      limit: { bytes: 1024 * MiB, source: "cgroup memory.max", cgroup: "/user.slice/user-1000.slice" },
      soft: { bytes: 768 * MiB, source: "cgroup memory.high", cgroup: "/user.slice/user-1000.slice/session-2.scope" },
      swap: { bytes: 512 * MiB, source: "cgroup memory.swap.max", cgroup: "/user.slice" },
    });
  });

  test("v2 container with a cgroup namespace: its own limit at the mount's root, named /", () => {
    const location = locateMemoryCgroup(
      fixture("cgroup-v2-container-cgroupns.txt"),
      fixture("mountinfo-v2-container-cgroupns.txt"),
      fakeFs({ "/sys/fs/cgroup/cgroup.controllers": CONTROLLERS }),
    );
    const read = fakeFs({ "/sys/fs/cgroup/memory.max": "209715200\n" });
    expect(memoryLimits(location, read, undefined)).toEqual({ limit: { bytes: 200 * MiB, source: "cgroup memory.max", cgroup: "/" } });
    // The walk stops at the container's root: nothing above /sys/fs/cgroup is read.
    expect(read.asked.filter((path) => path.endsWith("/memory.max"))).toEqual(["/sys/fs/cgroup/memory.max"]);
  });

  test("v2 container without one: the level is named by its host path", () => {
    const location = locateMemoryCgroup(
      fixture("cgroup-v2-container-no-cgroupns.txt"),
      fixture("mountinfo-v2-container-no-cgroupns.txt"),
      fakeFs({ "/sys/fs/cgroup/cgroup.controllers": CONTROLLERS }),
    );
    expect(memoryLimits(location, fakeFs({ "/sys/fs/cgroup/memory.max": "209715200\n" }), undefined).limit).toEqual({
      bytes: 200 * MiB,
      source: "cgroup memory.max",
      cgroup: "/docker/abc",
    });
    // A sub-cgroup made below it (--cgroup) is named below the host path.
    const below: CgroupLocation = { version: 2, dir: "/sys/fs/cgroup/peak-mem-1", mountPoint: "/sys/fs/cgroup", mountRoot: "/docker/abc" };
    expect(memoryLimits(below, fakeFs({ "/sys/fs/cgroup/peak-mem-1/memory.max": "104857600\n", "/sys/fs/cgroup/memory.max": "209715200\n" }), undefined).limit).toEqual({
      bytes: 100 * MiB,
      source: "cgroup memory.max",
      cgroup: "/docker/abc/peak-mem-1",
    });
  });

  test("v1: memory.limit_in_bytes at one level, the sentinel elsewhere; memsw as swap; no soft limit", () => {
    const read = fakeFs({
      [`${V1_DIR}/memory.limit_in_bytes`]: V1_NONE,
      "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes": `${500 * MiB}\n`,
      "/sys/fs/cgroup/memory/memory.limit_in_bytes": V1_NONE,
      [`${V1_DIR}/memory.memsw.limit_in_bytes`]: V1_NONE,
      "/sys/fs/cgroup/memory/process_api/memory.memsw.limit_in_bytes": `${1000 * MiB}\n`,
      "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes": V1_NONE,
      [`${V1_DIR}/memory.soft_limit_in_bytes`]: `${100 * MiB}\n`,
      [`${V1_DIR}/memory.stat`]: fixture("memory-stat-v1.txt"),
    });
    expect(memoryLimits(v1, read, undefined)).toEqual({
      limit: { bytes: 500 * MiB, source: "cgroup memory.limit_in_bytes", cgroup: "/process_api" },
      swap: { bytes: 1000 * MiB, source: "cgroup memory.memsw.limit_in_bytes", cgroup: "/process_api" },
    });
  });

  test("v1: the sentinel everywhere (the captured memory.stat says so too) is no limit", () => {
    const stat = fixture("memory-stat-v1.txt");
    expect(stat).toContain("hierarchical_memory_limit 9223372036854771712\n");
    const read = fakeFs({
      [`${V1_DIR}/memory.limit_in_bytes`]: V1_NONE,
      "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes": V1_NONE,
      "/sys/fs/cgroup/memory/memory.limit_in_bytes": V1_NONE,
      [`${V1_DIR}/memory.stat`]: stat,
    });
    expect(memoryLimits(v1, read, 24683652 * 1024)).toEqual({ physical: { bytes: 24683652 * 1024, source: "physical memory, MemTotal" } });
  });

  const withHierarchical = (bytes: number) => fixture("memory-stat-v1.txt").replace(/^hierarchical_memory_limit \d+$/m, `hierarchical_memory_limit ${bytes}`);

  test("v1: an ancestor a container cannot see, through memory.stat's hierarchical_memory_limit", () => {
    const read = fakeFs({
      [`${V1_DIR}/memory.limit_in_bytes`]: V1_NONE,
      "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes": `${500 * MiB}\n`,
      [`${V1_DIR}/memory.stat`]: withHierarchical(200 * MiB),
    });
    const { limit } = memoryLimits(v1, read, undefined);
    expect(limit).toEqual({ bytes: 200 * MiB, source: "cgroup memory.limit_in_bytes (an ancestor's)" });
    expect(limit).not.toHaveProperty("cgroup");
  });

  test("v1: hierarchical_memory_limit equal to or above a visible limit leaves the visible one, named", () => {
    for (const bytes of [500 * MiB, 800 * MiB]) {
      const read = fakeFs({
        "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes": `${500 * MiB}\n`,
        [`${V1_DIR}/memory.stat`]: withHierarchical(bytes),
      });
      expect(memoryLimits(v1, read, undefined).limit).toEqual({ bytes: 500 * MiB, source: "cgroup memory.limit_in_bytes", cgroup: "/process_api" });
    }
  });

  test("v1 files are not read for v2, nor v2's for v1", () => {
    const v2Read = fakeFs({ [`${SESSION}/memory.limit_in_bytes`]: `${100 * MiB}\n`, [`${SESSION}/memory.stat`]: withHierarchical(100 * MiB) });
    expect(memoryLimits(host, v2Read, undefined)).toEqual({});
    const v1Read = fakeFs({ [`${V1_DIR}/memory.max`]: `${100 * MiB}\n`, [`${V1_DIR}/memory.high`]: `${50 * MiB}\n` });
    expect(memoryLimits(v1, v1Read, undefined)).toEqual({});
  });

  test("physical memory, when MemTotal is known, beside any cgroup limit; alone without a cgroup", () => {
    const physical = { bytes: 24683652 * 1024, source: "physical memory, MemTotal" };
    const memTotal = parseMemTotal(fixture("meminfo.txt"));
    const read = fakeFs({ [`${SESSION}/memory.max`]: "209715200\n" });
    expect(memoryLimits(host, read, memTotal)).toEqual({
      limit: { bytes: 200 * MiB, source: "cgroup memory.max", cgroup: "/user.slice/user-1000.slice/session-2.scope" },
      physical,
    });
    expect(memoryLimits(undefined, fakeFs({}), memTotal)).toEqual({ physical });
    expect(memoryLimits(undefined, fakeFs({}), undefined)).toEqual({});
  });
});

// createLinuxMemorySources reads real files: a /proc and a cgroup2 mount laid out in a
// temporary directory (the mountinfo line names it as the mount point).
describe("createLinuxMemorySources, on a fake /proc and cgroup tree", () => {
  let root = "";
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "peak-mem-memory-sources-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A layout in its own directory: /proc files and cgroup files (paths relative to the mount). */
  function layout(name: string, procCgroup: string, mountRoot: string, cgroupFiles: Record<string, string>) {
    const proc = join(root, name, "proc");
    const mount = join(root, name, "cgroup");
    const files: Record<string, string> = {
      [join(proc, "self/cgroup")]: procCgroup,
      [join(proc, "self/mountinfo")]: `26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n32 22 0:27 ${mountRoot} ${mount} rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n`,
      [join(proc, "meminfo")]: fixture("meminfo.txt"),
      [join(proc, "vmstat")]: fixture("vmstat-excerpt.txt"),
      [join(proc, "pressure/memory")]: fixture("pressure-memory.txt"),
      [join(mount, "cgroup.controllers")]: CONTROLLERS,
    };
    for (const [path, text] of Object.entries(cgroupFiles)) files[join(mount, path)] = text;
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    return createLinuxMemorySources(proc)();
  }

  const CGROUP_FILES = {
    "memory.max": "209715200\n",
    "memory.events": fixture("memory-events-v2.txt"),
    "memory.pressure": "some avg10=3.00 avg60=1.00 avg300=0.50 total=4000\nfull avg10=1.00 avg60=0.50 avg300=0.25 total=1000\n",
  };

  test("a host: the session's cgroup gives the limit, the OOM counter and the pressure", () => {
    const files: Record<string, string> = {};
    for (const [file, text] of Object.entries(CGROUP_FILES)) files[`user.slice/session-2.scope/${file}`] = text;
    const sources = layout("host", "0::/user.slice/session-2.scope\n", "/", files);
    expect(sources.limits()).toEqual({
      limit: { bytes: 200 * MiB, source: "cgroup memory.max", cgroup: "/user.slice/session-2.scope" },
      physical: { bytes: 24683652 * 1024, source: "physical memory, MemTotal" },
    });
    const counter = sources.oomCounter?.();
    expect([counter?.source, counter?.scope, counter?.read()]).toEqual(["memory.events", "cgroup", 2]);
    counter?.close?.();
    const pressure = sources.pressure?.();
    expect([pressure?.source, pressure?.scope, pressure?.read()?.someTotalUs]).toEqual(["memory.pressure", "cgroup", 4000]);
    pressure?.close?.();
  });

  test("no cgroup memory.events: the system's /proc/vmstat, scope system", () => {
    const sources = layout("bare", "0::/user.slice/session-3.scope\n", "/", { "user.slice/session-3.scope/memory.max": "max\n" });
    const counter = sources.oomCounter?.();
    expect([counter?.source, counter?.scope, counter?.read()]).toEqual(["/proc/vmstat", "system", 58]);
    const pressure = sources.pressure?.();
    expect([pressure?.source, pressure?.scope]).toEqual(["/proc/pressure/memory", "system"]);
    pressure?.close?.();
  });

  // In a container with a cgroup namespace the container's own cgroup is at the
  // mount's root, and so are its memory.max, memory.events and memory.pressure. The limit
  // and the pressure are read there; the OOM counter should be too, not the host's vmstat.
  test("a container with a cgroup namespace: its own memory.events at the mount's root", () => {
    const sources = layout("container", "0::/\n", "/", CGROUP_FILES);
    expect(sources.limits().limit).toEqual({ bytes: 200 * MiB, source: "cgroup memory.max", cgroup: "/" });
    const pressure = sources.pressure?.();
    expect([pressure?.source, pressure?.scope]).toEqual(["memory.pressure", "cgroup"]);
    pressure?.close?.();
    const counter = sources.oomCounter?.();
    expect([counter?.source, counter?.scope, counter?.read()]).toEqual(["memory.events", "cgroup", 2]);
    counter?.close?.();
  });
});
