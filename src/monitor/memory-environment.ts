import type { MemoryEnvironment, MemoryLimit, OomFacts, PressureFacts } from "../model/report.ts";
import type { MemorySources, OomCounter, PressureSource } from "../platform/memory-sources.ts";
import type { Member } from "./tree.ts";
import type { MonitorEntry } from "./monitor.ts";

// The memory environment of a run, as one monitor the run loop calls at the start, at each
// sample and at the end (src/session/run.ts): the limit in force (read once), OOM kills counted
// while the command ran, and memory pressure. Which platform files stand behind it is the
// platform's business (MemorySources); what they add up to is decided here.

/** How the run ended, as far as the OOM verdict needs it. */
export interface RunEnding {
  /** The command's own death signal, if any ("SIGKILL"). */
  signal?: string;
  /** When the command ended, ms since it started. */
  endMs: number;
  rootPid?: number;
  rootName?: string;
  /** Orphans peak-mem reaped that died of SIGKILL. */
  killedOrphans: { pid: number; name: string; atMs: number }[];
  /** Every process measured (members that vanished carry goneMs). */
  members: readonly Member[];
}

/** How often the kernel updates the pressure averages (PSI_FREQ in kernel/sched/psi.c). */
const PRESSURE_PERIOD_MS = 2000;
/**
 * The longest time between two reads of the kill count while the tree stays as it was. An
 * OOM kill of the tree's is a change of it (its victim exits), read at that sample; the
 * count alone can wait, and a quiet sample costs one system call less.
 */
const QUIET_COUNT_MS = 1000;

export class MemoryEnvironmentMonitor {
  private limitFacts: Pick<MemoryEnvironment, "limit" | "softLimit" | "swapLimit"> = {};
  private counter: OomCounter | undefined;
  private systemCounter: OomCounter | undefined;
  private systemAtStart: number | undefined;
  private killsAtStart: number | undefined;
  private lastKills: number | undefined;
  /** When the count was first seen above its start, and the read before that. */
  private riseAtMs: number | undefined;
  private beforeRiseMs = 0;
  private lastReadMs = 0;
  private pressure: PressureSource | undefined;
  private pressureAtStart: { some: number; full: number } | undefined;
  private maxSome = 0;
  private maxFull = 0;
  private pressureReadMs = Number.NEGATIVE_INFINITY;
  /** The machine's memory, as start() found it (the platform's count, else node:os's). */
  physicalBytes: number | undefined;

  constructor(
    private readonly sources: MemorySources | undefined,
    private readonly enforced = false,
  ) {}

  /** Before the command starts: the limit, and the counters' starting values. */
  start(): void {
    const limits = this.sources?.limits() ?? {};
    const physical = limits.physical ?? { bytes: process.getBuiltinModule("node:os").totalmem(), source: "physical memory" };
    this.physicalBytes = physical.bytes;
    // Physical memory bounds any cgroup limit set above it.
    const limit = limits.limit && limits.limit.bytes < physical.bytes ? limits.limit : physical;
    this.limitFacts = { limit, ...(limits.soft && limits.soft.bytes < limit.bytes && { softLimit: limits.soft }), ...(limits.swap && { swapLimit: limits.swap }) };
    this.counter = this.sources?.oomCounter?.();
    this.killsAtStart = this.counter?.read();
    // The system's count too, read only now and at the end: a cgroup that counts nothing (the
    // root one, which the kernel never charges a kill to) must not hide a kill.
    this.systemCounter = this.counter?.scope === "system" ? undefined : this.sources?.systemOomCounter?.();
    this.systemAtStart = this.systemCounter?.read();
    this.lastKills = this.killsAtStart;
    this.pressure = this.sources?.pressure?.();
    const reading = this.pressure?.read();
    if (reading) this.pressureAtStart = { some: reading.someTotalUs, full: reading.fullTotalUs };
  }

  /** The hard limit in force (a cgroup's, or physical memory). */
  get limit(): MemoryLimit | undefined {
    return this.limitFacts.limit;
  }

  /** `treeChanged`: a process of the tree came, went or exec'd at this sample (src/monitor/sampler.ts). */
  sample(tMs: number, treeChanged = true): void {
    if (this.counter?.scope === "cgroup" && (treeChanged || tMs - this.lastReadMs >= QUIET_COUNT_MS)) {
      const kills = this.counter.read();
      if (kills !== undefined) {
        if (this.riseAtMs === undefined && this.killsAtStart !== undefined && kills > this.killsAtStart) {
          this.riseAtMs = tMs;
          this.beforeRiseMs = this.lastReadMs;
        }
        this.lastKills = kills;
      }
      this.lastReadMs = tMs;
    }
    // The kernel updates the averages every 2 seconds: reading them more often finds nothing new.
    if (tMs - this.pressureReadMs >= PRESSURE_PERIOD_MS) {
      this.pressureReadMs = tMs;
      const reading = this.pressure?.read();
      if (reading) {
        if (reading.someAvg10 > this.maxSome) this.maxSome = reading.someAvg10;
        if (reading.fullAvg10 > this.maxFull) this.maxFull = reading.fullAvg10;
      }
    }
  }

  /** After the command ended: the facts for the report. */
  finish(ending: RunEnding, nowMs: number): MemoryEnvironment {
    const kills = this.counter?.read() ?? this.lastKills;
    if (this.riseAtMs === undefined && kills !== undefined && this.killsAtStart !== undefined && kills > this.killsAtStart) {
      this.riseAtMs = nowMs;
      this.beforeRiseMs = this.lastReadMs;
    }
    const pressureEnd = this.pressure?.read();
    this.counter?.close?.();
    this.systemCounter?.close?.();
    this.pressure?.close?.();
    const environment: MemoryEnvironment = { ...this.limitFacts, ...(this.enforced && { enforced: true }) };
    if (this.counter && kills !== undefined && this.killsAtStart !== undefined) {
      environment.oom = this.verdict(kills - this.killsAtStart, ending, this.counter);
    }
    const systemKills = this.systemCounter?.read();
    if (this.systemCounter && systemKills !== undefined && this.systemAtStart !== undefined && systemKills > this.systemAtStart && !environment.oom?.kills) {
      environment.oom = this.verdict(systemKills - this.systemAtStart, ending, this.systemCounter);
    }
    if (this.pressure && pressureEnd && this.pressureAtStart) {
      const facts: PressureFacts = {
        source: this.pressure.source,
        scope: this.pressure.scope,
        someStallMs: Math.max(0, (pressureEnd.someTotalUs - this.pressureAtStart.some) / 1000),
        fullStallMs: Math.max(0, (pressureEnd.fullTotalUs - this.pressureAtStart.full) / 1000),
        maxSomeAvg10: Math.max(this.maxSome, pressureEnd.someAvg10),
        maxFullAvg10: Math.max(this.maxFull, pressureEnd.fullAvg10),
      };
      environment.pressure = facts;
    }
    return environment;
  }

  /**
   * An OOM kill is said to be the tree's only when a process of it died of SIGKILL while
   * the count rose: 137 alone is not OOM (a `kill -9`, a CI runner's timeout). Which one:
   * the command itself, an orphan peak-mem reaped, or (likely) a member that vanished at
   * the sample where the count rose.
   */
  private verdict(kills: number, ending: RunEnding, counter: OomCounter): OomFacts {
    const facts: OomFacts = { kills, source: counter.source, scope: counter.scope, treeKilled: false };
    if (kills <= 0) return facts;
    // A kill counted system-wide may have been another's: then the OOM killer is only likely.
    const certain = counter.scope === "cgroup";
    if (ending.signal === "SIGKILL" && ending.rootPid !== undefined) {
      facts.treeKilled = true;
      facts.victim = { pid: ending.rootPid, name: ending.rootName ?? "", role: "command", certain };
      facts.atMs = Math.round(ending.endMs);
      return facts;
    }
    const orphan = ending.killedOrphans[0];
    if (orphan) {
      facts.treeKilled = true;
      facts.victim = { pid: orphan.pid, name: orphan.name, role: "orphan", certain };
      facts.atMs = Math.round(orphan.atMs);
      return facts;
    }
    // Where the kernel's exit events were heard, a member's death by SIGKILL is known, not
    // guessed: the largest such member (the OOM killer picks the one with the most memory).
    const sigkilled = ending.members.filter((member) => member.exitSignal === 9 && member.pid !== ending.rootPid);
    const largest = sigkilled.sort((a, b) => b.peakRss - a.peakRss)[0];
    if (largest) {
      facts.treeKilled = true;
      facts.victim = { pid: largest.pid, name: largest.name, role: "member", certain };
      facts.atMs = Math.round(largest.exitedMs ?? largest.goneMs ?? ending.endMs);
      return facts;
    }
    // Only a cgroup's counter is read while the command runs, so only it can time the kill. The count
    // rises as the kill is sent; the victim is found gone then or later (a process in reclaim
    // can take seconds to die). The first to vanish from then on, or, when others went with
    // it (a pipeline's writer dies of SIGPIPE), the largest of those: the OOM killer picks the
    // process with the most memory.
    if (this.riseAtMs !== undefined && counter === this.counter && counter.scope === "cgroup") {
      const from = this.beforeRiseMs;
      const gone = ending.members.filter((member) => member.goneMs !== undefined && member.goneMs > from && member.pid !== ending.rootPid);
      const first = Math.min(...gone.map((member) => member.goneMs ?? Number.POSITIVE_INFINITY));
      const together = gone.filter((member) => (member.goneMs ?? 0) <= first + Math.max(50, first - from));
      const vanished = together.sort((a, b) => b.peakRss - a.peakRss)[0];
      if (vanished) {
        facts.treeKilled = true;
        facts.victim = { pid: vanished.pid, name: vanished.name, role: "member", certain: false };
        facts.atMs = Math.round(vanished.goneMs ?? this.riseAtMs);
      }
    }
    return facts;
  }
}

/** Where the command runs: always, for every platform tells something (physical memory at least). */
export const environmentMonitor: MonitorEntry = {
  key: "memory",
  enabled: () => true,
  create(context) {
    const { sampler } = context;
    // Made in the start phase, after the spawn: finding its cgroup (two /proc files) can wait.
    let environment: MemoryEnvironmentMonitor | undefined;
    const made = () => (environment ??= new MemoryEnvironmentMonitor(context.reader.memorySources?.(context.cgroup?.dir), context.plan.limitBytes !== undefined));
    return {
      name: "reading the memory limit and OOM counters",
      start() {
        const environment = made();
        environment.start();
        // For the monitors after it: --threshold N% and the bound on ru_maxrss.
        context.limit = environment.limit;
        context.physicalBytes = environment.physicalBytes;
      },
      sample: (tMs) => environment?.sample(tMs, sampler.changed),
      finish(end) {
        const ending: RunEnding = {
          ...(end.command.signal && { signal: end.command.signal }),
          endMs: end.durationMs,
          rootPid: end.rootPid,
          rootName: end.rootName,
          killedOrphans: sampler.killedOrphans,
          members: sampler.tree.members,
        };
        const memory = made().finish(ending, context.clock());
        return { memory: { ...memory, ...(context.plan.limitText !== undefined && { limitGiven: context.plan.limitText }) } };
      },
    };
  },
};
