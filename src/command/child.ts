import type { Subprocess } from "bun";
import type { ProcessReader } from "../platform/types.ts";

// The command once started, whichever way it was started: through the runtime's own spawn,
// or (Linux) through the spawn helper that forks it and hands back its exact rusage. The
// run loop knows only this.

/** How the command ended, read once it has. */
export interface CommandEnd {
  exitCode: number;
  /** The signal that killed it ("SIGKILL"), if one did. */
  signal?: string;
  /**
   * Its ru_maxrss in bytes (the command and the descendants it waited for) when that is
   * its own peak: absent when it says nothing (at or below the spawner's floor). The run
   * still refuses a value above the machine's memory.
   */
  maxRss?: number;
  /** Set when its status could not be known (the helper that held it was killed). */
  lost?: string;
}

export interface CommandChild {
  /** The command's own pid. */
  readonly pid: number;
  /** Our own child that the runtime waits for: the command itself, or the helper that forked it. */
  readonly spawnerPid: number;
  /** Settles once the command has ended and end() can answer. */
  readonly exited: Promise<unknown>;
  kill(signal: NodeJS.Signals): void;
  end(): CommandEnd;
}

/**
 * The command as the runtime spawned it (vfork + exec). Its ru_maxrss is exact only above
 * the platform's floor (Linux: peak-mem's own peak, GUIDE §2).
 */
export function runtimeChild(subprocess: Subprocess<"inherit", "inherit", "inherit">, reader: ProcessReader): CommandChild {
  return {
    pid: subprocess.pid,
    spawnerPid: subprocess.pid,
    exited: subprocess.exited,
    kill: (signal) => subprocess.kill(signal),
    end() {
      const signal = typeof subprocess.signalCode === "string" ? subprocess.signalCode : undefined;
      const exitCode = reader.exitCode?.(subprocess.pid) ?? subprocess.exitCode ?? 0;
      const maxRss = subprocess.resourceUsage()?.maxRSS;
      const floor = reader.rusageFloor?.();
      const useful = maxRss !== undefined && floor !== undefined && maxRss > floor;
      return { exitCode, ...(signal && { signal }), ...(useful && { maxRss }) };
    },
  };
}
