import { readdirSync, readFileSync } from "node:fs";
import { becomeChildSubreaper } from "../../../ffi/linux.ts";
import type { MemoryReading, ProcessInfo, ProcessReader, TerminalState } from "../types.ts";
import { parseLastPid, parseStat, parseStatusMemory } from "./parse.ts";

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
  return {
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
