import type { ProcessReader } from "../platform/types.ts";

// SIGINT, SIGTERM, SIGHUP and SIGQUIT reaching peak-mem go to the command; peak-mem does
// not die of them, it waits and reports. One exception avoids a double delivery: a
// terminal's Ctrl-C or Ctrl-\ already reaches every process of the foreground group,
// the command included, so when peak-mem and the command share that group, the copy
// peak-mem receives is not sent again (as time(1) does; a second SIGINT would make many
// programs skip their cleanup).

export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
type Forwarded = (typeof FORWARDED_SIGNALS)[number];

export interface SignalTarget {
  pid: number;
  kill(signal: Forwarded): void;
}

export function forwardSignals(child: SignalTarget, reader: ProcessReader): () => void {
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      if (fromTerminalToGroup(signal, child.pid, reader)) return;
      try {
        child.kill(signal);
      } catch {
        // Already exited: nothing to forward to.
      }
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => {
    for (const remove of handlers) remove();
  };
}

function fromTerminalToGroup(signal: Forwarded, childPid: number, reader: ProcessReader): boolean {
  if (signal !== "SIGINT" && signal !== "SIGQUIT") return false;
  const self = reader.terminalState(process.pid);
  const child = reader.terminalState(childPid);
  if (!self || !child) return false;
  return self.foregroundPgrp > 0 && self.foregroundPgrp === self.pgrp && child.pgrp === self.pgrp;
}
