import { execve } from "../ffi.ts";
import { parseProcCgroup } from "../cgroup.ts";
import { readBytes } from "../../files.ts";
import { readText } from "../proc-files.ts";

// Bun's JavaScriptCore starts threads lazily while peak-mem runs: a second JIT compiler
// thread ("JITWorker") once the sampling loop gets hot, the GC's "HeapHelper" at its first
// collection and its "Heap Collector Thread" later (seen with strace, Bun 1.4.5). Threads
// count against the same process limits as the command's processes (RLIMIT_NPROC per user,
// a pids cgroup's pids.max), and when the command has used the limit up, the runtime
// cannot create its thread and aborts: peak-mem dies, the command is orphaned and the
// report is lost. GNU time needs no thread and survives.
//
// JSC options keep that work on the main thread (compiling and collecting without helper
// threads), but they are read from the environment before any of our code runs. So where a
// limit is tight, peak-mem executes itself again, once, with them set: that costs one more
// runtime start-up (a few ms), paid only there. The options are removed again before the
// command starts, so it sees the environment peak-mem was given.

/** The JSC options (as Bun reads them: BUN_JSC_<name>) that leave no thread to start later. */
export const SINGLE_THREADED_OPTIONS: Readonly<Record<string, string>> = {
  BUN_JSC_useConcurrentJIT: "0",
  BUN_JSC_useConcurrentGC: "0",
  BUN_JSC_numberOfGCMarkers: "1",
};

/** Set on the re-executed peak-mem: which of the options it added (to remove them again). */
export const MARKER = "PEAK_MEM_RUNTIME_OPTIONS";

/**
 * A limit at or below this many processes is tight: a build or a test run can use it up.
 * Above it (the usual per-user RLIMIT_NPROC is tens of thousands, systemd's TasksMax similar)
 * only a fork bomb would, and peak-mem does not pay a second start-up for that.
 */
export const TIGHT_LIMIT = 16384;

/** "Max processes  100  100  processes" in /proc/PID/limits: the soft limit, undefined if unlimited. */
export function parseMaxProcesses(limits: string): number | undefined {
  const line = limits.split("\n").find((text) => text.startsWith("Max processes"));
  const soft = line?.slice("Max processes".length).trim().split(/\s+/)[0];
  const value = Number(soft);
  return soft !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

/** pids.max: a number, or undefined for "max". */
export function parsePidsMax(text: string): number | undefined {
  const digits = text.trim();
  const value = /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Where pids.max may be, deepest first: each level of our pids cgroup up to the mount's
 * root, for v1's pids hierarchy and for cgroup v2, at the usual mount points. Levels that
 * do not exist there (a container's mount whose root is a sub-path) are simply missing.
 */
export function pidsMaxFiles(procCgroup: string, mount = "/sys/fs/cgroup"): string[] {
  const membership = parseProcCgroup(procCgroup);
  const hierarchies: [base: string, path: string | undefined][] = [
    [`${mount}/pids`, membership.controllers.get("pids")],
    [mount, membership.unified],
  ];
  const files: string[] = [];
  for (const [base, path] of hierarchies) {
    if (path === undefined) continue;
    const parts = path.split("/").filter(Boolean);
    for (let depth = parts.length; depth >= 0; depth--) files.push(`${[base, ...parts.slice(0, depth)].join("/")}/pids.max`);
  }
  return files;
}

/** The smallest process limit that applies to us, or undefined when none does. */
export function tightestLimit(facts: { maxProcesses?: number; root: boolean; pidsMax: (number | undefined)[] }): number | undefined {
  // RLIMIT_NPROC is not enforced for the root user (kernel/fork.c, copy_process).
  const limits = [facts.root ? undefined : facts.maxProcesses, ...facts.pidsMax].filter((n): n is number => n !== undefined);
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

function currentLimit(): number | undefined {
  const root = process.getuid?.() === 0;
  // Not read for root, whom the limit does not bind (tightestLimit).
  const limits = root ? undefined : readText("/proc/self/limits");
  const cgroup = readText("/proc/self/cgroup") ?? "";
  return tightestLimit({
    maxProcesses: limits === undefined ? undefined : parseMaxProcesses(limits),
    root,
    pidsMax: pidsMaxFiles(cgroup).map((file) => {
      const text = readText(file);
      return text === undefined ? undefined : parsePidsMax(text);
    }),
  });
}

function nulSeparated(path: string): Uint8Array[] | undefined {
  let bytes: Buffer;
  try {
    bytes = readBytes(path);
  } catch {
    return undefined;
  }
  const items: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    items.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return items;
}

/**
 * Call first thing on Linux. Under a tight process limit, re-executes peak-mem with the
 * single-threaded options (and returns only if that failed); after such a re-execution,
 * removes them from process.env again. Returns the environment the command must be given
 * when it differs from the one peak-mem started with, else undefined.
 */
export function fitRuntimeToProcessLimits(): Record<string, string | undefined> | undefined {
  const added = process.env[MARKER];
  if (added !== undefined) {
    for (const name of added.split(",")) if (name in SINGLE_THREADED_OPTIONS) delete process.env[name];
    delete process.env[MARKER];
    return process.env;
  }
  const limit = currentLimit();
  if (limit === undefined || limit > TIGHT_LIMIT) return undefined;
  // The exact bytes peak-mem was started with: argv and environment may hold any bytes.
  const argv = nulSeparated("/proc/self/cmdline");
  const env = nulSeparated("/proc/self/environ");
  if (!argv || !env || argv.length === 0) return undefined;
  const encoder = new TextEncoder();
  // Options the user set already are theirs: neither overridden nor removed later.
  const missing = Object.keys(SINGLE_THREADED_OPTIONS).filter((name) => process.env[name] === undefined);
  if (missing.length === 0) return undefined;
  const extra = [...missing.map((name) => `${name}=${SINGLE_THREADED_OPTIONS[name]}`), `${MARKER}=${missing.join(",")}`];
  execve(encoder.encode("/proc/self/exe"), argv, [...env, ...extra.map((line) => encoder.encode(line))]);
  return undefined; // execve failed: carry on as we are
}
