import type { Config } from "./cli/config.ts";
import { displayCommand } from "./command/display.ts";
import { forwardSignals } from "./command/signals.ts";
import { spawnCommand } from "./command/spawn.ts";
import { commandStatus } from "./exit-code.ts";
import { Sampler } from "./monitor/sampler.ts";
import { TimelineWriter } from "./output/timeline.ts";
import type { WatchLine } from "./output/watch.ts";
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
  /** peak-mem's own peak RSS (Linux VmHWM), read after the command exited; see below. */
  ownPeakRss: () => number | undefined;
  /** peak-mem's pid when it is a child subreaper (orphans of the tree come to it). */
  adopterPid?: number;
}

export async function run(config: Config, tools: RunTools): Promise<Report> {
  const sampler = new Sampler(tools.reader, { children: config.children, adopterPid: tools.adopterPid });
  const startedAt = new Date();
  const t0 = performance.now();
  const child = spawnCommand(config.command);
  sampler.attach(child.pid);
  const stopForwarding = forwardSignals(child, tools.reader);
  const command = displayCommand(config.command);
  tools.timeline?.start({ command, intervalMs: config.intervalMs, startedAt: rfc3339(startedAt) });

  let exited = false;
  const exit = child.exited.then(() => {
    exited = true;
  });
  const takeSample = () => {
    const sample = sampler.sample(performance.now() - t0);
    tools.timeline?.add(sample);
    tools.watch?.update(sample, sampler.peaks.rss.bytes, sampler.peaks.vsz.bytes);
  };
  // Ticks are scheduled from the start, not from the end of the last sample, so the
  // interval does not drift by the cost of sampling.
  let tick = 0;
  while (!exited) {
    takeSample();
    tick++;
    const wait = t0 + tick * config.intervalMs - performance.now();
    if (wait > 0) await Promise.race([exit, Bun.sleep(wait)]);
  }
  const durationMs = performance.now() - t0;
  // Processes the command left behind are still part of its tree: one last look at them.
  if (config.children) takeSample();
  stopForwarding();
  tools.watch?.finish();
  tools.timeline?.finish();

  // ru_maxrss of the direct child is exact, but never below peak-mem's own peak at spawn
  // time: the kernel keeps the pre-exec image's RSS in it and Bun spawns with vfork
  // (GUIDE §2). Only above peak-mem's own high-water mark does it speak of the child.
  // It also covers the descendants the child waited for, so not with --no-children.
  const maxRss = config.children ? child.resourceUsage()?.maxRSS : undefined;
  const floor = tools.ownPeakRss();
  if (maxRss !== undefined && floor !== undefined && maxRss > floor) sampler.peaks.offer("rss", maxRss, "rusage");

  const signal = typeof child.signalCode === "string" ? child.signalCode : undefined;
  const status = commandStatus(signal ? { signal } : { exitCode: child.exitCode ?? 0 });
  const { rss, vsz } = sampler.peaks;
  return {
    command,
    peakRssBytes: rss.bytes,
    peakVszBytes: vsz.bytes,
    rssSource: rss.source,
    vszSource: vsz.source,
    durationMs: Math.round(durationMs),
    exitCode: status,
    ...(signal && { signal }),
    ...(config.thresholdBytes !== undefined && { thresholdBytes: config.thresholdBytes }),
    thresholdExceeded: config.thresholdBytes !== undefined && rss.bytes > config.thresholdBytes,
    timestamp: rfc3339(startedAt),
    samples: sampler.count,
    intervalMs: config.intervalMs,
    // Samples are taken at both ends of the run, so there is one gap fewer than samples.
    effectiveIntervalMs: sampler.count > 1 ? durationMs / (sampler.count - 1) : durationMs,
    processesSeen: sampler.tree.seen,
    childrenTracked: config.children,
    version: VERSION,
    platform: `${process.platform}-${process.arch}`,
  };
}
