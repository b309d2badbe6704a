import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { becomeChildSubreaper, isatty } from "../../../ffi/linux.ts";
import type { MemoryHandle, MemoryReading, ProcessInfo, ProcessReader, TerminalState } from "../types.ts";
import { parseChildren, parseLastPid, parseStat, parseStatusMemory, parseStatusMemoryBytes, type StatusMemory } from "./parse.ts";

// Reads /proc. Processes vanish between listing and reading: ENOENT, ESRCH and empty
// reads are normal and answered with undefined, silently.

function readProc(path: string): string | undefined {
  try {
    const text = readFileSync(path, "latin1");
    return text === "" ? undefined : text;
  } catch {
    return undefined;
  }
}

function toReading(memory: StatusMemory): MemoryReading | undefined {
  if (memory.zombie) return undefined;
  return { rss: memory.rss, vsz: memory.vsz, peakRss: memory.hwm, peakVsz: memory.peak };
}

// One buffer for every status read: the Vm lines sit in its first kilobyte or two.
const statusBuffer = Buffer.alloc(8192);

/**
 * A held /proc/PID/status fd, re-read from offset 0 each time (the kernel regenerates it).
 * It stays bound to the process it was opened on: once that exits, reads fail with ESRCH,
 * so a reused pid can never be read in its place. Four times cheaper than open-read-close.
 */
function trackStatus(path: string): MemoryHandle | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined; // gone already, or out of file descriptors: the caller reads by path
  }
  return {
    read() {
      if (fd === undefined) return undefined;
      let length: number;
      try {
        length = readSync(fd, statusBuffer, 0, statusBuffer.length, 0);
      } catch {
        return undefined;
      }
      return length === 0 ? undefined : toReading(parseStatusMemoryBytes(statusBuffer, length));
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

export function createLinuxReader(procRoot = "/proc"): ProcessReader {
  const readStat = (pid: number) => {
    const text = readProc(`${procRoot}/${pid}/stat`);
    return text === undefined ? undefined : parseStat(text);
  };
  // Children lists exist only with CONFIG_PROC_CHILDREN; look once.
  const hasChildrenFiles = existsSync(`${procRoot}/self/task/${process.pid}/children`);
  // Children are listed per thread: a process's are those of all its threads. Orphans
  // go to a subreaper's first live thread, its main one (kernel/exit.c, find_alive_thread).
  const childrenOf = (pid: number, mainThreadOnly = false): number[] | undefined => {
    let tids: string[];
    try {
      tids = mainThreadOnly ? [String(pid)] : readdirSync(`${procRoot}/${pid}/task`);
    } catch {
      return undefined;
    }
    const children: number[] = [];
    for (const tid of tids) {
      const text = readProc(`${procRoot}/${pid}/task/${tid}/children`);
      if (text !== undefined) children.push(...parseChildren(text));
    }
    return children;
  };
  return {
    ...(hasChildrenFiles && { childrenOf }),
    track: (pid) => trackStatus(`${procRoot}/${pid}/status`),
    listPids() {
      const pids: number[] = [];
      for (const entry of readdirSync(procRoot)) {
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
    memory(pid): MemoryReading | undefined {
      const text = readProc(`${procRoot}/${pid}/status`);
      if (text === undefined) return undefined;
      return toReading(parseStatusMemory(text));
    },
    adoptOrphans: becomeChildSubreaper,
    isTerminal: (fd) => isatty(fd) ?? require("node:tty").isatty(fd),
    creationMark() {
      const text = readProc(`${procRoot}/loadavg`);
      return text === undefined ? undefined : parseLastPid(text);
    },
  };
}
