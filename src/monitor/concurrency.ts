import type { MonitorEntry } from "./monitor.ts";
import { mostAlive } from "./rss-bound.ts";

// How many processes of the tree were alive at once, at most: what a parallel build's -j and
// a test runner's workers come to. Exact where the kernel's process events said when each
// process lived; else taken from the samples, so a process that lived between two of them is
// missed: a lower bound, and the report says so.

export const concurrencyMonitor: MonitorEntry = {
  key: "concurrency",
  enabled: (plan) => plan.children,
  create(context) {
    const { sampler } = context;
    let most = 0;
    return {
      name: "counting the processes alive at once",
      sample() {
        if (sampler.latestCount > most) most = sampler.latestCount;
      },
      finish() {
        const { tree } = sampler;
        const exact = mostAlive(tree.members, context.events && !tree.eventsLost);
        // A command too short for any sample was still one process.
        const running = tree.members.filter((member) => member.alive).map((member) => ({ pid: member.pid, name: member.name }));
        return { concurrency: { peakProcesses: Math.max(exact ?? 0, most, tree.seen > 0 ? 1 : 0), exact: exact !== undefined, ...(running.length > 0 && { stillRunning: running }) } };
      },
    };
  },
};
