import { describe } from "../core/errors.ts";
import type { TimelineSample } from "../model/chart-data.ts";
import type { CommandChild, IdleWaiter, ProcessReader } from "../platform/types.ts";
import { tierSamplingCode } from "../runtime/hot.ts";
import { WORKAROUNDS_ON } from "../runtime/workarounds.ts";
import type { MonitorSet } from "./monitor-set.ts";
import type { Sample, Sampler } from "./sampler.ts";
import { Schedule } from "./schedule.ts";

// The run loop: samples the tree and calls the monitors until the command exits, waking on
// whichever comes first, the next tick or the exit, so that the run ends as soon as the
// command has. It knows the tree (the sampler) and the monitors' phases, not what any
// monitor measures.
//
// A fault in reading the tree stops all measuring (every monitor stands on the tree); the
// command is still waited for, and the report says what was seen until then, marked. A fault
// in one monitor stops only that one (src/monitor/monitor-set.ts).

export interface LoopTools {
  sampler: Sampler;
  monitors: MonitorSet;
  child: CommandChild;
  reader: ProcessReader;
  /** Milliseconds since the command started. */
  clock: () => number;
  intervalMs: number;
  /** With --no-children, the command alone is measured. */
  children: boolean;
  timeline?: { add(sample: TimelineSample): void };
  watch?: { update(sample: Sample, peakRss: number, peakVsz: number): void };
  warn: (line: string) => void;
}

export interface Measured {
  /** When the command ended, or the tree when a monitor kept the run going to stop it. */
  durationMs: number;
  /** Samples taken on the interval's grid (and at both ends): what the timeline holds. */
  samples: number;
  /** Set when measuring stopped on a fault: the peaks are those seen until then. */
  fault?: { message: string; atMs: number };
}

/** The most samples, and the longest time, the loop goes without a turn of the event loop (see IdleWaiter). */
const QUIET_WAITS_MAX = 9;
const QUIET_MS_MAX = 1000;

/** Samples until the command has exited; `fault`: one found before the loop began (reading the command). */
export async function measure(tools: LoopTools, fault?: { what: string; error: unknown }): Promise<Measured> {
  const { sampler, monitors, child, clock } = tools;
  const measured: Measured = { durationMs: 0, samples: 0 };
  const noteFault = (what: string, error: unknown) => {
    measured.fault ??= { message: `${what}: ${describe(error)}`, atMs: Math.round(clock()) };
    tools.warn(`internal error while ${what} (${describe(error)}); measuring stopped at ${(clock() / 1000).toFixed(2)}s, the command goes on`);
  };
  if (fault) noteFault(fault.what, fault.error);

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

  const takeSample = (record: (now: number) => boolean) => {
    const now = clock();
    const sample = sampler.sample(now);
    monitors.sample(now);
    if (!record(now)) return;
    measured.samples++;
    if (tools.timeline) {
      const entry: TimelineSample = { tMs: sample.tMs, rss: sample.rss, vsz: sample.vsz, processCount: sample.count };
      monitors.record(entry);
      tools.timeline.add(entry);
    }
    tools.watch?.update(sample, sampler.peaks.rss.bytes, sampler.peaks.vsz.bytes);
  };

  // One wake-up handle rather than Promise.race with the exit at every tick, which would
  // pile a reaction onto the exit promise per sample for as long as the command runs.
  const schedule = new Schedule(tools.intervalMs);
  const onGrid = (now: number) => schedule.due(now);
  // Between samples, where the platform can, the loop waits without a turn of the event
  // loop, which runs when something came for it (the exit, a signal), and at every tenth
  // sample or second, whichever comes first: the runtime's collector and allocator tidy up
  // there (without those turns peak-mem's own memory grew by 12 MiB over 12 s at
  // --interval 1 with a timeline; a turn a second still left it 3 MiB higher).
  let lastTurnAt = 0;
  let quietWaits = 0;
  let tiered = false;
  let waiter: IdleWaiter | undefined;
  // The loop is a function of its own: the JIT then compiles what runs at every sample,
  // not the whole of the run around it (which cost its compiler thread tens of ms a run).
  const sampleUntilExit = async () => {
    while (!exited && !measured.fault) {
      let wait: number;
      let burst: boolean;
      let wakeAt: number;
      let alive: boolean;
      // Inline, not through a guard: a closure per sample is garbage in the hot loop.
      try {
        takeSample(onGrid);
        const now = clock();
        alive = sampler.tree.rootAlive;
        wait = schedule.delay(now, alive, sampler.churning);
        burst = schedule.inBurst(now, alive);
        wakeAt = now + wait;
      } catch (error) {
        noteFault("sampling", error);
        break;
      }
      // Within the burst the loop naps without the event loop: the command cannot be reaped
      // meanwhile, so its exit shows as a zombie and ends the burst. Otherwise it waits on
      // what would wake the event loop, and lets the loop run once something has (even when
      // late, so the exit is seen); without such a wait, it always yields.
      if (burst) {
        napSync(wait);
        continue;
      }
      if (!tiered && alive) {
        // Past the start-up burst the command lives long enough for the JIT's choices and the
        // way of waiting to matter: short commands pay for neither, nor does one whose end
        // ended the burst (its exit is about to be seen, the event loop's timers suffice).
        tiered = true;
        tierSamplingCode(tools.intervalMs);
        try {
          // The runtime sees the exit when its own child (the spawner) has gone.
          waiter = WORKAROUNDS_ON ? tools.reader.idleWaiter?.(child.spawnerPid) : undefined;
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
  measured.durationMs = clock();

  // Processes the command left behind are still part of its tree: one last look at them (with
  // --no-children, at the kernel's word on how the command ended: its exit statistics).
  if (!measured.fault) {
    try {
      takeSample(() => true);
    } catch (error) {
      noteFault("sampling", error);
    }
  }
  const settle = {
    sleep,
    sample() {
      if (measured.fault) return;
      try {
        sampler.sample(clock());
      } catch (error) {
        noteFault("sampling", error);
      }
    },
    get measuring() {
      return !measured.fault;
    },
  };
  // The run ends when the tree is gone, or when a monitor gave up on what survived.
  if (!measured.fault && (await monitors.settle(settle))) measured.durationMs = clock();
  return measured;
}

const napCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks for a fraction of a millisecond (Bun.sleepSync rounds those down to nothing). */
function napSync(ms: number): void {
  Atomics.wait(napCell, 0, 0, ms);
}
