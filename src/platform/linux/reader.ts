import { becomeChildSubreaper, exitedChild, isatty, monotonicMs, reapChild } from "./ffi.ts";
import { idleWaiter } from "./runtime/idle-wait.ts";
import { openProcessEvents } from "./proc-events.ts";
import { UsageError } from "../../core/errors.ts";
import { samplingCode } from "../../runtime/hot.ts";
import type { GpuProvider, MemoryHandle, MemoryReading, ProcessInfo, ProcessReader, ProportionalReading, ReapedProcess, TerminalState } from "../types.ts";
import { spawnThroughHelper } from "./spawn-helper/spawn.ts";
import { createLinuxMemorySources } from "./memory.ts";
import { procProblem } from "./namespace.ts";
import { files, readLatin1 } from "../files.ts";
import { HeldFile } from "./proc-files.ts";
import { emptyStatusMemory, newStatusLines, parseChildren, parseLastPidBytes, parseSmapsRollup, parseStat, parseStatusMemory, parseStatusMemoryBytes, type StatusMemory } from "./parse.ts";

// Reads /proc. Processes vanish between listing and reading: ENOENT, ESRCH and empty
// reads are normal and answered with undefined, silently. Running out of file descriptors
// or memory is not a process that vanished: taken for one, it would drop live processes
// from the sum and print a low peak as if it were right. It is thrown, and the run loop
// reports the measurement as cut short (src/session/run.ts).

/** Failures that say nothing about the process read, only about peak-mem or the system. */
const OUR_FAULTS = new Set(["EMFILE", "ENFILE", "ENOMEM"]);

function ourFault(error: unknown): boolean {
  return OUR_FAULTS.has((error as NodeJS.ErrnoException | undefined)?.code ?? "");
}

function readProc(path: string): string | undefined {
  try {
    const text = readLatin1(path);
    return text === "" ? undefined : text;
  } catch (error) {
    if (ourFault(error)) throw error;
    return undefined;
  }
}

/** Not ours to read: smaps_rollup needs ptrace rights over the process (another user's). */
const REFUSED = new Set(["EACCES", "EPERM"]);

/** --pss: one process's smaps_rollup (the kernel walks its page tables: expensive for a big one). */
function readProportional(procRoot: string, pid: number): ProportionalReading | null | undefined {
  let text: string;
  try {
    text = readLatin1(`${procRoot}/${pid}/smaps_rollup`);
  } catch (error) {
    if (ourFault(error)) throw error;
    return REFUSED.has((error as NodeJS.ErrnoException | undefined)?.code ?? "") ? null : undefined;
  }
  return parseSmapsRollup(text);
}

function toReading(memory: StatusMemory): MemoryReading | undefined {
  if (memory.zombie) return undefined;
  return { rss: memory.rss, vsz: memory.vsz, peakRss: memory.hwm, peakVsz: memory.peak, swap: memory.swap, threads: memory.threads };
}

// One buffer for every status read: the lines wanted sit in its first kilobyte or two.
const statusBuffer = Buffer.alloc(8192);
const smallBuffer = Buffer.alloc(4096);
/** Where every held status read is parsed into: nothing is allocated per read. */
const parsed = emptyStatusMemory();
const NAME_AT = 6; // after "Name:\t"

/** Whether the name line at the head of the `length` bytes in statusBuffer is `name`'s bytes. */
function sameName(length: number, name: Uint8Array): boolean {
  const end = NAME_AT + name.length;
  if (end > length || (end < length && statusBuffer[end] !== 10)) return false;
  for (let i = 0; i < name.length; i++) if (statusBuffer[NAME_AT + i] !== name[i]) return false;
  return true;
}

/** Every handle's read() shares one compiled body: marked once, at the first handle. */
let handleReadMarked = false;

function trackProcess(procRoot: string, pid: number, childrenFiles: boolean): MemoryHandle | undefined {
  const status = new HeldFile(`${procRoot}/${pid}/status`);
  if (!status.open) return undefined;
  let children: HeldFile | undefined;
  // The name heads status ("Name:\t…"): it is decoded again only when its bytes change,
  // which is at exec, so steady sampling builds no strings.
  let nameBytes: Uint8Array = Buffer.alloc(0);
  let name: string | undefined;
  // This process's reading, refilled at each read (valid until the next one): steady
  // sampling allocates nothing.
  const reading: MemoryReading = { rss: 0, vsz: 0, peakRss: 0, peakVsz: 0, swap: 0, threads: 0, name: undefined };
  // Where this process's status had its lines: looked at first, scanned only if they moved.
  const lines = newStatusLines();
  const handle: MemoryHandle = {
    read() {
      const length = status.read(statusBuffer);
      if (!length) return undefined;
      const memory = parseStatusMemoryBytes(statusBuffer, length, parsed, lines);
      if (memory.zombie) return undefined;
      if (!sameName(length, nameBytes)) {
        const end = statusBuffer.indexOf(10);
        const line = statusBuffer.subarray(NAME_AT, end > 0 && end < length ? end : NAME_AT);
        nameBytes = Buffer.from(line);
        name = line.toString("utf8") || undefined;
      }
      reading.rss = memory.rss;
      reading.vsz = memory.vsz;
      reading.peakRss = memory.hwm;
      reading.peakVsz = memory.peak;
      reading.swap = memory.swap;
      reading.threads = memory.threads;
      reading.name = name;
      return reading;
    },
    ...(childrenFiles && {
      mainThreadChildren() {
        children ??= new HeldFile(`${procRoot}/${pid}/task/${pid}/children`);
        const length = children.read(smallBuffer);
        return length === undefined ? undefined : parseChildren(smallBuffer.toString("latin1", 0, length));
      },
    }),
    close() {
      status.close();
      children?.close();
    },
  };
  if (!handleReadMarked) samplingCode(handle.read);
  handleReadMarked = true;
  return handle;
}

/** Refuses a /proc whose pids are not this namespace's (or no /proc): its numbers would be wrong. */
function checkProc(procRoot: string): void {
  let self: string | undefined;
  try {
    self = files().readlink(`${procRoot}/self`); // one syscall: this runs on every measured run
  } catch {
    self = undefined;
  }
  const problem = procProblem(process.pid, self, self !== undefined || files().exists(`${procRoot}/loadavg`));
  if (problem) throw new UsageError(problem);
}

const NONE_REAPED: readonly ReapedProcess[] = [];
/** O_CLOEXEC in /proc/PID/fdinfo's octal "flags:" (include/uapi/asm-generic/fcntl.h). */
const O_CLOEXEC = 0o2000000;

/**
 * An inherited descriptor never has close-on-exec set (exec would have closed it); Bun
 * opens /dev/null with O_CLOEXEC on a standard descriptor that was closed (seen with
 * strace). So close-on-exec on fd 0–2 at start-up means it was closed.
 */
export function fdinfoCloseOnExec(fdinfo: string): boolean {
  const flags = /^flags:\s*([0-7]+)/m.exec(fdinfo)?.[1];
  return flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) !== 0;
}

/**
 * Reaps exited children but `keep`. waitid(WNOWAIT) tells which child is waiting without
 * reaping it, so at a sample with none (nearly all) it costs one system call. Only when
 * one to keep is the one waiting (Bun is about to reap it) are the others looked for by
 * pid, from our children list.
 */
function reapExitedChildren(keep: readonly number[], ourChildren: () => number[] | undefined): readonly ReapedProcess[] {
  let reaped: ReapedProcess[] | undefined;
  for (;;) {
    const pid = exitedChild();
    if (!pid) break;
    if (keep.includes(pid)) {
      for (const other of ourChildren() ?? []) {
        if (keep.includes(other)) continue;
        const done = reapChild(other);
        if (done) (reaped ??= []).push({ pid: other, maxRss: done.maxRss, ...(done.signal && { signal: done.signal }) });
      }
      break;
    }
    const done = reapChild(pid);
    if (!done) break; // not ours after all: never loop on it
    (reaped ??= []).push({ pid, maxRss: done.maxRss, ...(done.signal && { signal: done.signal }) });
  }
  return reaped ?? NONE_REAPED;
}

export function createLinuxReader(procRoot = "/proc"): ProcessReader {
  checkProc(procRoot);
  const readStat = (pid: number) => {
    const text = readProc(`${procRoot}/${pid}/stat`);
    return text === undefined ? undefined : parseStat(text);
  };
  const memoryByPath = (pid: number): MemoryReading | undefined => {
    const text = readProc(`${procRoot}/${pid}/status`);
    return text === undefined ? undefined : toReading(parseStatusMemory(text));
  };
  // Read at every sample: held open.
  const loadavg = new HeldFile(`${procRoot}/loadavg`);
  // Children lists exist only with CONFIG_PROC_CHILDREN; look once.
  const hasChildrenFiles = files().exists(`${procRoot}/self/task/${process.pid}/children`);
  // Children are listed per thread: a process's are those of all its threads. Orphans
  // go to a subreaper's first live thread, its main one (kernel/exit.c, find_alive_thread).
  const childrenOf = (pid: number, mainThreadOnly = false): number[] | undefined => {
    let tids: string[];
    try {
      tids = mainThreadOnly ? [String(pid)] : files().list(`${procRoot}/${pid}/task`);
    } catch (error) {
      if (ourFault(error)) throw error;
      return undefined;
    }
    const children: number[] = [];
    for (const tid of tids) {
      const text = readProc(`${procRoot}/${pid}/task/${tid}/children`);
      if (text !== undefined) children.push(...parseChildren(text));
    }
    return children;
  };
  let gpu: GpuProvider | undefined;
  const reader: ProcessReader = {
    readsSwap: true,
    ...(hasChildrenFiles && { childrenOf }),
    track: (pid) => trackProcess(procRoot, pid, hasChildrenFiles),
    listPids() {
      const pids: number[] = [];
      for (const entry of files().list(procRoot)) {
        const code = entry.charCodeAt(0);
        if (code >= 48 && code <= 57) pids.push(Number(entry));
      }
      return pids;
    },
    info(pid): ProcessInfo | undefined {
      const stat = readStat(pid);
      if (!stat) return undefined;
      return { pid, startTime: stat.startTime, ppid: stat.ppid, name: stat.name };
    },
    terminalState(pid): TerminalState | undefined {
      const stat = readStat(pid);
      if (!stat) return undefined;
      return { pgrp: stat.pgrp, foregroundPgrp: stat.tpgid };
    },
    memory: memoryByPath,
    processEvents() {
      // The sockets were made through libc: where they open, its clock can be read.
      const source = openProcessEvents();
      return source && { source, monotonicMs: () => monotonicMs() ?? 0 };
    },
    proportional: {
      source: "smaps_rollup",
      read: (pid) => readProportional(procRoot, pid),
      unavailable: () => (files().exists(`${procRoot}/self/smaps_rollup`) ? undefined : "it needs /proc/PID/smaps_rollup (Linux 4.14 or later)"),
    },
    // Loaded on first use: a run that reads no GPU never loads its code.
    get gpu() {
      return (gpu ??= (require("./gpu.ts") as typeof import("./gpu.ts")).createLinuxGpu(procRoot));
    },
    adoptOrphans: becomeChildSubreaper,
    memorySources: createLinuxMemorySources(procRoot),
    reapExited: (keep) => reapExitedChildren(keep, () => childrenOf(process.pid, true)),
    closedAtStart: (fd) => {
      const text = readProc(`${procRoot}/self/fdinfo/${fd}`);
      return text !== undefined && fdinfoCloseOnExec(text);
    },
    spawnExact: spawnThroughHelper,
    // Read after the child exited: our high-water mark covers our size at the spawn.
    // Used only when the spawn helper could not be (src/platform/linux/spawn-helper/spawn.ts).
    rusageFloor: () => memoryByPath(process.pid)?.peakRss,
    isTerminal: (fd) => isatty(fd) ?? process.getBuiltinModule("node:tty").isatty(fd),
    idleWaiter: (pid) => idleWaiter(procRoot, pid),
    creationMark() {
      const length = loadavg.read(smallBuffer);
      return length ? parseLastPidBytes(smallBuffer, length) : undefined;
    },
  };
  samplingCode(reader.creationMark);
  return reader;
}

samplingCode(sameName, reapExitedChildren);
