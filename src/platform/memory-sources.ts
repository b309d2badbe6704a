// What a platform can tell about where the command runs, for src/monitor/memory-environment.ts:
// its memory limits (read once, at the start), and counters read at the start, at each
// sample and at the end (OOM kills, memory pressure). Each platform gives what it has.

export interface MemoryLimits {
  /** The hard limit in force: the smallest on the way to the root; absent when none is set. */
  limit?: MemoryLimit;
  soft?: MemoryLimit;
  swap?: MemoryLimit;
  /** Physical memory, the limit when no other applies. */
  physical?: MemoryLimit;
}

export interface OomCounter {
  /** The file or call it is read from, as shown: "memory.events", "/proc/vmstat". */
  source: string;
  scope: "cgroup" | "system";
  /** OOM kills counted so far, or undefined when it cannot be read now. */
  read(): number | undefined;
  close?(): void;
}

export interface PressureReading {
  /** Cumulative stall time, µs. */
  someTotalUs: number;
  fullTotalUs: number;
  /** 10-second averages, percent. */
  someAvg10: number;
  fullAvg10: number;
}

export interface PressureSource {
  source: string;
  scope: "cgroup" | "system";
  read(): PressureReading | undefined;
  close?(): void;
}

export interface MemorySources {
  limits(): MemoryLimits;
  /** Where the command's OOM kills are counted: its cgroup's, else the system's. */
  oomCounter?(): OomCounter | undefined;
  /** The system's count (read at the start and the end only). */
  systemOomCounter?(): OomCounter | undefined;
  pressure?(): PressureSource | undefined;
}

export interface MemoryLimit {
  bytes: number;
  /** Where it was read, as shown: "cgroup memory.max", "cgroup memory.limit_in_bytes", "physical memory". */
  source: string;
  /** The cgroup it was set on, when it came from one (as /proc/self/cgroup names it). */
  cgroup?: string;
}
