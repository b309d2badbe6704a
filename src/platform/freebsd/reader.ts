import { freebsdBindings, type FreebsdBindings } from "./ffi.ts";
import { PeakMemError, describe } from "../../core/errors.ts";
import type { MemoryHandle, MemoryReading, ProcessInfo, ProcessReader, TerminalState } from "../types.ts";
import {
  CTL_KERN,
  decodeKinfoProc,
  decodeKinfoProcList,
  KERN_PROC,
  KERN_PROC_PID,
  KERN_PROC_PROC,
  KINFO_PROC_SIZE,
  startStamp,
  SZOMB,
  type KinfoProc,
} from "./decode.ts";

// FreeBSD through sysctl(KERN_PROC) (./ffi.ts), decoded by ./decode.ts.
//
// NOT RUN ON FREEBSD YET: Bun has no FreeBSD build target today. This reader is complete
// and tested on Linux against a fake sysctl answering with byte buffers laid out per
// sys/sys/user.h (test/platform/freebsd/reader.test.ts), ready for when Bun targets FreeBSD.
//
// Against the ProcessReader contract:
// - RSS: ki_rssize pages × the page size; VSZ: ki_size, bytes.
// - Per-process peak RSS: ki_rusage.ru_maxrss (KiB). The kernel raises it at each
//   statclock tick the process runs on (kern_clock.c) to the same resident count that
//   ki_rssize reports (less the kernel stack pages ki_rssize adds), so it is a peak of
//   the same quantity, if a sampled one: never above the true peak.
// - No children lists: new processes are found by listing all (KERN_PROC_PROC) and
//   reading their parents, which the sampler does itself when `childrenOf` is absent.
// - No creation mark (kern.lastpid exists, but with kern.randompid pids are not handed out
//   in order, and the mark's window would then miss new processes). No orphan adoption
//   (procctl(PROC_REAP_ACQUIRE) could give it: not done yet). No ru_maxrss floor: how a
//   FreeBSD Bun would spawn is unknown, so the child's ru_maxrss is not used.
// - Identity: ki_start; `track` reads identity and memory in one sysctl and stays bound
//   to the process it was opened on.

/** Records of room for one process: more than one kinfo_proc, in case of padding. */
const ONE_PROCESS = 2 * KINFO_PROC_SIZE;
/** Slack on top of the size sysctl asks for, since processes start between the calls. */
const LIST_SLACK = 64 * KINFO_PROC_SIZE;
const LIST_ATTEMPTS = 4;

export function createFreebsdReader(bindings: FreebsdBindings = freebsdBindings): ProcessReader {
  let pageSize: number;
  try {
    bindings.load();
    pageSize = bindings.pageSize();
  } catch (error) {
    throw new PeakMemError(`peak-mem cannot read processes on this FreeBSD: ${describe(error)}`, 1);
  }
  const pidMib = new Int32Array([CTL_KERN, KERN_PROC, KERN_PROC_PID, 0]);
  const listMib = new Int32Array([CTL_KERN, KERN_PROC, KERN_PROC_PROC]);
  const oneBuffer = new Uint8Array(ONE_PROCESS);
  let listBuffer = new Uint8Array(0);

  /** The kinfo_proc of one process, or undefined (ESRCH when it is gone). */
  const kinfo = (pid: number): KinfoProc | undefined => {
    pidMib[3] = pid;
    const written = bindings.sysctl(pidMib, oneBuffer);
    if (written < KINFO_PROC_SIZE) return undefined;
    const proc = decodeKinfoProc(oneBuffer, 0, written);
    return proc && proc.pid === pid ? proc : undefined;
  };

  const toReading = (proc: KinfoProc): MemoryReading | undefined => {
    if (proc.stat === SZOMB) return undefined; // exited: nothing of it is left to measure
    return {
      rss: proc.rssPages * pageSize,
      vsz: proc.vszBytes,
      peakRss: proc.maxRssKiB * 1024,
      threads: proc.threads,
      name: proc.name,
    };
  };

  const track = (pid: number): MemoryHandle | undefined => {
    const first = kinfo(pid);
    if (!first || first.stat === SZOMB) return undefined;
    const identity = startStamp(first.startSec, first.startUsec);
    let gone = false;
    return {
      read() {
        if (gone) return undefined;
        const proc = kinfo(pid);
        const reading = proc && startStamp(proc.startSec, proc.startUsec) === identity ? toReading(proc) : undefined;
        if (!reading) gone = true; // exited, or its pid is another process's now
        return reading;
      },
      close() {
        gone = true;
      },
    };
  };

  return {
    listPids() {
      for (let attempt = 0; attempt < LIST_ATTEMPTS; attempt++) {
        const needed = bindings.sysctl(listMib, null);
        if (needed < 0) return [];
        if (listBuffer.byteLength < needed + LIST_SLACK) listBuffer = new Uint8Array(needed + LIST_SLACK);
        const written = bindings.sysctl(listMib, listBuffer);
        // -1 is ENOMEM when more processes started than the slack allows: ask again.
        if (written >= 0) return decodeKinfoProcList(listBuffer, written).map((proc) => proc.pid);
      }
      return [];
    },
    info(pid): ProcessInfo | undefined {
      const proc = kinfo(pid);
      return proc && { pid, startTime: startStamp(proc.startSec, proc.startUsec), ppid: proc.ppid, name: proc.name };
    },
    track,
    memory(pid) {
      const proc = kinfo(pid);
      return proc && toReading(proc);
    },
    creationMark: () => undefined,
    adoptOrphans: () => false,
    isTerminal: (fd) => bindings.isatty(fd) ?? process.getBuiltinModule("node:tty").isatty(fd),
    terminalState(pid): TerminalState | undefined {
      const proc = kinfo(pid);
      return proc && { pgrp: proc.pgid, foregroundPgrp: proc.tpgid };
    },
  };
}
