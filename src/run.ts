import { totalmem } from "node:os";
import type { Config } from "./cli/config.ts";
import { displayCommand } from "./command/display.ts";
import { SignalForwarder } from "./command/signals.ts";
import { STOP_GRACE_MS, STOP_WAIT_AFTER_KILL_MS, TreeStopper } from "./command/stop.ts";
import { spawnCommand, type Child } from "./command/spawn.ts";
import { commandStatus } from "./exit-code.ts";
import { Sampler } from "./monitor/sampler.ts";
import { Schedule } from "./monitor/schedule.ts";
import { summarizeProcesses } from "./timeline/processes.ts";
import type { TimelineWriter } from "./timeline/writers.ts";
import type { WatchLine } from "./output/watch.ts";
import type { PeakCgroup } from "./platform/index.ts";
import type { ProcessReader } from "./platform/types.ts";
import { rfc3339, type Report } from "./report.ts";
import { VERSION } from "./version.ts";

// Runs the command and samples it until it exits, then builds the report. The sampling
// loop wakes on whichever comes first, the next tick or the command's exit, so peak-mem
// returns as soon as the command has exited.

export interface RunTools {
  reader: ProcessReader;
  timeline?: TimelineWriter;
  watch?: WatchLine;
  /** A new, empty cgroup to start the command in (--cgroup). */
  cgroup?: PeakCgroup;
  /** peak-mem's pid when it is a child subreaper (orphans of the tree come to it). */
  adopterPid?: number;
}

export async function run(config: Config, tools: RunTools): Promise<Report> {
  const command = displayCommand(config.command);
  const signals = new SignalForwarder(tools.reader);
  const sampler = new Sampler(tools.reader, { children: config.children, adopterPid: tools.adopterPid });
  const startedAt = new Date();
  const t0 = performance.now();
  let child: Child;
  try {
    tools.cgroup?.enter();
    try {
      child = spawnCommand(config.command);
    } finally {
      tools.cgroup?.leave();
    }
  } catch (error) {
    signals.dispose();
    tools.cgroup?.remove();
    throw error;
  }
  // First thing after the spawn: a command that lives a millisecond is read alive.
  sampler.attach(child.pid);
  signals.attach(child);
  tools.timeline?.start({ command, intervalMs: config.intervalMs, startedAt: rfc3339(startedAt) });

  // One wake-up handle rather than Promise.race with the exit at every tick, which would
  // pile a reaction onto the exit promise per sample for as long as the command runs.
  let exited = false;
  let wake: (() => void) | undefined;
  child.exited.then(() => {
    exited = true;
    wake?.();
  });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const schedule = new Schedule(config.intervalMs);
  const threshold = config.thresholdBytes;
  const stopper = config.killOnThreshold ? new TreeStopper((pid, signal) => process.kill(pid, signal)) : undefined;
  const enforce = () => {
    if (stopper && threshold !== undefined) {
      stopper.check(performance.now() - t0, sampler.peaks.rss.bytes > threshold, sampler.tree.alive());
    }
  };
  let recorded = 0;
  const takeSample = (record: (now: number) => boolean) => {
    const now = performance.now() - t0;
    const sample = sampler.sample(now);
    if (!record(now)) return;
    recorded++;
    tools.timeline?.add({ tMs: sample.tMs, rss: sample.rss, vsz: sample.vsz, processCount: sample.count });
    tools.watch?.update(sample, sampler.peaks.rss.bytes, sampler.peaks.vsz.bytes);
  };
  while (!exited) {
    takeSample((now) => schedule.due(now));
    enforce();
    const now = performance.now() - t0;
    const alive = sampler.tree.rootAlive;
    const wait = schedule.delay(now, alive);
    // Within the burst peak-mem naps without the event loop: the command cannot be reaped
    // meanwhile, so its exit shows as a zombie and ends the burst. Otherwise it always
    // yields, even when late, so the exit is seen.
    if (schedule.inBurst(now, alive)) napSync(wait);
    else await sleep(wait);
  }
  const durationMs = performance.now() - t0;
  // Processes the command left behind are still part of its tree: one last look at them.
  if (config.children) takeSample(() => true);
  // A tree being stopped is stopped whole: orphans left behind are signalled and waited for,
  // but not forever: one peak-mem may not signal (another user's) must not hang the run.
  const giveUpAt = (stopper?.stoppedAtMs ?? 0) + STOP_GRACE_MS + STOP_WAIT_AFTER_KILL_MS;
  while (stopper?.stopping && performance.now() - t0 < giveUpAt && sampler.tree.anyAlive) {
    enforce();
    await sleep(20);
    sampler.sample(performance.now() - t0);
  }
  sampler.tree.close();
  signals.dispose();
  tools.watch?.finish();

  // ru_maxrss of the direct child is exact above the platform's floor (on Linux peak-mem's
  // own peak: the kernel keeps the pre-exec image's RSS in it and Bun spawns with vfork,
  // GUIDE §2). It also covers the descendants the child waited for, so not with
  // --no-children. A value above the machine's memory is not a peak but a fault: never shown.
  const maxRss = config.children ? child.resourceUsage()?.maxRSS : undefined;
  const floor = tools.reader.rusageFloor?.();
  if (maxRss !== undefined && floor !== undefined && maxRss > floor && maxRss <= totalmem()) {
    sampler.peaks.offer("rss", maxRss, "rusage");
  }

  const cgroupPeak = tools.cgroup?.peak();
  tools.cgroup?.remove();

  const signal = typeof child.signalCode === "string" ? child.signalCode : undefined;
  const status = commandStatus(signal ? { signal } : { exitCode: tools.reader.exitCode?.(child.pid) ?? child.exitCode ?? 0 });
  const { rss, vsz } = sampler.peaks;
  const report: Report = {
    command,
    peakRssBytes: rss.bytes,
    peakVszBytes: vsz.bytes,
    rssSource: rss.source,
    vszSource: vsz.source,
    durationMs: Math.round(durationMs),
    exitCode: status,
    ...(signal && { signal }),
    ...(config.thresholdBytes !== undefined && { thresholdBytes: config.thresholdBytes }),
    ...(cgroupPeak !== undefined && { cgroupPeakBytes: cgroupPeak, cgroupSource: tools.cgroup?.source }),
    thresholdExceeded: config.thresholdBytes !== undefined && rss.bytes > config.thresholdBytes,
    ...(stopper?.stoppedAtMs !== undefined && { stoppedAtMs: Math.round(stopper.stoppedAtMs), stopEscalated: stopper.escalated }),
    timestamp: rfc3339(startedAt),
    samples: recorded,
    intervalMs: config.intervalMs,
    // Samples are taken at both ends of the run, so there is one gap fewer than samples.
    effectiveIntervalMs: recorded > 1 ? durationMs / (recorded - 1) : durationMs,
    processesSeen: sampler.tree.seen,
    childrenTracked: config.children,
    processes: summarizeProcesses(sampler.tree.members),
    version: VERSION,
    platform: `${process.platform}-${process.arch}`,
  };
  tools.timeline?.finish({
    peakRssBytes: report.peakRssBytes,
    peakVszBytes: report.peakVszBytes,
    peakRssSource: report.rssSource,
    exitCode: report.exitCode,
    durationMs: report.durationMs,
    ...(report.signal && { signal: report.signal }),
    ...(report.thresholdBytes !== undefined && { thresholdBytes: report.thresholdBytes }),
    ...(config.children && { processes: report.processes }),
  });
  return report;
}

const napCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks for a fraction of a millisecond (Bun.sleepSync rounds those down to nothing). */
function napSync(ms: number): void {
  Atomics.wait(napCell, 0, 0, ms);
}
