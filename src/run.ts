import type { Config } from "./cli/config.ts";
import { displayCommand } from "./core/text/display-command.ts";
import type { RunSignals } from "./command/signals.ts";
import { STOP_GRACE_MS, STOP_WAIT_AFTER_KILL_MS, TreeStopper } from "./command/stop.ts";
import { spawnCommand } from "./platform/spawn.ts";
import { describe } from "./core/errors.ts";
import { commandStatus } from "./core/exit-code.ts";
import { Sampler } from "./monitor/sampler.ts";
import { MemoryEnvironmentMonitor } from "./monitor/memory-environment.ts";
import { ProgramsMonitor } from "./monitor/programs.ts";
import { PssMonitor } from "./monitor/pss.ts";
import { Schedule } from "./monitor/schedule.ts";
import { tierSamplingCode } from "./runtime/hot.ts";
import { warn } from "./io/stderr.ts";
import { summarizeProcesses } from "./timeline/processes.ts";
import type { TimelineWriter } from "./timeline/writers.ts";
import type { WatchLine } from "./output/watch.ts";
import type { PeakCgroup } from "./platform/index.ts";
import type { CommandChild, CommandEnd, IdleWaiter, ProcessReader } from "./platform/types.ts";
import { rfc3339, type Report } from "./model/report.ts";
import { VERSION } from "./core/version.ts";

// Runs the command and samples it until it exits, then builds the report. The sampling
// loop wakes on whichever comes first, the next tick or the command's exit, so peak-mem
// returns as soon as the command has exited.
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

/** Thrown only if the report itself cannot be built: the command has ended, its status is known. */
export class ReportFault extends Error {
  constructor(
    override readonly cause: unknown,
    readonly status: number,
  ) {
    super(`cannot build the report: ${describe(cause)}`);
  }
}

export async function run(config: Config, tools: RunTools): Promise<Report> {
  const { signals } = tools;
  // The kernel's process events, where peak-mem may listen: opened before the command
  // starts, so that every fork, exec and exit of its tree is heard, however short.
  let events: ReturnType<NonNullable<ProcessReader["processEvents"]>>;
  try {
    events = config.children ? tools.reader.processEvents?.() : undefined;
  } catch {
    events = undefined; // sampled counts, as where the kernel offers no events
  }
  let eventOffsetMs = 0;
  const sampler = new Sampler(tools.reader, {
    children: config.children,
    adopterPid: tools.adopterPid,
    ...(events && { events: { source: events.source, toRunMs: (monotonic: number) => monotonic - eventOffsetMs } }),
  });
  // Where the command runs: its limit and the counters' starting values, before it starts.
  const environment = new MemoryEnvironmentMonitor(tools.reader.memorySources?.(tools.cgroup?.dir), config.limitBytes !== undefined);
  try {
    environment.start();
  } catch (error) {
    warn(`cannot read the memory limit (${describe(error)}); the run goes on without it`);
  }
  // --threshold 80%: a share of the limit just found.
  const threshold =
    config.thresholdBytes ?? (config.thresholdPercent !== undefined && environment.limit ? Math.floor((environment.limit.bytes * config.thresholdPercent) / 100) : undefined);
  const startedAt = new Date();
  const t0 = performance.now();
  const clock = () => performance.now() - t0;
  if (events) eventOffsetMs = events.monotonicMs() - clock();
  // Monitors of the tree, each called after every sample: memory by program, and --pss.
  const programs = config.children ? new ProgramsMonitor() : undefined;
  const pss = config.pss && tools.reader.proportional ? new PssMonitor(tools.reader.proportional, config.intervalMs, clock) : undefined;
  let child: CommandChild;
  tools.cgroup?.enter();
  try {
    child = spawnCommand(config.command, tools.reader, tools.env);
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

  // From here on the command runs. Every step is guarded: the first fault is kept for the
  // report, measuring stops, supervising does not.
  let fault: Report["fault"];
  const noteFault = (what: string, error: unknown) => {
    fault ??= { message: `${what}: ${describe(error)}`, atMs: Math.round(clock()) };
    warn(`internal error while ${what} (${describe(error)}); measuring stopped at ${(clock() / 1000).toFixed(2)}s, the command goes on`);
  };
  /** Sampling steps are skipped after a fault; `always`: reads of what the kernel kept, and cleanup. */
  const guard = (what: string, step: () => void, always = false) => {
    if (fault && !always) return;
    try {
      step();
    } catch (error) {
      noteFault(what, error);
    }
  };

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

  if (attachError !== undefined) noteFault("reading the command", attachError);
  const command = displayCommand(config.command);
  tools.timeline?.start({ command, intervalMs: config.intervalMs, startedAt: rfc3339(startedAt) });

  const stopper = config.killOnThreshold ? new TreeStopper((pid, signal) => process.kill(pid, signal)) : undefined;
  const enforce = () => {
    if (stopper && threshold !== undefined) stopper.check(clock(), sampler.peaks.rss.bytes > threshold, sampler.tree.alive());
  };
  let recorded = 0;
  const takeSample = (record: (now: number) => boolean) => {
    const now = clock();
    const sample = sampler.sample(now);
    environment.sample(now);
    programs?.sample(sampler.tree.latest);
    const rssWithPss = pss?.sample(now, sampler.tree);
    if (rssWithPss) sampler.peaks.offer("rss", rssWithPss, "sampled-sum");
    if (!record(now)) return;
    recorded++;
    if (tools.timeline) {
      const top = programs?.top();
      tools.timeline.add({ tMs: sample.tMs, rss: sample.rss, vsz: sample.vsz, processCount: sample.count, ...(top && { programs: top.programs, otherRss: top.otherRss }) });
    }
    tools.watch?.update(sample, sampler.peaks.rss.bytes, sampler.peaks.vsz.bytes);
  };

  // One wake-up handle rather than Promise.race with the exit at every tick, which would
  // pile a reaction onto the exit promise per sample for as long as the command runs.
  const schedule = new Schedule(config.intervalMs);
  const onGrid = (now: number) => schedule.due(now);
  // Between samples, where the platform can, peak-mem waits without a turn of the event
  // loop, which runs when something came for it (the exit, a signal), and at every tenth
  // sample or second, whichever comes first: the runtime's collector and allocator tidy up
  // there (without those turns peak-mem's own memory grew by 12 MiB over 12 s at
  // --interval 1 with a timeline; a turn a second still left it 3 MiB higher).
  let lastTurnAt = 0;
  let quietWaits = 0;
  let tiered = false;
  let waiter: IdleWaiter | undefined;
  // The loop is a function of its own: the JIT then compiles what runs at every sample,
  // not the whole of run() around it (which cost its compiler thread tens of ms a run).
  const sampleUntilExit = async () => {
    while (!exited && !fault) {
      let wait: number;
      let burst: boolean;
      let wakeAt: number;
      // Inline, not through guard(): a closure per sample is garbage in the hot loop.
      try {
        takeSample(onGrid);
        enforce();
        const now = clock();
        const alive = sampler.tree.rootAlive;
        wait = schedule.delay(now, alive);
        burst = schedule.inBurst(now, alive);
        wakeAt = now + wait;
      } catch (error) {
        noteFault("sampling", error);
        break;
      }
      // Within the burst peak-mem naps without the event loop: the command cannot be reaped
      // meanwhile, so its exit shows as a zombie and ends the burst. Otherwise it waits on
      // what would wake the event loop, and lets the loop run once something has (even when
      // late, so the exit is seen); without such a wait, it always yields.
      if (burst) {
        napSync(wait);
        continue;
      }
      if (!tiered) {
        // Past the start-up burst the command lives long enough for the JIT's choices and the
        // way of waiting to matter: short commands pay for neither.
        tiered = true;
        tierSamplingCode(config.intervalMs);
        try {
          // The runtime sees the exit when its own child (the spawner) has gone.
          waiter = tools.reader.idleWaiter?.(child.spawnerPid);
        } catch {
          waiter = undefined; // the event loop's timers, as everywhere else
        }
      }
      if (quietWaits >= QUIET_WAITS_MAX || wakeAt - lastTurnAt >= QUIET_MS_MAX || !waiter?.wait(wait)) {
        lastTurnAt = wakeAt;
        quietWaits = 0;
        await sleep(Math.max(0, wakeAt - clock()));
      } else quietWaits++;
    }
  };
  await sampleUntilExit();
  waiter?.close();
  // After a fault: no more measuring, but the command is still ours to wait for.
  while (!exited) await sleep(60_000);
  let durationMs = clock();

  // Processes the command left behind are still part of its tree: one last look at them.
  if (config.children) guard("sampling", () => takeSample(() => true));
  // A tree being stopped is stopped whole: orphans left behind are signalled and waited for,
  // but not forever: one peak-mem may not signal (another user's) must not hang the run.
  if (stopper?.stopping) {
    const giveUpAt = (stopper.stoppedAtMs ?? 0) + STOP_GRACE_MS + STOP_WAIT_AFTER_KILL_MS;
    let alive = sampler.tree.anyAlive;
    while (!fault && alive && clock() < giveUpAt) {
      guard("stopping the tree", enforce);
      await sleep(20);
      guard("sampling", () => {
        sampler.sample(clock());
        alive = sampler.tree.anyAlive;
      });
    }
    // The run ends when the tree is gone, or when peak-mem gave up on what survived.
    durationMs = clock();
  }
  const survivors = stopper?.stopping ? [...sampler.tree.alive()].map((member) => ({ pid: member.pid, name: member.name, reason: stopper.failure(member.pid) })) : [];
  guard("closing", () => sampler.tree.close(), true);
  guard("closing the process events", () => events?.source.close(), true);
  signals.dispose();
  tools.watch?.finish();

  // ru_maxrss of the command is its exact peak, and that of the descendants it waited for
  // (so not with --no-children): with no floor when the spawn helper started it, else only
  // above peak-mem's own peak (src/platform/spawn.ts runtimeChild). A value above the machine's memory is
  // not a peak but a fault: never shown.
  let end: CommandEnd = { exitCode: 0 };
  guard("reading how the command ended", () => (end = child.end()), true);
  if (end.lost) {
    fault ??= { message: `the command's exit status is unknown: ${end.lost}`, atMs: Math.round(durationMs) };
    warn(`the command's exit status is unknown (${end.lost}); peak-mem exits with ${end.exitCode}`);
  }
  guard("reading the command's resource usage", () => {
    const maxRss = config.children ? end.maxRss : undefined;
    if (maxRss !== undefined && maxRss <= (environment.physicalBytes ?? process.getBuiltinModule("node:os").totalmem())) sampler.peaks.offer("rss", maxRss, "rusage");
  }, true);
  const signal = end.signal;
  let memory: Report["memory"];
  guard(
    "reading the memory limit and OOM counters",
    () => {
      const root = sampler.tree.members[0];
      memory = environment.finish(
        { ...(signal && { signal }), endMs: durationMs, rootPid: child.pid, rootName: root?.name ?? config.command[0] ?? "", killedOrphans: sampler.killedOrphans, members: sampler.tree.members },
        clock(),
      );
    },
    true,
  );
  let cgroupPeak: number | undefined;
  guard("reading the cgroup's peak", () => (cgroupPeak = tools.cgroup?.peak()), true);

  let programFacts: Report["programs"];
  guard(
    "grouping the tree by program",
    () =>
      (programFacts = programs && {
        list: programs.finish(sampler.tree.members),
        counts: events ? "events" : "sampled",
        ...(events && { eventOnly: sampler.tree.eventOnly }),
        ...(sampler.tree.eventsLost && { eventsLost: true }),
      }),
    true,
  );
  let pssFacts: Report["pss"];
  guard("reading the PSS", () => (pssFacts = pss?.finish()), true);

  const status = commandStatus(signal ? { signal } : { exitCode: end.exitCode });
  try {
    const { rss, vsz } = sampler.peaks;
    const report: Report = {
      command,
      argv: config.command,
      peakRssBytes: rss.bytes,
      peakVszBytes: vsz.bytes,
      rssSource: rss.source,
      vszSource: vsz.source,
      durationMs: Math.round(durationMs),
      exitCode: status,
      ...(signal && { signal }),
      ...(threshold !== undefined && { thresholdBytes: threshold }),
      ...(config.thresholdPercent !== undefined && { thresholdPercent: config.thresholdPercent }),
      ...(cgroupPeak !== undefined && { cgroupPeakBytes: cgroupPeak, cgroupSource: tools.cgroup?.source }),
      thresholdExceeded: threshold !== undefined && rss.bytes > threshold,
      ...(stopper?.stoppedAtMs !== undefined && { stoppedAtMs: Math.round(stopper.stoppedAtMs), stopEscalated: stopper.escalated }),
      ...(survivors.length > 0 && { stopSurvivors: survivors }),
      ...(fault && { fault }),
      // VmSwap is Linux's: elsewhere the swap is unknown, not zero.
      ...((sampler.peakSwap > 0 || process.platform === "linux") && { peakSwapBytes: sampler.peakSwap }),
      ...(memory && { memory }),
      ...(pssFacts && { pss: pssFacts }),
      ...(programFacts && { programs: programFacts }),
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
      ...(programFacts && { programs: programFacts.list }),
      ...(memory?.limit && { limitBytes: memory.limit.bytes, limitSource: memory.limit.source }),
      ...(memory?.oom?.treeKilled && {
        oomKill: {
          atMs: memory.oom.atMs ?? report.durationMs,
          ...(memory.oom.victim && { pid: memory.oom.victim.pid, name: memory.oom.victim.name, certain: memory.oom.victim.certain }),
        },
      }),
    });
    return report;
  } catch (error) {
    throw new ReportFault(error, status);
  }
}

/** The name the kernel gives a process that exec'd `path`: its last component, cut to 15 bytes (TASK_COMM_LEN). */
function execName(path: string): string {
  const base = Buffer.from(path.slice(path.lastIndexOf("/") + 1));
  return base.subarray(0, 15).toString("utf8");
}

/** The most samples, and the longest time, peak-mem goes without a turn of the event loop (see IdleWaiter). */
const QUIET_WAITS_MAX = 9;
const QUIET_MS_MAX = 1000;

const napCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks for a fraction of a millisecond (Bun.sleepSync rounds those down to nothing). */
function napSync(ms: number): void {
  Atomics.wait(napCell, 0, 0, ms);
}
