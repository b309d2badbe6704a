import { STOP_GRACE_MS, STOP_WAIT_AFTER_KILL_MS, TreeStopper } from "../command/stop.ts";
import type { StopSurvivor } from "../model/report.ts";
import type { MonitorEntry } from "./monitor.ts";

// --threshold: whether the tree's RSS peak went over it, given in bytes or as a share of the
// memory limit found before the spawn; with --kill-on-threshold, the whole tree is stopped
// once it does (src/command/stop.ts), and the run waits, within bounds, for it to be gone.

export const thresholdMonitor: MonitorEntry = {
  key: "threshold",
  enabled: (plan) => plan.thresholdBytes !== undefined || plan.thresholdPercent !== undefined,
  create(context) {
    const { plan, sampler, clock } = context;
    let threshold: number | undefined;
    let survivors: StopSurvivor[] = [];
    const stopper = plan.killOnThreshold ? new TreeStopper((pid, signal) => process.kill(pid, signal)) : undefined;
    const enforce = () => {
      if (stopper && threshold !== undefined) stopper.check(clock(), sampler.peaks.rss.bytes > threshold, sampler.tree.alive());
    };
    return {
      name: "checking the threshold",
      start() {
        // --threshold 80%: a share of the limit just found.
        threshold = plan.thresholdBytes ?? (plan.thresholdPercent !== undefined && context.limit ? Math.floor((context.limit.bytes * plan.thresholdPercent) / 100) : undefined);
      },
      sample: enforce,
      async settle(loop) {
        if (!stopper?.stopping) return false;
        // A tree being stopped is stopped whole: orphans left behind are signalled and waited
        // for, but not forever: one peak-mem may not signal (another user's) must not hang the run.
        const giveUpAt = (stopper.stoppedAtMs ?? 0) + STOP_GRACE_MS + STOP_WAIT_AFTER_KILL_MS;
        while (loop.measuring && sampler.tree.anyAlive && clock() < giveUpAt) {
          enforce();
          await loop.sleep(20);
          loop.sample();
        }
        survivors = [...sampler.tree.alive()].map((member) => ({ pid: member.pid, name: member.name, reason: stopper.failure(member.pid) }));
        return true;
      },
      finish() {
        if (threshold === undefined) return undefined;
        return {
          threshold: {
            bytes: threshold,
            ...(plan.thresholdText !== undefined && { given: plan.thresholdText }),
            ...(plan.thresholdPercent !== undefined && { percent: plan.thresholdPercent }),
            exceeded: sampler.peaks.rss.bytes > threshold,
            ...(stopper?.stoppedAtMs !== undefined && {
              stop: { atMs: Math.round(stopper.stoppedAtMs), escalated: stopper.escalated, ...(survivors.length > 0 && { survivors }) },
            }),
          },
        };
      },
    };
  },
};
