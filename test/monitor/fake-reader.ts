// A process table in memory standing in for the platform's reader, shared by the tree and
// sampler tests.
import type { MemoryReading, ProcessInfo, ProcessReader } from "../../src/platform/types.ts";

export interface FakeProcess {
  ppid: number;
  startTime: number;
  rss: number;
  peakRss?: number;
}

/**
 * A process table held in memory, listed in insertion order. `mark` plays the last pid
 * handed out (undefined: the platform has none); `infoCalls` records every info() read,
 * `markReads` counts the mark's.
 */
export class FakeReader implements ProcessReader {
  readonly table = new Map<number, FakeProcess>();
  mark: number | undefined;
  infoCalls: number[] = [];
  /** How many times the creation mark was read. */
  markReads = 0;

  constructor(mark: number | undefined, processes: Record<number, FakeProcess> = {}) {
    this.mark = mark;
    for (const [pid, process] of Object.entries(processes)) this.table.set(Number(pid), process);
  }

  /** A process appears; like the kernel, the mark moves to its pid. */
  spawn(pid: number, process: FakeProcess): void {
    this.table.set(pid, process);
    if (this.mark !== undefined) this.mark = pid;
  }

  listPids(): number[] {
    return [...this.table.keys()];
  }
  info(pid: number): ProcessInfo | undefined {
    this.infoCalls.push(pid);
    const p = this.table.get(pid);
    return p && { pid, ppid: p.ppid, startTime: p.startTime, name: `proc${pid}` };
  }
  memory(pid: number): MemoryReading | undefined {
    const p = this.table.get(pid);
    return p && { rss: p.rss, vsz: 2 * p.rss, ...(p.peakRss !== undefined && { peakRss: p.peakRss }) };
  }
  creationMark(): number | undefined {
    this.markReads++;
    return this.mark;
  }
  adoptOrphans(): boolean {
    return true;
  }
  isTerminal() {
    return false;
  }
  terminalState() {
    return undefined;
  }
}
