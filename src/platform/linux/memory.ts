import type { MemoryLimit, MemoryLimits, MemorySources, OomCounter, PressureReading, PressureSource } from "../memory-sources.ts";
import { cgroupDirectory, parseCgroupMounts, parseProcCgroup, type CgroupMount } from "./cgroup.ts";
import { dirname } from "./posix-path.ts";
import { HeldFile, readText } from "./proc-files.ts";

// Where the command runs, on Linux (to say why a command died): the memory limit in force, the OOM kills
// counted while it ran, and memory pressure. The limit is the smallest along the cgroup
// path from the command's cgroup up to the mount's root, which inside a container (a cgroup
// namespace) is the container's own cgroup; physical memory bounds it all. The parsers are
// pure; the file system is reached through `read`, so whole cgroup trees are tested from
// fixtures (test/platform/linux/memory.test.ts).

/** v1 writes "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 here); anything this large is none. */
const NO_LIMIT_FROM = 2 ** 62;

/** memory.max / memory.high / memory.swap.max (v2) or a v1 *_limit_in_bytes: bytes, or undefined for none. */
export function parseLimit(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (!value || value === "max" || !/^\d+$/.test(value)) return undefined;
  const bytes = Number(value);
  return bytes >= NO_LIMIT_FROM ? undefined : bytes;
}

/** "key value" lines (memory.events, memory.oom_control, /proc/vmstat): the value of `key`. */
export function parseKeyed(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  // Found in place, without splitting: /proc/vmstat has a few hundred lines.
  const at = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `) + 1;
  if (at === 0 && !text.startsWith(`${key} `)) return undefined;
  const end = text.indexOf("\n", at);
  const value = Number(text.slice(at + key.length + 1, end < 0 ? text.length : end).trim());
  return Number.isSafeInteger(value) ? value : undefined;
}

/** MemTotal in /proc/meminfo, in bytes. */
export function parseMemTotal(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

// Made once: parsePressure runs at every sample. Neither is global, so neither keeps state.
const pressureLine = (kind: string) => new RegExp(`^${kind} avg10=([\\d.]+) avg60=[\\d.]+ avg300=[\\d.]+ total=(\\d+)`, "m");
const PRESSURE_SOME = pressureLine("some");
const PRESSURE_FULL = pressureLine("full");

/** PSI lines: "some avg10=1.23 avg60=… avg300=… total=123456" and "full …" (Documentation/accounting/psi.rst). */
export function parsePressure(text: string | undefined): PressureReading | undefined {
  if (text === undefined) return undefined;
  const some = PRESSURE_SOME.exec(text);
  if (!some) return undefined;
  const full = PRESSURE_FULL.exec(text);
  return { someAvg10: Number(some[1]), someTotalUs: Number(some[2]), fullAvg10: full ? Number(full[1]) : 0, fullTotalUs: full ? Number(full[2]) : 0 };
}

/** Reads a file, or undefined (missing, unreadable). */
export type ReadFile = (path: string) => string | undefined;

export interface CgroupLocation {
  version: 1 | 2;
  /** The command's cgroup directory. */
  dir: string;
  /** Where its hierarchy is mounted: the walk stops there (a container's root). */
  mountPoint: string;
  /** The mount's root inside the hierarchy, to name each level as /proc/self/cgroup would. */
  mountRoot: string;
}

/** Our memory cgroup's directory: v2 if the unified hierarchy has the memory controller, else v1's memory hierarchy. */
export function locateMemoryCgroup(procCgroup: string, mountinfo: string, read: ReadFile): CgroupLocation | undefined {
  const membership = parseProcCgroup(procCgroup);
  const mounts = parseCgroupMounts(mountinfo);
  const v1 = mounts.find((mount) => mount.fsType === "cgroup" && mount.superOptions.includes("memory"));
  const v1Path = membership.controllers.get("memory");
  if (v1 && v1Path !== undefined) return located(1, v1, v1Path);
  const v2 = mounts.find((mount) => mount.fsType === "cgroup2");
  if (v2 && membership.unified !== undefined) {
    const location = located(2, v2, membership.unified);
    // The unified hierarchy holds memory only when the controller is on there.
    if (location && (read(`${v2.mountPoint}/cgroup.controllers`) ?? "").split(/\s+/).includes("memory")) return location;
  }
  return undefined;
}

function located(version: 1 | 2, mount: CgroupMount, path: string): CgroupLocation | undefined {
  const dir = cgroupDirectory(mount, path) ?? mount.mountPoint;
  return { version, dir, mountPoint: mount.mountPoint, mountRoot: mount.root };
}

/** Each level from `dir` up to the mount point, deepest first. */
export function levels(location: Pick<CgroupLocation, "dir" | "mountPoint">): string[] {
  const result: string[] = [];
  for (let dir = location.dir; ; dir = dirname(dir)) {
    result.push(dir);
    if (dir === location.mountPoint || dir.length <= location.mountPoint.length || dir === "/") break;
  }
  return result;
}

/** The smallest limit in `file` along the levels, with the level that set it. */
function smallest(location: CgroupLocation, read: ReadFile, file: string): MemoryLimit | undefined {
  let best: MemoryLimit | undefined;
  for (const dir of levels(location)) {
    const bytes = parseLimit(read(`${dir}/${file}`));
    if (bytes !== undefined && (!best || bytes < best.bytes)) best = { bytes, source: `cgroup ${file}`, cgroup: cgroupName(location, dir) };
  }
  return best;
}

/** A level's path as /proc/self/cgroup names it ("/" for the root of what is visible). */
function cgroupName(location: CgroupLocation, dir: string): string {
  const inside = dir.slice(location.mountPoint.length) || "/";
  const root = location.mountRoot === "/" ? "" : location.mountRoot;
  return `${root}${inside === "/" && root ? "" : inside}` || "/";
}

/** The limits that apply to a command in `location` (undefined: no memory cgroup), bounded by physical memory. */
export function memoryLimits(location: CgroupLocation | undefined, read: ReadFile, memTotal: number | undefined): MemoryLimits {
  const physical = memTotal === undefined ? undefined : { bytes: memTotal, source: "physical memory, MemTotal" };
  if (!location) return { ...(physical && { physical }) };
  let limit: MemoryLimit | undefined;
  let soft: MemoryLimit | undefined;
  let swap: MemoryLimit | undefined;
  if (location.version === 2) {
    limit = smallest(location, read, "memory.max");
    soft = smallest(location, read, "memory.high");
    swap = smallest(location, read, "memory.swap.max");
  } else {
    limit = smallest(location, read, "memory.limit_in_bytes");
    // v1 also knows the effective limit of levels a container cannot see: hierarchical_*.
    const hierarchical = parseLimit(String(parseKeyed(read(`${location.dir}/memory.stat`), "hierarchical_memory_limit") ?? ""));
    if (hierarchical !== undefined && (!limit || hierarchical < limit.bytes)) limit = { bytes: hierarchical, source: "cgroup memory.limit_in_bytes (an ancestor's)" };
    swap = smallest(location, read, "memory.memsw.limit_in_bytes");
  }
  return { ...(limit && { limit }), ...(soft && { soft }), ...(swap && { swap }), ...(physical && { physical }) };
}

/** A /proc or cgroup file held open and re-read from offset 0 at each call, decoded only then. */
function heldText(path: string): { read(): string | undefined; close(): void } | undefined {
  const file = new HeldFile(path);
  if (!file.open) return undefined;
  const buffer = Buffer.alloc(4096);
  return {
    read() {
      const length = file.read(buffer);
      return length === undefined ? undefined : buffer.toString("latin1", 0, length);
    },
    close: () => file.close(),
  };
}

/**
 * The kill counter for processes in `dir`: the kernel counts an OOM kill in the victim's
 * cgroup and every ancestor below the root (mm/memcontrol.c, memcg_memory_event), v1 and
 * v2 alike, so the command's own cgroup counts the kills of processes inside it, also when
 * it is a container's root. The machine's root cgroup counts none (v2 has no memory.events
 * there; v1's reads 0 for ever): the system's count, read beside it, covers that.
 */
function oomCounter(location: CgroupLocation | undefined, procRoot: string): OomCounter | undefined {
  if (location) {
    const file = location.version === 2 ? "memory.events" : "memory.oom_control";
    const held = heldText(`${location.dir}/${file}`);
    if (held && parseKeyed(held.read(), "oom_kill") !== undefined) {
      return { source: file, scope: "cgroup", read: () => parseKeyed(held.read(), "oom_kill"), close: () => held.close() };
    }
    held?.close();
  }
  return systemOomCounter(procRoot);
}

/** /proc/vmstat's oom_kill: every kill on the machine (host-wide inside a container). It is long: read only at the start and the end. */
function systemOomCounter(procRoot: string): OomCounter | undefined {
  if (parseKeyed(readText(`${procRoot}/vmstat`), "oom_kill") === undefined) return undefined;
  return { source: "/proc/vmstat", scope: "system", read: () => parseKeyed(readText(`${procRoot}/vmstat`), "oom_kill") };
}

/** The cgroup's memory.pressure on v2, else the system's /proc/pressure/memory (PSI may be off: psi=0). */
function pressureSource(location: CgroupLocation | undefined, procRoot: string): PressureSource | undefined {
  const candidates: [string, "cgroup" | "system", string][] = [];
  if (location?.version === 2) candidates.push([`${location.dir}/memory.pressure`, "cgroup", "memory.pressure"]);
  candidates.push([`${procRoot}/pressure/memory`, "system", "/proc/pressure/memory"]);
  for (const [path, scope, source] of candidates) {
    const held = heldText(path);
    if (held && parsePressure(held.read())) return { source, scope, read: () => parsePressure(held.read()), close: () => held.close() };
    held?.close();
  }
  return undefined;
}

export function createLinuxMemorySources(procRoot = "/proc"): (commandCgroup?: string) => MemorySources {
  return (commandCgroup) => {
    const own = locateMemoryCgroup(readText(`${procRoot}/self/cgroup`) ?? "", readText(`${procRoot}/self/mountinfo`) ?? "", readText);
    // The command's own cgroup, when peak-mem made one (--cgroup, --limit), is below ours.
    const location = own && commandCgroup ? { ...own, dir: commandCgroup } : own;
    return {
      limits: () => memoryLimits(location, readText, parseMemTotal(readText(`${procRoot}/meminfo`))),
      oomCounter: () => oomCounter(location, procRoot),
      // Only the machine's root cgroup counts no kill; below it the cgroup's count is enough.
      systemOomCounter: () => (location && (location.dir !== location.mountPoint || location.mountRoot !== "/") ? undefined : systemOomCounter(procRoot)),
      pressure: () => pressureSource(location, procRoot),
    };
  };
}
