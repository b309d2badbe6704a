import { UsageError, describe } from "../../core/errors.ts";
import { cgroupOption } from "../cgroup-option.ts";
import { dirname, join } from "./posix-path.ts";

// --cgroup: an exact peak for the whole tree, kept by the kernel, where a writable cgroup
// exists: v2 `memory.peak` (Linux 5.19+) or v1 `memory.max_usage_in_bytes`. It counts what
// the cgroup is charged for, page cache and kernel memory included, so it answers a
// different question from the RSS peak and is reported beside it, under its own label.
//
// No race at start: the command must be in the cgroup before it execs. Bun.spawn offers no
// hook between fork and exec, so peak-mem steps into the new cgroup itself for the spawn
// (the child inherits it) and steps back out at once.
//
// node:fs is loaded only here, when a cgroup is made: the parsers below run at every start.
const fs = () => process.getBuiltinModule("node:fs");

export interface PeakCgroup {
  /** How the peak is read, for the report: "memory.peak" or "memory.max_usage_in_bytes". */
  readonly source: string;
  /** Its directory: where the command's limit and OOM counter are read. */
  readonly dir: string;
  enter(): void;
  leave(): void;
  /** The cgroup's peak in bytes, or undefined if it cannot be read. */
  peak(): number | undefined;
  /** Moves anything left back out and removes the cgroup. */
  remove(): void;
}

export interface CgroupMembership {
  /** The cgroup v2 path ("0::/path"), if any. */
  unified?: string;
  /** cgroup v1 paths by controller ("4:memory:/path"). */
  controllers: Map<string, string>;
}

/** /proc/PID/cgroup (cgroups(7)). */
export function parseProcCgroup(text: string): CgroupMembership {
  const result: CgroupMembership = { controllers: new Map() };
  for (const line of text.split("\n")) {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const [id, list, path] = [line.slice(0, first), line.slice(first + 1, second), line.slice(second + 1)];
    if (id === "0" && list === "") result.unified = path;
    else for (const controller of list.split(",")) if (controller) result.controllers.set(controller, path);
  }
  return result;
}

export interface CgroupMount {
  /** The path inside the hierarchy that is mounted (not "/" inside some containers). */
  root: string;
  mountPoint: string;
  fsType: "cgroup" | "cgroup2";
  superOptions: string[];
}

/** The cgroup mounts in /proc/PID/mountinfo (proc(5)): "id parent dev root point opts [tags] - type source superopts". */
export function parseCgroupMounts(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-");
    const fsType = fields[dash + 1];
    if (dash < 0 || (fsType !== "cgroup" && fsType !== "cgroup2")) continue;
    mounts.push({
      root: unescapeMountPath(fields[3] ?? ""),
      mountPoint: unescapeMountPath(fields[4] ?? ""),
      fsType,
      superOptions: (fields[dash + 3] ?? "").split(","),
    });
  }
  return mounts;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Where a cgroup path of a hierarchy appears in the file system, if it is mounted. */
export function cgroupDirectory(mount: CgroupMount, path: string): string | undefined {
  const root = mount.root === "/" ? "" : mount.root;
  if (root && path !== root && !path.startsWith(`${root}/`)) return undefined;
  const inside = path.slice(root.length).replace(/\/+$/, "");
  return inside ? join(mount.mountPoint, inside) : mount.mountPoint;
}

/**
 * The places a new memory cgroup could be made, best first: v2 where the memory controller
 * is on for children (our own cgroup, else its parent: v2 lets no process live in a cgroup
 * whose children have controllers), then v1's memory hierarchy.
 */
export function cgroupCandidates(membership: CgroupMembership, mounts: CgroupMount[]): { version: 1 | 2; parent: string; home: string }[] {
  const candidates: { version: 1 | 2; parent: string; home: string }[] = [];
  const unified = mounts.find((mount) => mount.fsType === "cgroup2");
  if (unified && membership.unified !== undefined) {
    const home = cgroupDirectory(unified, membership.unified);
    if (home) {
      candidates.push({ version: 2, parent: home, home });
      if (home !== unified.mountPoint) candidates.push({ version: 2, parent: dirname(home), home });
    }
  }
  const memory = mounts.find((mount) => mount.fsType === "cgroup" && mount.superOptions.includes("memory"));
  const path = membership.controllers.get("memory");
  if (memory && path !== undefined) {
    const home = cgroupDirectory(memory, path);
    if (home) candidates.push({ version: 1, parent: home, home });
  }
  return candidates;
}

/** The option that asked for a cgroup, as messages name it. */
const noCgroup = (option: string) =>
  `${option}: no writable cgroup with a memory controller here (cgroup v2 needs a delegated cgroup ` +
  "and Linux 5.19+ for memory.peak; v1 needs a writable memory hierarchy, usually root)";

/**
 * Makes a new, empty memory cgroup for the command, or explains in one line why not.
 * `limitBytes` (--limit): the kernel's hard limit on it, swap included, so the command is
 * stopped where a machine or container of that size would stop it.
 */
export function createPeakCgroup(limitBytes?: number): PeakCgroup {
  const option = cgroupOption(limitBytes);
  const NO_CGROUP = noCgroup(option);
  let membership: CgroupMembership;
  let mounts: CgroupMount[];
  try {
    membership = parseProcCgroup(fs().readFileSync("/proc/self/cgroup", "utf8"));
    mounts = parseCgroupMounts(fs().readFileSync("/proc/self/mountinfo", "utf8"));
  } catch {
    throw new UsageError(NO_CGROUP);
  }
  const reasons: string[] = [];
  for (const candidate of cgroupCandidates(membership, mounts)) {
    try {
      return makeCgroup(candidate.version, candidate.parent, candidate.home, option, limitBytes);
    } catch (error) {
      reasons.push(`v${candidate.version} ${candidate.parent}: ${describe(error)}`);
    }
  }
  throw new UsageError(reasons.length ? `${NO_CGROUP}; tried ${reasons.join("; ")}` : NO_CGROUP);
}

/** The files that hold a memory limit, and swap's, in the order they must be written. */
export function limitFiles(version: 1 | 2, limitBytes: number): [file: string, value: string, optional: boolean][] {
  // v1 refuses a memsw limit below the memory limit, so the memory limit goes first; memsw
  // exists only with swap accounting. v2 counts swap apart: none at all.
  return version === 1
    ? [
        ["memory.limit_in_bytes", String(limitBytes), false],
        ["memory.memsw.limit_in_bytes", String(limitBytes), true],
      ]
    : [
        ["memory.max", String(limitBytes), false],
        ["memory.swap.max", "0", true],
      ];
}

const REMOVE_ATTEMPTS = 50;
const REMOVE_PAUSE_MS = 20;
const pause = new Int32Array(new SharedArrayBuffer(4));

function makeCgroup(version: 1 | 2, parent: string, home: string, option: string, limitBytes?: number): PeakCgroup {
  const peakFile = version === 2 ? "memory.peak" : "memory.max_usage_in_bytes";
  if (version === 2 && !fs().readFileSync(join(parent, "cgroup.subtree_control"), "utf8").split(/\s+/).includes("memory")) {
    throw new Error("the memory controller is not enabled for its children");
  }
  const dir = join(parent, `peak-mem-${process.pid}`);
  fs().mkdirSync(dir);
  try {
    fs().readFileSync(join(dir, peakFile), "utf8");
  } catch {
    fs().rmdirSync(dir);
    throw new Error(`${peakFile} is missing (cgroup v2 needs Linux 5.19+)`);
  }
  if (limitBytes !== undefined) {
    for (const [file, value, optional] of limitFiles(version, limitBytes)) {
      try {
        fs().writeFileSync(join(dir, file), value);
      } catch (error) {
        if (optional && !fs().existsSync(join(dir, file))) continue;
        fs().rmdirSync(dir);
        throw new Error(`cannot set ${file}: ${describe(error)}`);
      }
    }
  }
  const pid = String(process.pid);
  let removed = false;
  return {
    source: peakFile,
    dir,
    enter: () => {
      try {
        fs().writeFileSync(join(dir, "cgroup.procs"), pid);
      } catch (error) {
        throw new UsageError(`${option}: cannot move into ${dir}: ${describe(error)}`);
      }
    },
    leave: () => {
      fs().writeFileSync(join(home, "cgroup.procs"), pid);
      // What peak-mem itself allocated while inside is not the command's: start the peak
      // from the usage now (v1 resets on any write; v2 resets per open file on 6.12+ only).
      if (version === 1) fs().writeFileSync(join(dir, peakFile), "0");
    },
    peak: () => {
      const value = Number.parseInt(fs().readFileSync(join(dir, peakFile), "utf8"), 10);
      return Number.isSafeInteger(value) ? value : undefined;
    },
    remove: () => {
      if (removed) return;
      removed = true;
      // A process still exiting (one the OOM killer just hit, freeing its memory) can neither
      // be moved nor let the cgroup go for a moment: retry for up to a second.
      for (let attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
        let left: string[] = [];
        try {
          left = fs().readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
        } catch {
          return; // gone already
        }
        for (const pid of left) {
          try {
            fs().writeFileSync(join(home, "cgroup.procs"), pid);
          } catch {
            // Exiting, or gone: the next attempt sees.
          }
        }
        try {
          fs().rmdirSync(dir);
          return;
        } catch {
          Atomics.wait(pause, 0, 0, REMOVE_PAUSE_MS);
        }
      }
      // Still busy: a process we could not move keeps it. It stays behind, empty of anything
      // the report needs; nothing more can be done without killing that process.
    },
  };
}
