import type { MonitorEntry } from "./monitor.ts";

// --cgroup, --limit: the exact peak of the cgroup peak-mem made for the command, as the kernel
// kept it (page cache and kernel memory included), read once at the end.

export const cgroupPeakMonitor: MonitorEntry = {
  key: "cgroup-peak",
  enabled: () => true,
  create: (context) => ({
    name: "reading the cgroup's peak",
    finish() {
      const bytes = context.cgroup?.peak();
      return bytes === undefined ? undefined : { cgroupPeakBytes: bytes, cgroupSource: context.cgroup?.source };
    },
  }),
};
