import type { MemorySources } from "./memory-sources.ts";

// What the sampler needs from an operating system. One implementation per platform,
// chosen once at start-up by src/platform/index.ts.

/** A process's identity: pids are reused, (pid, start time) is not. */
export interface ProcessId {
  pid: number;
  /** Opaque per-platform start stamp; equal stamps with equal pids mean the same process. */
  startTime: number;
}

export interface ProcessInfo extends ProcessId {
  ppid: number;
  name: string;
}

/** One process's memory at one moment, in bytes. */
export interface MemoryReading {
  rss: number;
  vsz: number;
  /** The kernel's own peak RSS of this process so far (Linux VmHWM), if the platform keeps one. */
  peakRss?: number;
  /** The kernel's own peak VSZ (Linux VmPeak), if kept. */
  peakVsz?: number;
  /** What of it is swapped out (Linux VmSwap), where known. */
  swap?: number;
  /** How many threads the process has, where known. */
  threads?: number;
  /** Its name now, when read (it changes at exec). */
  name?: string;
}

/**
 * Repeated memory reads of one process, bound to that process: once it is gone, reads
 * answer undefined even if its pid now belongs to another (Linux: a held /proc fd).
 */
export interface MemoryHandle {
  /** The reading may be refilled by the next read(): copy what must be kept. */
  read(): MemoryReading | undefined;
  /** Children of the process's main thread, where the kernel lists them; undefined once gone. */
  mainThreadChildren?: () => number[] | undefined;
  close(): void;
}

export interface ProcessReader {
  /** Its readings carry each process's swap (Linux VmSwap): a tree's swap of 0 then means none, not unknown. */
  readonly readsSwap?: boolean;
  /** Pids of every process visible now. */
  listPids(): number[];
  /** Parent, name and identity, or undefined if the process is gone. */
  info(pid: number): ProcessInfo | undefined;
  /**
   * Direct children of a process, where the kernel lists them (Linux with
   * CONFIG_PROC_CHILDREN); absent where it does not, undefined if the process is gone.
   * `mainThreadOnly`: only those of its main thread (enough for orphans adopted by a
   * subreaper, which the kernel hands to its first live thread).
   */
  childrenOf?: (pid: number, mainThreadOnly?: boolean) => number[] | undefined;
  /** A handle for repeated reads of a live process, where the platform has one. */
  track?: (pid: number) => MemoryHandle | undefined;
  /** Memory of a live process, or undefined if it is gone. */
  memory(pid: number): MemoryReading | undefined;
  /**
   * A number that changes whenever a new process may have appeared (Linux: the last pid
   * handed out), so that a sample can skip looking for new processes; undefined if unknown.
   */
  creationMark(): number | undefined;
  /**
   * Asks the system to hand orphans of our descendants to peak-mem rather than to init,
   * so they stay in the measured tree. True if it will.
   */
  adoptOrphans(): boolean;
  /**
   * Starts the command so that its own ru_maxrss comes back exact, with no floor (Linux:
   * through the spawn helper, which forks it as GNU time does). Undefined where this
   * system cannot: the runtime's spawn is used instead. Throws a SpawnError, before
   * anything runs, when the command cannot be started.
   */
  spawnExact?: (argv: string[], env?: Record<string, string | undefined>) => CommandChild | undefined;
  /**
   * The size at or below which the direct child's ru_maxrss says nothing about the child
   * (Linux: peak-mem's own peak, since Bun spawns with vfork and the kernel keeps the
   * pre-exec image's RSS in it); 0 where it is the child's own exact peak. Absent where
   * that is not known: ru_maxrss is then not used.
   */
  rusageFloor?: () => number | undefined;
  /**
   * The command's exit code, where the runtime's own would be cut short (Bun keeps only
   * 8 bits of a Windows exit code, which can be any 32-bit value).
   */
  exitCode?: (pid: number) => number | undefined;
  /**
   * Reaps the children of peak-mem that have exited, all but those in `keep` (the runtime's
   * own child, and the command, which its spawner reaps), and gives each one's exact peak RSS (ru_maxrss). Only a subreaper
   * has such children: orphans of the tree. Reaping them keeps zombies from piling up
   * against a pids limit. Returns an empty list when there were none.
   */
  reapExited?: (keep: readonly number[]) => readonly ReapedProcess[];
  /**
   * Whether standard descriptor `fd` was closed when peak-mem started (the runtime then
   * put /dev/null there): a report for a closed stdout is lost, and must be said to be.
   */
  closedAtStart?: (fd: 0 | 1 | 2) => boolean;
  /**
   * The memory limits and counters of where the command runs (src/platform/memory-sources.ts).
   * `commandCgroup`: the directory of the cgroup peak-mem made for it (--cgroup, --limit).
   */
  memorySources?: (commandCgroup?: string) => MemorySources;
  /**
   * A wait between samples that costs no turn of the runtime's event loop (one turn costs
   * the runtime, and the allocator's thread it wakes, several times what the wait itself
   * does), for the command `pid`; undefined where there is none. wait(ms) is true when the
   * whole time passed with nothing for the event loop to do; false as soon as something
   * came for it (the command exited, a signal arrived): then the event loop must run.
   */
  idleWaiter?: (pid: number) => IdleWaiter | undefined;
  /**
   * The kernel's process events, opened before the command starts, where permitted (Linux:
   * root, the init pid namespace); undefined elsewhere. `monotonicMs()` reads the clock the
   * events are stamped with.
   */
  processEvents?: () => { source: ProcessEventSource; monotonicMs: () => number } | undefined;
  /** --pss: proportional memory per process, where the platform has it (expensive: read on its own cadence). */
  proportional?: ProportionalSource;
  /** GPU memory per process, where the platform can have a GPU (src/platform/gpu.ts). */
  gpu?: GpuProvider;
  /** Whether a file descriptor of ours is a terminal (isatty). */
  isTerminal(fd: number): boolean;
  /** Process group and terminal foreground group, where the platform has them. */
  terminalState(pid: number): TerminalState | undefined;
}

/** --pss: what one process really costs, where the platform can tell, in bytes. */
export interface ProportionalReading {
  /** Its proportional set size (Linux Pss), or this platform's nearest figure. */
  pss: number;
  /** Its private pages (Private_Clean + Private_Dirty: the unique set size), where known. */
  uss?: number;
  /** Its share of swapped-out pages (SwapPss), where known. */
  swapPss?: number;
  /** Its RSS read with them (Linux: smaps_rollup's Rss), where the same reading has it. */
  rss?: number;
}

/** --pss on this platform: how one process is read, and what the figures mean there. */
export interface ProportionalSource {
  /** As the report names it: "smaps_rollup", "phys_footprint", "private bytes". */
  source: string;
  /** Undefined when the process is gone; null when it is not peak-mem's to read (another user's). */
  read(pid: number): ProportionalReading | null | undefined;
  /** Why this system cannot be read after all (an old kernel), asked once when --pss is given; undefined when it can. */
  unavailable?(): string | undefined;
}

/** One kernel process event (Linux: the proc connector); valid only during the callback. */
export interface ProcessEvent {
  kind: "fork" | "exec" | "exit";
  /** fork: the new task; pid != tgid is a new thread. */
  pid: number;
  tgid: number;
  /** fork: the parent's; exit: the parent's when the kernel says, else 0. */
  parentPid: number;
  parentTgid: number;
  /** exit: the wait status (exit code << 8 | terminating signal). */
  exitStatus: number;
  /** When, on the system's monotonic clock, ms. */
  monotonicMs: number;
}

/** A task's exit statistics (Linux: taskstats); valid only during the callback. */
export interface TaskExit {
  pid: number;
  /** Its thread group, where the kernel says (0 where not). */
  tgid: number;
  ppid: number;
  /** The command name at exit. */
  name: string;
  /** The kernel's high-water marks of its memory, bytes. */
  peakRssBytes: number;
  peakVszBytes: number;
  exitStatus: number;
  elapsedUs: number;
}

/** Every fork, exec and exit on the system, heard as it happens, where the platform can. */
export interface ProcessEventSource {
  /** Descriptors that are readable when events wait (for a poll set). */
  readonly fds: readonly number[];
  /** Whether exits come with their statistics (names and exact peaks). */
  readonly taskStats: boolean;
  /** Reads every waiting event without blocking; false when the kernel dropped some since the last drain. */
  drain(onEvent: (event: ProcessEvent) => void, onExit: (exit: TaskExit) => void): boolean;
  close(): void;
}

export interface IdleWaiter {
  wait(ms: number): boolean;
  close(): void;
}

export interface ReapedProcess {
  pid: number;
  /** Its peak RSS in bytes, as the kernel kept it (ru_maxrss). */
  maxRss: number;
  /** The signal that killed it, if one did (SIGKILL: 9). */
  signal?: number;
}

/** Job-control facts of a process (Linux: /proc/PID/stat fields 5 and 8). */
export interface TerminalState {
  pgrp: number;
  /** Foreground process group of its controlling terminal; -1 or 0 when it has none. */
  foregroundPgrp: number;
}

// The command once started, whichever way it was started: through the runtime's own spawn,
// or (Linux) through the spawn helper that forks it and hands back its exact rusage. The
// run loop knows only this.

/** How the command ended, read once it has. */
export interface CommandEnd {
  exitCode: number;
  /** The signal that killed it ("SIGKILL"), if one did. */
  signal?: string;
  /**
   * Its ru_maxrss in bytes (the command and the descendants it waited for) when that is
   * its own peak: absent when it says nothing (at or below the spawner's floor). The run
   * still refuses a value above the machine's memory.
   */
  maxRss?: number;
  /** Set when its status could not be known (the helper that held it was killed). */
  lost?: string;
}

export interface CommandChild {
  /** The command's own pid. */
  readonly pid: number;
  /** Our own child that the runtime waits for: the command itself, or the helper that forked it. */
  readonly spawnerPid: number;
  /** Settles once the command has ended and end() can answer. */
  readonly exited: Promise<unknown>;
  kill(signal: NodeJS.Signals): void;
  end(): CommandEnd;
}

// GPU memory: what a GPU driver says each process holds on each device. NVIDIA's through its
// management library (NVML), other drivers' through the kernel's DRM usage stats. Set up
// after the spawn: loading and starting NVML can take a hundred milliseconds.

export interface GpuProvider {
  /**
   * Whether a GPU driver or device is present, by a file's existence alone: no library is
   * loaded and nothing is read, so a machine without a GPU pays nothing.
   */
  present(): boolean;
  /**
   * For --gpu, before anything runs: undefined when some GPU source can be used, else why
   * none can (the library is looked up and loaded, not started).
   */
  unusable(): string | undefined;
  /**
   * Opens every source present (`forced`, by --gpu: every source that loads, present or
   * not); each starts setting itself up (NVML on a thread of its own).
   */
  open(forced: boolean): GpuSource[];
}

export interface GpuDevice {
  /** Its index as the driver numbers it (NVML's device index; DRM devices in the order found). */
  index: number;
  /** "NVIDIA H100 80GB HBM3", "amdgpu 0000:03:00.0". */
  name: string;
  /** The device's UUID (NVML) or PCI slot (DRM), where known. */
  id?: string;
  /** Its memory, bytes, where known: what a share is taken of. */
  totalBytes?: number;
  /** The driver keeps each process's own peak on this device (NVML accounting mode). */
  accounting: boolean;
}

export interface GpuSource {
  /** As the report names the figures it gives: "nvml", "drm-fdinfo". */
  readonly source: string;
  /** Whether its pids are the tree's (false: NVML in a pid namespace, which reports the host's). */
  readonly pidsMatch: boolean;
  /**
   * Whether it is ready: undefined while it is still starting, true once it is, or why it
   * cannot be used (a driver that failed to start). Cheap: asked at every sample until settled.
   */
  ready(): true | string | undefined;
  /** How long setting it up took, ms, once ready. */
  readonly setupMs?: number;
  /** Its devices, once ready. */
  devices(): readonly GpuDevice[];
  /**
   * One reading: calls `use` with each process's memory on each device, a process listed
   * once per device (bytes -1: the driver does not say how much, as without the rights to
   * know). `pids`: the tree's live processes, for sources that read per process (DRM).
   * False when the devices could not be read.
   */
  read(use: (device: number, pid: number, bytes: number) => void, pids: Iterable<number>): boolean;
  /** The device's whole use now, every process's, bytes, where known. */
  deviceUsed?(device: number): number | undefined;
  /**
   * The driver's own peak of process `pid` on `device`, bytes (NVML accounting, kept after
   * the process exits), for a process started at or after `sinceEpochMs`; undefined where
   * it keeps none.
   */
  processPeak?(device: number, pid: number, sinceEpochMs: number): number | undefined;
  close(): void;
}
