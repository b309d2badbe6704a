import { existsSync, readdirSync, readFileSync } from "node:fs";
import { becomeChildSubreaper } from "../../../ffi/linux.ts";
import type { MemoryReading, ProcessInfo, ProcessReader, TerminalState } from "../types.ts";
import { parseChildren, parseLastPid, parseStat, parseStatusMemory } from "./parse.ts";

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

export function createLinuxReader(procRoot = "/proc"): ProcessReader {
  const readStat = (pid: number) => {
    const text = readProc(`${procRoot}/${pid}/stat`);
    return text === undefined ? undefined : parseStat(text);
  };
  // Children lists exist only with CONFIG_PROC_CHILDREN; look once.
  const hasChildrenFiles = existsSync(`${procRoot}/self/task/${process.pid}/children`);
  // Children are listed per thread: a process's are those of all its threads.
  const childrenOf = (pid: number): number[] | undefined => {
    let tids: string[];
    try {
      tids = readdirSync(`${procRoot}/${pid}/task`);
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
      const memory = parseStatusMemory(text);
      if (memory.zombie) return undefined;
      return { rss: memory.rss, vsz: memory.vsz, peakRss: memory.hwm, peakVsz: memory.peak };
    },
    adoptOrphans: becomeChildSubreaper,
    creationMark() {
      const text = readProc(`${procRoot}/loadavg`);
      return text === undefined ? undefined : parseLastPid(text);
    },
  };
}
