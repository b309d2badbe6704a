import {
  closeHandle,
  creationTime,
  exitCode,
  forEachProcess,
  hasExited,
  imagePath,
  isConsole,
  jobLimitInformation,
  memoryCounters,
  memoryStatus,
  openProcess,
  systemTime,
  type Handle,
} from "./ffi.ts";
import type { MemoryLimits } from "../memory-sources.ts";
import type { GpuProvider, MemoryHandle, MemoryReading, ProcessInfo, ProcessReader } from "../types.ts";
import {
  baseName,
  decodeFiletime,
  decodeProcessEntry,
  decodeProcessMemoryCounters,
  decodeWideString,
  windowsMemoryLimits,
  type ProcessEntry,
} from "./decode.ts";

// Reads processes through kernel32 (./ffi.ts). Processes vanish between listing and
// reading: a pid that cannot be opened, or whose process has exited, is answered with
// undefined, silently.
//
// What is measured, per process (PROCESS_MEMORY_COUNTERS):
//   rss     WorkingSetSize      the working set: pages resident for it now
//   vsz     PagefileUsage       the commit charge (private committed bytes). Windows has no
//                               VSZ as Unix means it; the commit charge is its nearest
//                               figure and the one Task Manager calls "Commit size"
//   peakRss PeakWorkingSetSize  kept by the kernel: the exact peak, between samples too
//   peakVsz PeakPagefileUsage   likewise
//
// Identity: a process is (pid, creation time from GetProcessTimes). Parents come from a
// Toolhelp snapshot, whose th32ParentProcessID is the creator's pid as it was at creation
// and is never updated: the creator may have exited and its pid gone to another process.
// A parent created after its child is therefore no parent, and reported as pid 0.
// A tracked process is held by an open handle, which keeps the process object, and with it
// its pid, from being reused: the Windows analogue of Linux's held /proc fd.
//
// Memory limits: physical memory (GlobalMemoryStatusEx), and the memory limit of the job
// object peak-mem runs in, if it runs in one that has one (QueryInformationJobObject); the
// command inherits that job. A job's JobMemoryLimit and ProcessMemoryLimit cap the commit
// charge (private bytes, our VSZ), not the working set (our RSS): an allocation past one
// fails, nothing is trimmed. Only the innermost job can be read: a limit set on an outer
// job, which applies as well, is not seen. No OOM counter and no pressure figures.

/** A snapshot answers info() for this long at most; a new one is taken after. */
const SNAPSHOT_REUSE_MS = 1000;

interface Snapshot {
  /** System time just before the snapshot, ms since 1970 (decodeFiletime). */
  takenAt: number;
  /** performance.now() then. */
  takenAtMs: number;
  entries: Map<number, ProcessEntry>;
}

/** The process's creation time as a start stamp, or undefined if it cannot be opened. */
function startTimeOf(pid: number): number | undefined {
  const handle = openProcess(pid);
  if (handle === undefined) return undefined;
  try {
    const time = creationTime(handle);
    return time && decodeFiletime(time);
  } finally {
    closeHandle(handle);
  }
}

/** The executable's file name, from its full path; "" if not known (yet). */
function imageNameOf(handle: Handle): string {
  const path = imagePath(handle);
  return path ? baseName(decodeWideString(path, 0, path.byteLength / 2)) : "";
}

/** Memory of a live process through an open handle; undefined once it has exited. */
function readMemory(handle: Handle): MemoryReading | undefined {
  // An exited process stays readable while anyone holds a handle (Bun holds its child's
  // until it is reaped): like a Linux zombie, it has nothing left to measure.
  if (hasExited(handle)) return undefined;
  const view = memoryCounters(handle);
  const counters = view && decodeProcessMemoryCounters(view);
  if (!counters) return undefined;
  return {
    rss: counters.workingSetSize,
    vsz: counters.pagefileUsage,
    peakRss: counters.peakWorkingSetSize,
    peakVsz: counters.peakPagefileUsage,
  };
}

export interface WindowsReader extends ProcessReader {
  /**
   * The full 32-bit exit code (signed, as cmd and PowerShell show it) of a process that
   * was tracked and seen to exit, or whose handle was closed after it exited; undefined
   * otherwise. Bun 1.4 keeps only the low 8 bits in Subprocess.exitCode.
   */
  exitCode(pid: number): number | undefined;
}

export function createWindowsReader(): WindowsReader {
  let snapshot: Snapshot | undefined;
  // Exit codes of tracked processes, read through their handle once they had exited.
  const exitCodes = new Map<number, number>();
  const noteExit = (pid: number, handle: Handle) => {
    // The first process tracked under a pid keeps it: the command's own code cannot be
    // overwritten by a later process that got its pid after it exited.
    if (exitCodes.has(pid) || !hasExited(handle)) return;
    const code = exitCode(handle);
    if (code !== undefined) exitCodes.set(pid, code);
  };

  const takeSnapshot = (): Snapshot | undefined => {
    const takenAt = decodeFiletime(systemTime());
    const takenAtMs = performance.now();
    const entries = new Map<number, ProcessEntry>();
    const taken = forEachProcess((view) => {
      const entry = decodeProcessEntry(view);
      if (entry) entries.set(entry.pid, entry);
    });
    snapshot = taken ? { takenAt, takenAtMs, entries } : undefined;
    return snapshot;
  };

  /**
   * The snapshot entry of the process that has `pid` now, created at `start`; call it
   * while holding a handle to that process, which keeps its pid from being reused.
   * - The cached snapshot, if it began after that process was created and lists the pid:
   *   the pid was that process's from its creation on, so the entry is its own. (Only
   *   a backward step of the system clock within SNAPSHOT_REUSE_MS could fool this.)
   * - Else a new snapshot, taken while the pid is held: any entry for it is that process.
   */
  const entryOf = (pid: number, start: number): ProcessEntry | undefined => {
    const cached = snapshot;
    if (cached && start < cached.takenAt && performance.now() - cached.takenAtMs <= SNAPSHOT_REUSE_MS) {
      const entry = cached.entries.get(pid);
      if (entry) return entry;
    }
    return takeSnapshot()?.entries.get(pid); // none: it has exited (Toolhelp lists only the living)
  };

  let gpu: GpuProvider | undefined;
  return {
    /** A new snapshot at every listing: the info() calls that follow it are answered from it. */
    listPids() {
      return [...(takeSnapshot()?.entries.keys() ?? [])];
    },
    info(pid): ProcessInfo | undefined {
      const handle = openProcess(pid);
      if (handle === undefined) return undefined;
      try {
        const time = creationTime(handle);
        if (!time) return undefined;
        const startTime = decodeFiletime(time);
        const entry = entryOf(pid, startTime);
        if (!entry) return undefined;
        let ppid = entry.ppid;
        const parentStart = ppid === 0 ? undefined : startTimeOf(ppid);
        if (parentStart !== undefined && parentStart > startTime) ppid = 0; // the pid of a later process
        // Wine lists a process before its image is known, with an empty name.
        return { pid, startTime, ppid, name: entry.name || imageNameOf(handle) };
      } finally {
        closeHandle(handle);
      }
    },
    // Loaded on first use: a run that reads no GPU never loads its code.
    get gpu() {
      return (gpu ??= (require("./gpu.ts") as typeof import("./gpu.ts")).createWindowsGpu());
    },
    // --pss: private bytes (PagefileUsage, the memory committed to this process alone),
    // Windows' nearest figure to what a process costs; it keeps no PSS. Not resident memory.
    proportional: {
      source: "private bytes",
      read(pid) {
        const handle = openProcess(pid);
        if (handle === undefined) return undefined;
        try {
          const reading = readMemory(handle);
          return reading && { pss: reading.vsz, uss: reading.vsz };
        } finally {
          closeHandle(handle);
        }
      },
    },
    memory(pid): MemoryReading | undefined {
      const handle = openProcess(pid);
      if (handle === undefined) return undefined;
      try {
        return readMemory(handle);
      } finally {
        closeHandle(handle);
      }
    },
    track(pid): MemoryHandle | undefined {
      let handle = openProcess(pid);
      if (handle === undefined) return undefined;
      // A Windows process keeps its name for life (there is no exec): it is read once, at
      // the first read that finds it, so that one listed before it had one gets it.
      let named = false;
      return {
        read() {
          if (handle === undefined) return undefined;
          const reading = readMemory(handle);
          if (!reading) {
            noteExit(pid, handle);
            return undefined;
          }
          if (!named) {
            const name = imageNameOf(handle);
            if (name) reading.name = name;
            named = name !== "";
          }
          return reading;
        },
        close() {
          if (handle === undefined) return;
          noteExit(pid, handle);
          closeHandle(handle);
          handle = undefined;
        },
      };
    },
    exitCode: (pid) => exitCodes.get(pid),
    // Windows hands out pids in no order that tells new from old.
    creationMark: () => undefined,
    // Windows has no reparenting and nothing like a subreaper: a process keeps its
    // creator's pid as its parent, alive or not.
    adoptOrphans: () => false,
    isTerminal: (fd) => isConsole(fd) ?? process.getBuiltinModule("node:tty").isatty(fd),
    // No process groups or controlling terminals.
    terminalState: () => undefined,
    memorySources: () => ({
      limits(): MemoryLimits {
        try {
          return windowsMemoryLimits(memoryStatus(), jobLimitInformation());
        } catch {
          return {}; // never throws: a call that fails leaves its limit out
        }
      },
    }),
  };
}
