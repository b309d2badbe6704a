import type { Config } from "../cli/config.ts";
import { displayCommand } from "../core/text/display-command.ts";
import type { RunSignals } from "../command/signals.ts";
import { spawnCommand } from "../platform/spawn.ts";
import { describe, ReportFault } from "../core/errors.ts";
import { commandStatus } from "../core/exit-code.ts";
import { Sampler } from "../monitor/sampler.ts";
import { measure } from "../monitor/loop.ts";
import type { RunContext } from "../monitor/monitor.ts";
import { MonitorSet } from "../monitor/monitor-set.ts";
import { createMonitors } from "../monitor/registry.ts";
import { warn } from "../io/stderr.ts";
import { summarizeProcesses } from "../monitor/process-summary.ts";
import type { TimelineWriter } from "../timeline/writers.ts";
import type { WatchLine } from "../output/watch.ts";
import type { PeakCgroup } from "../platform/index.ts";
import type { CommandChild, CommandEnd, ProcessReader } from "../platform/types.ts";
import { rfc3339, type Report } from "../model/report.ts";
import { VERSION } from "../core/version.ts";

// One run: opens what must be open before the command starts (the kernel's process events,
// the monitors' start), spawns it, lets the run loop (src/monitor/loop.ts) measure it until
// it exits, then assembles the report from the tree and every monitor's group.
//
// Once the command has started, nothing ends peak-mem before the command has: a fault in
// measuring (a bug, a system that refuses a read) stops the measuring, with one warning,
// and peak-mem goes on supervising, waits for the command and reports what it has, marked.

export interface RunTools {
  reader: ProcessReader;
  /** Installed by the caller before anything that must be undone (the cgroup) exists. */
  signals: RunSignals;
  /** Optional outputs: they never throw (src/output/optional.ts). */
  timeline?: TimelineWriter;
  watch?: WatchLine;
  /** A new, empty cgroup to start the command in (--cgroup, --limit); the caller removes it. */
  cgroup?: PeakCgroup;
  /** peak-mem's pid when it is a child subreaper (orphans of the tree come to it). */
  adopterPid?: number;
  /** The command's environment, when it is not peak-mem's own. */
  env?: Record<string, string | undefined>;
}

export async function run(config: Config, tools: RunTools): Promise<Report> {
  const { signals, reader } = tools;
  // The kernel's process events, where peak-mem may listen: opened before the command
  // starts, so that every fork, exec and exit of its tree is heard, however short (with
  // --no-children, the command's own: whether it forked, and its exit statistics).
  let events: ReturnType<NonNullable<ProcessReader["processEvents"]>>;
  try {
    events = reader.processEvents?.();
  } catch {
    events = undefined; // sampled counts, as where the kernel offers no events
  }
  let eventOffsetMs = 0;
  const sampler = new Sampler(reader, {
    children: config.children,
    adopterPid: tools.adopterPid,
    ...(events && { events: { source: events.source, toRunMs: (monotonic: number) => monotonic - eventOffsetMs } }),
  });
  let t0 = performance.now();
  const clock = () => performance.now() - t0;
  const context: RunContext = { plan: config, reader, sampler, clock, events: events !== undefined, ...(tools.cgroup && { cgroup: tools.cgroup }) };
  const monitors = new MonitorSet(createMonitors(context), clock, warn);
  const startedAt = new Date();
  t0 = performance.now();
  if (events) eventOffsetMs = events.monotonicMs() - clock();
  let child: CommandChild;
  tools.cgroup?.enter();
  try {
    child = spawnCommand(config.command, reader, tools.env);
  } finally {
    tools.cgroup?.leave();
  }
  // First thing after the spawn: a command that lives a millisecond is read alive.
  let attachError: unknown;
  try {
    sampler.attach(child.pid, child.spawnerPid, execName(config.command[0] ?? ""));
  } catch (error) {
    attachError = error ?? new Error("unknown");
  }
  signals.attach(child);
  // The monitors start while the command runs, off the path from exec to spawn: a limit and a
  // counter's starting value can be read a moment after the spawn without losing anything (an
  // OOM kill takes the command longer than that to earn), in registry order.
  monitors.start();

  // From here on the command runs: nothing ends peak-mem before it has.
  const command = displayCommand(config.command);
  tools.timeline?.start({ command, intervalMs: config.intervalMs, startedAt: rfc3339(startedAt) });
  const measured = await measure(
    { sampler, monitors, child, reader, clock, intervalMs: config.intervalMs, children: config.children, timeline: tools.timeline, watch: tools.watch, warn },
    attachError === undefined ? undefined : { what: "reading the command", error: attachError },
  );
  let { fault } = measured;
  /** Reads of what the kernel kept, and cleanup: each is tried whatever happened before. */
  const guard = (what: string, step: () => void) => {
    try {
      step();
    } catch (error) {
      fault ??= { message: `${what}: ${describe(error)}`, atMs: Math.round(clock()) };
      warn(`internal error while ${what} (${describe(error)}); the report may be incomplete`);
    }
  };
  guard("closing", () => sampler.tree.close());
  guard("closing the process events", () => events?.source.close());
  signals.dispose();
  tools.watch?.finish();

  let end: CommandEnd = { exitCode: 0 };
  guard("reading how the command ended", () => (end = child.end()));
  if (end.lost) {
    fault ??= { message: `the command's exit status is unknown: ${end.lost}`, atMs: Math.round(measured.durationMs) };
    warn(`the command's exit status is unknown (${end.lost}); peak-mem exits with ${end.exitCode}`);
  }
  const signal = end.signal;
  const root = sampler.tree.members[0];
  const groups = monitors.finish({ durationMs: measured.durationMs, command: end, rootPid: child.pid, rootName: root?.name ?? config.command[0] ?? "" });

  const status = commandStatus(signal ? { signal } : { exitCode: end.exitCode });
  try {
    const { rss, vsz } = sampler.peaks;
    const { samples } = measured;
    const report: Report = {
      command,
      argv: config.command,
      exitCode: status,
      ...(signal && { signal }),
      durationMs: Math.round(measured.durationMs),
      timestamp: rfc3339(startedAt),
      // The tree's peaks monitor gives these; were it stopped, the sampler's are what is known.
      peaks: { rss: { ...rss }, vsz: { ...vsz } },
      ...groups,
      processes: summarizeProcesses(sampler.tree.members),
      sampling: {
        samples,
        intervalMs: config.intervalMs,
        // Samples are taken at both ends of the run, so there is one gap fewer than samples.
        effectiveIntervalMs: samples > 1 ? measured.durationMs / (samples - 1) : measured.durationMs,
        processesSeen: sampler.tree.seen,
        childrenTracked: config.children,
        ...(fault && { fault }),
        ...(monitors.faults.length > 0 && { monitorFaults: monitors.faults }),
      },
      build: { version: VERSION, platform: `${process.platform}-${process.arch}` },
    };
    tools.timeline?.finish(timelineSummary(report));
    return report;
  } catch (error) {
    throw new ReportFault(error, status);
  }
}

/** What a timeline file keeps of the report, beside its samples. */
function timelineSummary(report: Report): Parameters<TimelineWriter["finish"]>[0] {
  const { memory } = report;
  return {
    peakRssBytes: report.peaks.rss.bytes,
    peakVszBytes: report.peaks.vsz.bytes,
    peakRssSource: report.peaks.rss.source,
    ...(report.peaks.rss.bound && { peakRssExact: report.peaks.rss.bound.exact }),
    ...(report.peaks.rss.bound?.upperBytes !== undefined && { peakRssUpperBytes: report.peaks.rss.bound.upperBytes }),
    ...(report.gpu && report.gpu.unread === undefined && { peakGpuBytes: report.gpu.peakBytes, peakGpuExact: report.gpu.exact }),
    exitCode: report.exitCode,
    durationMs: report.durationMs,
    ...(report.signal && { signal: report.signal }),
    ...(report.threshold && { thresholdBytes: report.threshold.bytes }),
    ...(report.threshold?.given !== undefined && { thresholdGiven: report.threshold.given }),
    ...(report.sampling.childrenTracked && { processes: report.processes }),
    ...(report.programs && { programs: report.programs.list }),
    ...(memory?.limit && { limitBytes: memory.limit.bytes, limitSource: memory.limit.source }),
    ...(report.peaks.cgroup && { cgroupPeakBytes: report.peaks.cgroup.bytes }),
    ...(memory?.limitGiven !== undefined && { limitGiven: memory.limitGiven }),
    ...(memory?.oom?.treeKilled && {
      oomKill: {
        atMs: memory.oom.atMs ?? report.durationMs,
        ...(memory.oom.victim && { pid: memory.oom.victim.pid, name: memory.oom.victim.name, certain: memory.oom.victim.certain }),
      },
    }),
  };
}

/** The name the kernel gives a process that exec'd `path`: its last component, cut to 15 bytes (TASK_COMM_LEN). */
function execName(path: string): string {
  const base = Buffer.from(path.slice(path.lastIndexOf("/") + 1));
  return base.subarray(0, 15).toString("utf8");
}
