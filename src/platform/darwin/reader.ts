import { macosBindings, type DarwinBindings } from "./ffi.ts";
import { PeakMemError, describe } from "../../core/errors.ts";
import type { MemoryHandle, MemoryReading, ProcessInfo, ProcessReader, TerminalState } from "../types.ts";
import type { MemoryLimits } from "../memory-sources.ts";
import {
  darwinMemoryLimits,
  decodeBsdInfo,
  decodeMemsize,
  decodePids,
  decodeRusageV4,
  decodeTaskAllInfo,
  decodeTaskInfo,
  HW_MEMSIZE,
  HW_MEMSIZE_SIZE,
  PROC_BSDINFO_SIZE,
  PROC_PIDTASKALLINFO,
  PROC_PIDTASKINFO,
  PROC_PIDTBSDINFO,
  PROC_TASKALLINFO_SIZE,
  PROC_TASKINFO_SIZE,
  RUSAGE_INFO_V4,
  RUSAGE_INFO_V4_SIZE,
  startStamp,
  SZOMB,
  type BsdInfo,
} from "./decode.ts";

// macOS through libproc (./ffi.ts), decoded by ./decode.ts. Processes vanish between
// listing and reading: libproc then answers 0 bytes, and we answer undefined, silently.
//
// What macOS has and has not, against the ProcessReader contract:
// - RSS and VSZ: proc_taskinfo's pti_resident_size and pti_virtual_size, in bytes.
// - No per-process peak RSS (`peakRss` stays undefined). proc_pid_rusage's
//   ri_lifetime_max_phys_footprint is an exact kernel peak, but of phys_footprint, not of
//   the resident size: footprint counts the task's dirty anonymous memory including what
//   was compressed or swapped out, and leaves out clean file-backed pages (mapped
//   libraries, mmapped files) that RSS counts. Either can be the larger, so it is neither
//   the peak nor a bound of RSS, and mixing it into a peak of RSS sums would compare unlike
//   things. It is offered separately, labelled, as `footprint(pid)`.
// - Children: proc_listchildpids lists a process's direct children in one call.
// - No orphan adoption (no subreaper on macOS), no creation mark (no public "last pid").
// - Identity: pbi_start_tvsec/usec; `track` binds each handle to that start time and reads
//   identity and memory together (PROC_PIDTASKALLINFO), so a reused pid is never read in
//   its owner's place.
// - Job control: proc_bsdinfo carries the process group and the terminal's foreground
//   group (pbi_pgid, e_tpgid), so a terminal's Ctrl-C is not forwarded a second time
//   (src/command/signals.ts), as on Linux.
// - Memory limits: physical memory only (sysctl hw.memsize); no OOM counter, no pressure.

/** The phys_footprint of a process now and its kernel-kept lifetime peak, in bytes. */
export interface Footprint {
  current: number;
  lifetimeMax: number;
}

export interface DarwinReader extends ProcessReader {
  /**
   * proc_pid_rusage(RUSAGE_INFO_V4): phys_footprint and its exact lifetime peak (works on
   * zombies too). A different quantity from RSS (see above): report it under its own name.
   */
  footprint(pid: number): Footprint | undefined;
}

/** Pids per listing buffer to start with; doubled while a listing fills it. */
const INITIAL_PIDS = 2048;
const INITIAL_CHILDREN = 64;
/** More processes than any machine runs: stop growing there. */
const MAX_PIDS = 1 << 20;

export function createDarwinReader(bindings: DarwinBindings = macosBindings): DarwinReader {
  try {
    bindings.load();
  } catch (error) {
    throw new PeakMemError(`peak-mem cannot read processes on this macOS: ${describe(error)}`, 1);
  }
  // One buffer per kind of call, reused: a sample allocates nothing.
  const bsdBuffer = new Uint8Array(PROC_BSDINFO_SIZE);
  const taskBuffer = new Uint8Array(PROC_TASKINFO_SIZE);
  const allBuffer = new Uint8Array(PROC_TASKALLINFO_SIZE);
  const rusageBuffer = new Uint8Array(RUSAGE_INFO_V4_SIZE);
  let pidBuffer: Uint8Array = new Uint8Array(INITIAL_PIDS * 4);
  let childBuffer: Uint8Array = new Uint8Array(INITIAL_CHILDREN * 4);

  const bsdInfo = (pid: number): BsdInfo | undefined => {
    const written = bindings.pidinfo(pid, PROC_PIDTBSDINFO, bsdBuffer);
    const info = decodeBsdInfo(bsdBuffer, 0, written);
    return info && info.pid === pid ? info : undefined;
  };

  /** Fills a pid buffer, growing it while the answer may have been cut short. */
  const listInto = (initial: Uint8Array, call: (buffer: Uint8Array) => number): { pids: number[]; buffer: Uint8Array } => {
    let buffer = initial;
    for (;;) {
      const count = call(buffer);
      const capacity = buffer.byteLength / 4;
      if (count < capacity || capacity >= MAX_PIDS) return { pids: decodePids(buffer, count), buffer };
      buffer = new Uint8Array(buffer.byteLength * 2);
    }
  };

  const track = (pid: number): MemoryHandle | undefined => {
    const first = decodeTaskAllInfo(allBuffer, bindings.pidinfo(pid, PROC_PIDTASKALLINFO, allBuffer));
    if (!first || first.bsd.pid !== pid || first.bsd.status === SZOMB) return undefined;
    const identity = startStamp(first.bsd.startSec, first.bsd.startUsec);
    let gone = false;
    return {
      read(): MemoryReading | undefined {
        if (gone) return undefined;
        const all = decodeTaskAllInfo(allBuffer, bindings.pidinfo(pid, PROC_PIDTASKALLINFO, allBuffer));
        if (
          !all ||
          all.bsd.pid !== pid ||
          all.bsd.status === SZOMB ||
          startStamp(all.bsd.startSec, all.bsd.startUsec) !== identity
        ) {
          gone = true; // exited, or its pid is another process's now: never read again
          return undefined;
        }
        return { rss: all.task.rss, vsz: all.task.vsz, threads: all.task.threads, name: all.bsd.name };
      },
      close() {
        gone = true;
      },
    };
  };

  return {
    listPids() {
      const listed = listInto(pidBuffer, (buffer) => bindings.listallpids(buffer));
      pidBuffer = listed.buffer;
      return listed.pids;
    },
    info(pid): ProcessInfo | undefined {
      const info = bsdInfo(pid);
      if (!info) return undefined;
      return { pid, startTime: startStamp(info.startSec, info.startUsec), ppid: info.ppid, name: info.name };
    },
    childrenOf(pid) {
      // Per process, not per thread: `mainThreadOnly` changes nothing here.
      const listed = listInto(childBuffer, (buffer) => bindings.listchildpids(pid, buffer));
      childBuffer = listed.buffer;
      return listed.pids;
    },
    track,
    memory(pid): MemoryReading | undefined {
      // A zombie has no task left: proc_pidinfo(PROC_PIDTASKINFO) fails for it.
      const task = decodeTaskInfo(taskBuffer, 0, bindings.pidinfo(pid, PROC_PIDTASKINFO, taskBuffer));
      return task && { rss: task.rss, vsz: task.vsz, threads: task.threads };
    },
    footprint(pid): Footprint | undefined {
      if (bindings.pidRusage(pid, RUSAGE_INFO_V4, rusageBuffer) !== 0) return undefined;
      const usage = decodeRusageV4(rusageBuffer);
      return usage && { current: usage.physFootprint, lifetimeMax: usage.lifetimeMaxPhysFootprint };
    },
    // --pss: phys_footprint, what Activity Monitor calls Memory (dirty and compressed
    // anonymous memory, charged to the task once): macOS keeps no PSS or USS.
    proportional: {
      source: "phys_footprint",
      read(pid) {
        if (bindings.pidRusage(pid, RUSAGE_INFO_V4, rusageBuffer) !== 0) return undefined;
        const usage = decodeRusageV4(rusageBuffer);
        return usage && { pss: usage.physFootprint };
      },
    },
    creationMark: () => undefined,
    adoptOrphans: () => false,
    // Bun spawns with posix_spawn on macOS (its fork path is for PTY spawns only), and
    // XNU's posix_spawn gives the child a new task with an empty address space: its
    // ru_maxrss (the task's resident_size_max) never includes peak-mem's own pages, so it
    // is the child's own exact peak from the first byte.
    rusageFloor: () => 0,
    memorySources: () => ({
      limits(): MemoryLimits {
        try {
          const buffer = new Uint8Array(HW_MEMSIZE_SIZE);
          return darwinMemoryLimits(decodeMemsize(buffer, bindings.sysctl(HW_MEMSIZE, buffer) ?? 0));
        } catch {
          return {}; // never throws: without the figure, the report just has no limit
        }
      },
    }),
    isTerminal: (fd) => bindings.isatty(fd) ?? process.getBuiltinModule("node:tty").isatty(fd),
    terminalState(pid): TerminalState | undefined {
      const info = bsdInfo(pid);
      return info && { pgrp: info.pgid, foregroundPgrp: info.tpgid };
    },
  };
}
