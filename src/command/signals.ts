import type { ProcessReader } from "../platform/types.ts";

// SIGINT, SIGTERM, SIGHUP and SIGQUIT reaching peak-mem go to the command; peak-mem does
// not die of them, it waits and reports. One exception avoids a double delivery: a
// terminal's Ctrl-C or Ctrl-\ already reaches every process of the foreground group,
// the command included, so when peak-mem and the command share that group, the copy
// peak-mem receives is not sent again (as time(1) does; a second SIGINT would make many
// programs skip their cleanup).

export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
type Forwarded = (typeof FORWARDED_SIGNALS)[number];

// On Windows, Ctrl-C, Ctrl-Break and closing the console reach every process attached to
// it, the command included, and there is no way to send a console signal to one process:
// Bun's kill("SIGINT") is TerminateProcess, no cleanup. So nothing is forwarded there, and
// peak-mem only has to survive them (SIGBREAK too) to print its report.
const WINDOWS = process.platform === "win32";
const LISTENED: readonly string[] = WINDOWS ? [...FORWARDED_SIGNALS, "SIGBREAK"] : FORWARDED_SIGNALS;

export interface SignalTarget {
  pid: number;
  kill(signal: Forwarded): void;
}

/** What one run needs of the forwarder (src/session/run.ts). */
export type RunSignals = Pick<SignalForwarder, "attach" | "dispose">;

/**
 * Installed before the command starts, so that no signal can kill peak-mem in between;
 * one that arrives before there is a command to forward to is delivered once there is.
 */
export class SignalForwarder {
  /** Every signal that reached peak-mem, in order: a series stops after one (src/session/). */
  readonly caught: Forwarded[] = [];
  private target: SignalTarget | undefined;
  private readonly pending: Forwarded[] = [];
  private readonly removers: (() => void)[];

  constructor(private readonly reader: ProcessReader) {
    this.removers = LISTENED.map((signal) => {
      const handler = () => this.forward(signal as Forwarded);
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
  }

  attach(target: SignalTarget): void {
    this.target = target;
    for (const signal of this.pending.splice(0)) this.forward(signal);
  }

  dispose(): void {
    for (const remove of this.removers) remove();
  }

  /**
   * For one run of a series: its dispose() lets go of that run's command only, so that the
   * handlers stay installed between runs and peak-mem never dies of a signal there.
   */
  lease(): RunSignals {
    return { attach: (target) => this.attach(target), dispose: () => (this.target = undefined) };
  }

  private forward(signal: Forwarded): void {
    this.caught.push(signal);
    if (WINDOWS) return;
    const target = this.target;
    if (!target) {
      this.pending.push(signal);
      return;
    }
    if (fromTerminalToGroup(signal, target.pid, this.reader)) return;
    try {
      target.kill(signal);
    } catch {
      // Already exited: nothing to forward to.
    }
  }
}

function fromTerminalToGroup(signal: Forwarded, childPid: number, reader: ProcessReader): boolean {
  if (signal !== "SIGINT" && signal !== "SIGQUIT") return false;
  const self = reader.terminalState(process.pid);
  const child = reader.terminalState(childPid);
  if (!self || !child) return false;
  return self.foregroundPgrp > 0 && self.foregroundPgrp === self.pgrp && child.pgrp === self.pgrp;
}
