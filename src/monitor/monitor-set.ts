import { describe } from "../core/errors.ts";
import type { MonitorFault } from "../model/report.ts";
import type { TimelineSample } from "../model/chart-data.ts";
import type { Monitor, ReportGroup, RunEnd, SettleLoop } from "./monitor.ts";
import { samplingCode } from "../runtime/hot.ts";

// The monitors of one run, each phase guarded one monitor at a time: the first fault of a
// monitor stops it (its later phases are skipped, its group is left out) and is kept for the
// report against its name, with one warning; the others go on. The sample phase allocates
// nothing: plain loops over arrays, and a try that costs nothing until it throws.

export class MonitorSet {
  private readonly stopped: boolean[];
  readonly faults: MonitorFault[] = [];

  constructor(
    readonly monitors: readonly Monitor[],
    private readonly clock: () => number,
    private readonly warn: (line: string) => void,
  ) {
    this.stopped = monitors.map(() => false);
  }

  /** Right after the spawn, in registry order. */
  start(): void {
    for (let i = 0; i < this.monitors.length; i++) {
      const monitor = this.monitors[i] as Monitor;
      if (!monitor.start || this.stopped[i]) continue;
      try {
        monitor.start();
      } catch (error) {
        this.fail(i, error);
      }
    }
  }

  sample(tMs: number): void {
    for (let i = 0; i < this.monitors.length; i++) {
      const monitor = this.monitors[i] as Monitor;
      if (!monitor.sample || this.stopped[i]) continue;
      try {
        monitor.sample(tMs);
      } catch (error) {
        this.fail(i, error);
      }
    }
  }

  record(sample: TimelineSample): void {
    for (let i = 0; i < this.monitors.length; i++) {
      const monitor = this.monitors[i] as Monitor;
      if (!monitor.record || this.stopped[i]) continue;
      try {
        monitor.record(sample);
      } catch (error) {
        this.fail(i, error);
      }
    }
  }

  /** True when a monitor kept the run going past the command's exit. */
  async settle(loop: SettleLoop): Promise<boolean> {
    let kept = false;
    for (let i = 0; i < this.monitors.length; i++) {
      const monitor = this.monitors[i] as Monitor;
      if (!monitor.settle || this.stopped[i]) continue;
      try {
        if (await monitor.settle(loop)) kept = true;
      } catch (error) {
        this.fail(i, error);
      }
    }
    return kept;
  }

  /** Every group of the monitors still running, merged in registry order. */
  finish(end: RunEnd): ReportGroup {
    const report: ReportGroup = {};
    for (let i = 0; i < this.monitors.length; i++) {
      const monitor = this.monitors[i] as Monitor;
      if (!monitor.finish || this.stopped[i]) continue;
      try {
        Object.assign(report, monitor.finish(end));
      } catch (error) {
        this.fail(i, error);
      }
    }
    return report;
  }

  private fail(index: number, error: unknown): void {
    this.stopped[index] = true;
    const monitor = this.monitors[index] as Monitor;
    const atMs = this.clock();
    this.faults.push({ monitor: monitor.name, message: describe(error), atMs: Math.round(atMs) });
    this.warn(`internal error while ${monitor.name} (${describe(error)}); that stopped at ${(atMs / 1000).toFixed(2)}s, the rest of the measuring goes on`);
  }
}

samplingCode(MonitorSet.prototype.sample);
