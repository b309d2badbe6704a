import type { MemoryHandle, ProcessEvent, ProcessEventSource, ProcessId, ProcessInfo, ProcessReader, TaskExit } from "../platform/types.ts";
import { samplingCode } from "../runtime/hot.ts";

// The set of processes being measured: the command and (unless --no-children) every
// descendant seen. Cheap by design: a process can only be new if its pid was handed out
// since the last look, and the kernel says which pids those are (the creation mark), so
// a sample reads only the new pids, and nothing at all when no pid was handed out. Where
// the platform has no mark, processes known to be outside are remembered by
// (pid, start time) instead. Where the kernel's process events are heard, they say who
// joined and who left, and the mark is read only at the periodic recheck.

export interface Member extends ProcessId {
  ppid: number;
  name: string;
  alive: boolean;
  /** RSS and VSZ at the latest sample that read this process. */
  rss: number;
  vsz: number;
  /** The largest RSS/VSZ known for this process: its kernel peak where kept, else sampled. */
  peakRss: number;
  peakVsz: number;
  /** The sample round that last read it. */
  readIn: number;
  /** The creation mark when its identity was last checked. */
  verifiedAt: number | undefined;
  /** Bound to this very process where the platform allows: no identity checks needed. */
  handle?: MemoryHandle;
  /** Threads at the latest read, where known. */
  threads?: number;
  /** When it was first and last read alive, ms since the command started. */
  firstSeenMs: number;
  lastSeenMs: number;
  /** Its RSS at the sample where the tree's sum peaked, if alive then. */
  rssAtPeak?: number;
  /** When it was found gone (or reaped), ms since the command started. */
  goneMs?: number;
  /** When the kernel said it was forked and when it exited (process events), ms since the command started. */
  forkedMs?: number;
  exitedMs?: number;
  /** Known only from the kernel's process events: it never lived through a sample. */
  eventOnly?: boolean;
  /** The signal that ended it, when the kernel's exit event said (0: it exited), and its exit code then. */
  exitSignal?: number;
  exitCode?: number;
  /** Its exit statistics were heard (taskstats): name and peaks final. */
  exitStatsSeen?: boolean;
  /** Reaped by peak-mem: its ru_maxrss, the kernel's peak of all its memory (and its waited-for children's). */
  reapedPeak?: number;
  /** With --no-children, the command: the kernel said it forked a child. */
  forkedChild?: boolean;
}

export interface TreeReading {
  rss: number;
  vsz: number;
  /** Swap of the processes read (0 where the platform does not say). */
  swap: number;
  /** Processes alive and read at this sample. */
  count: number;
  /** The largest single-process peak (kernel high-water mark where kept) among them. */
  processPeakRss: number;
  processPeakVsz: number;
}

/**
 * Every this many samples, every known process is re-identified whatever the creation
 * mark says (it cannot tell a pid counter that went all the way round in one interval),
 * and new processes are looked for even where the kernel's events are heard.
 */
const RECHECK_EVERY = 10;

/**
 * Whether `pid` may have been handed out again since the creation mark was `since`:
 * it lies in (since, mark], or the counter wrapped. Without marks, only rechecks tell.
 */
export function mayBeReused(pid: number, since: number | undefined, mark: number | undefined): boolean {
  if (since === undefined || mark === undefined) return false;
  return mark < since || (pid > since && pid <= mark);
}

interface ReuseWindow {
  /** True when the window is exact: only pids in it can be new. */
  bounded: boolean;
  mayBeNew(pid: number): boolean;
  /** For processes remembered as outside the tree (unbounded looks only). */
  mayBeReused(pid: number): boolean;
}

/**
 * Which pids may be new since the last look: those in (previous, mark] when the counter
 * moved forward; any, when it wrapped or the platform keeps no mark.
 */
export function reuseWindow(previous: number | undefined, mark: number | undefined, recheck: boolean): ReuseWindow {
  if (mark !== undefined && previous !== undefined && mark >= previous) {
    const inWindow = (pid: number) => pid > previous && pid <= mark;
    return { bounded: true, mayBeNew: inWindow, mayBeReused: inWindow };
  }
  const wrapped = mark !== undefined && previous !== undefined;
  return { bounded: false, mayBeNew: () => true, mayBeReused: () => recheck || wrapped };
}

/**
 * Up to this many live members, new ones are found from the kernel's per-thread children
 * lists where it has them: reading a few lists beats listing every process. Past it, one
 * listing of /proc is cheaper than a list per thread of every member.
 */
const CHILDREN_FILES_MAX_MEMBERS = 32;

export interface TreeOptions {
  children: boolean;
  /** Our own pid when we are a subreaper: orphans of the tree are reparented to it. */
  adopterPid?: number;
  /** The kernel's process events, opened before the command started (with --no-children, for the command alone). */
  events?: TreeEvents;
}

export interface TreeEvents {
  source: ProcessEventSource;
  /** An event's monotonic time as ms since the command started. */
  toRunMs(monotonicMs: number): number;
}

const SIGNAL_MASK = 0x7f;

export class ProcessTree {
  /** Every process ever measured, in the order it was found. */
  readonly members: Member[] = [];
  /** The latest member under each pid. */
  private readonly byPid = new Map<number, Member>();
  private readonly outside = new Map<number, number>();
  private lastMark: number | undefined;
  private rounds = 0;
  /** The members alive at the tree's peak so far. */
  private atPeak: Member[] = [];
  /** The time of the sample under way, for firstSeenMs/lastSeenMs. */
  private now = 0;
  /** A handle on peak-mem itself, for the orphans it adopts. */
  private adopter: MemoryHandle | undefined;
  /** The spawn helper that started the command, when one did: peak-mem's, not the tree's. */
  private spawner: number | undefined;
  /** The kernel dropped events (its buffer overflowed): counts may be short. */
  eventsLost = false;
  /** Counts every change of the tree: a process found, gone, or one that exec'd (heard from the kernel). */
  changes = 0;
  /** The largest exact peak among the exits heard at this sample (taskstats). */
  private exitPeakRss = 0;
  private exitPeakVsz = 0;
  /**
   * Exit statistics heard before their process's fork: the two come on separate sockets,
   * read one after the other, and a process can fork and exit in between (peak-mem being
   * preempted while it reads). Kept, by pid, for the next sample's forks.
   */
  private readonly earlyExits = new Map<number, TaskExit & { round: number }>();
  /** Bound once: a closure per drain would be garbage at every sample. */
  private readonly onEvent = (event: ProcessEvent) => this.event(event);
  private readonly onExit = (exit: TaskExit) => this.taskExit(exit);

  /** Create before the command starts: the creation mark then bounds its descendants' pids. */
  constructor(
    private readonly reader: ProcessReader,
    private readonly options: TreeOptions,
  ) {
    this.lastMark = reader.creationMark();
  }

  /**
   * The command itself, just started: its memory is read before anything else, since a
   * short command may not live to the first sample. It is our unreaped child (or our
   * helper's, `spawnerPid`), so its pid is still its own.
   */
  addRoot(pid: number, spawnerPid = pid, name = ""): void {
    if (spawnerPid !== pid) this.spawner = spawnerPid;
    const handle = this.reader.track?.(pid);
    const memory = handle ? handle.read() : this.reader.memory(pid);
    const mark = this.reader.creationMark();
    const info = this.reader.info(pid);
    if (!info) {
      // Gone already (its spawner reaped it): still the command, known by its name until
      // its exit statistics, where heard, say better. Its ru_maxrss has its peak.
      handle?.close();
      const root = this.add({ pid, ppid: spawnerPid, startTime: -1, name }, mark);
      this.gone(root);
      return;
    }
    const root = this.add(info, mark, handle);
    if (memory) {
      root.peakRss = Math.max(memory.rss, memory.peakRss ?? 0);
      root.peakVsz = Math.max(memory.vsz, memory.peakVsz ?? 0);
    }
  }

  /** Every process alive at the last sample. */
  *alive(): Iterable<Member> {
    for (const member of this.byPid.values()) if (member.alive) yield member;
  }

  /** Whether any process of the tree was alive at the last sample. */
  get anyAlive(): boolean {
    for (const member of this.byPid.values()) if (member.alive) return true;
    return false;
  }

  /** Whether the command itself was alive (not gone, not a zombie) at the last read. */
  get rootAlive(): boolean {
    return this.members[0]?.alive ?? false;
  }

  /** The latest process under each pid, alive or not: for monitors that look at the live ones at each sample. */
  get latest(): Iterable<Member> {
    return this.byPid.values();
  }

  /** The latest process under `pid`, alive or not (for sources that name processes by pid). */
  byId(pid: number): Member | undefined {
    return this.byPid.get(pid);
  }

  /** Processes known only from the kernel's events (they never lived through a sample). */
  get eventOnly(): number {
    let count = 0;
    for (const member of this.members) if (member.eventOnly) count++;
    return count;
  }

  /** How many distinct processes have been measured. */
  get seen(): number {
    return this.members.length;
  }

  /**
   * Reads every live member. Known members are read before new ones are looked for, so
   * a command that lives a millisecond is still caught alive at the first sample; those
   * whose pid may have been handed out again since the last look are verified first.
   */
  sample(now = 0): TreeReading {
    this.now = now;
    const total: TreeReading = { rss: 0, vsz: 0, swap: 0, count: 0, processPeakRss: 0, processPeakVsz: 0 };
    const round = ++this.rounds;
    const recheck = round % RECHECK_EVERY === 0;
    // The kernel's events first: processes that came and went since the last sample join
    // the tree (and those still alive are read below), exits bring their exact peaks.
    if (this.options.events) {
      this.exitPeakRss = 0;
      this.exitPeakVsz = 0;
      if (!this.options.events.source.drain(this.onEvent, this.onExit)) this.eventsLost = true;
      if (this.earlyExits.size > 0) for (const [pid, exit] of this.earlyExits) if (exit.round < round - 1) this.earlyExits.delete(pid);
      total.processPeakRss = this.exitPeakRss;
      total.processPeakVsz = this.exitPeakVsz;
    }
    // Where every fork and exit is heard (events, none lost), a new process joined at its
    // fork and a gone one left at its exit: the creation mark, and the look for new processes
    // it gates, are then only the periodic check. A sample of a quiet tree is its reads alone.
    const look = recheck || !this.options.events || this.eventsLost;
    const previous = this.lastMark;
    const mark = look ? this.reader.creationMark() : previous;
    this.lastMark = mark;
    const suspect = (member: Member) => !member.handle && (recheck || mayBeReused(member.pid, member.verifiedAt, mark));

    this.read(round, total, (member) => !suspect(member));
    this.verify(suspect, mark);
    if (look && this.options.children && (mark === undefined || mark !== previous)) {
      this.discover(reuseWindow(previous, mark, recheck), mark);
    }
    this.read(round, total, () => true);
    return total;
  }

  private read(round: number, total: TreeReading, wanted: (member: Member) => boolean): void {
    for (const member of this.byPid.values()) {
      if (!member.alive || member.readIn === round || !wanted(member)) continue;
      member.readIn = round;
      const memory = member.handle ? member.handle.read() : this.reader.memory(member.pid);
      if (!memory) {
        this.gone(member);
        continue;
      }
      // Inline on purpose: moved into a shared function, this hot loop made peak-mem's own
      // memory grow by ~6 MiB over a 12 s run at --interval 1 (measured, JIT behaviour).
      member.rss = memory.rss;
      member.vsz = memory.vsz;
      member.threads = memory.threads;
      if (memory.name !== undefined) member.name = memory.name;
      member.lastSeenMs = this.now;
      member.peakRss = Math.max(member.peakRss, memory.rss, memory.peakRss ?? 0);
      member.peakVsz = Math.max(member.peakVsz, memory.vsz, memory.peakVsz ?? 0);
      total.rss += memory.rss;
      total.vsz += memory.vsz;
      total.swap += memory.swap ?? 0;
      total.count++;
      total.processPeakRss = Math.max(total.processPeakRss, member.peakRss);
      total.processPeakVsz = Math.max(total.processPeakVsz, member.peakVsz);
    }
  }

  /** Members whose pid may belong to another process by now are re-identified. */
  private verify(suspect: (member: Member) => boolean, mark: number | undefined): void {
    for (const member of this.byPid.values()) {
      if (!member.alive || member.handle || !suspect(member)) continue;
      const info = this.reader.info(member.pid);
      if (!info || info.startTime !== member.startTime) this.gone(member);
      else member.verifiedAt = mark;
    }
  }

  /** Looks for processes that joined the tree since the last look. */
  private discover(window: ReuseWindow, mark: number | undefined): void {
    if (this.reader.childrenOf && this.aliveCount() <= CHILDREN_FILES_MAX_MEMBERS) {
      this.discoverFromChildren(window, mark);
      return;
    }
    const candidates: ProcessInfo[] = [];
    const listed = this.reader.listPids();
    if (!window.bounded) {
      const present = new Set(listed);
      for (const pid of this.outside.keys()) if (!present.has(pid)) this.outside.delete(pid);
    }
    for (const pid of listed) {
      if (!this.mayJoin(window, pid)) continue;
      const outsideStart = this.outside.get(pid);
      if (outsideStart !== undefined && !window.mayBeReused(pid)) continue;
      const info = this.reader.info(pid);
      if (!info || info.startTime === outsideStart || this.knownGone(info)) continue;
      this.outside.delete(pid);
      candidates.push(info);
    }
    // Parents may be listed after their children: repeat until nothing joins.
    let pending = candidates;
    for (let joined = true; joined && pending.length > 0; ) {
      joined = false;
      const rest: ProcessInfo[] = [];
      for (const info of pending) {
        if (this.isTreeParent(info.ppid)) {
          this.join(info, mark);
          joined = true;
        } else {
          rest.push(info);
        }
      }
      pending = rest;
    }
    // Bounded looks never need the outside set: a pid outside the window is not new.
    if (!window.bounded) for (const info of pending) this.outside.set(info.pid, info.startTime);
  }

  /**
   * Where the kernel lists each thread's children (CONFIG_PROC_CHILDREN), a small tree's
   * new members are found from the members themselves, whatever else runs on the machine.
   * Orphans adopted by peak-mem are among its own children.
   */
  private discoverFromChildren(window: ReuseWindow, mark: number | undefined): void {
    const childrenOf = this.reader.childrenOf;
    if (!childrenOf) return;
    // A single-threaded member's children are its main thread's, read through its handle.
    const childrenOfMember = (member: Member) =>
      member.threads === 1 && member.handle?.mainThreadChildren ? member.handle.mainThreadChildren() : childrenOf(member.pid);
    const queue = [...this.byPid.values()].filter((member) => member.alive);
    const found = (pid: number) => {
      if (!this.mayJoin(window, pid)) return;
      const info = this.reader.info(pid);
      if (!info || !this.isTreeParent(info.ppid) || this.knownGone(info)) return;
      const member = this.join(info, mark);
      if (member) queue.push(member); // its own children may be new too
    };
    if (this.options.adopterPid !== undefined) {
      this.adopter ??= this.reader.track?.(this.options.adopterPid);
      const adopted = this.adopter?.mainThreadChildren?.() ?? childrenOf(this.options.adopterPid, true);
      for (const pid of adopted ?? []) found(pid);
    }
    for (let i = 0; i < queue.length; i++) {
      for (const pid of childrenOfMember(queue[i] as Member) ?? []) found(pid);
    }
  }

  /**
   * A fork, exec or exit anywhere on the system: only the tree's are kept. A new process
   * whose parent is in the tree joins it at once; one already gone is remembered from the
   * event alone, under its parent's name until its exit says its own.
   */
  private event(event: ProcessEvent): void {
    if (event.pid !== event.tgid) return; // a thread, not a process
    const events = this.options.events;
    if (!events) return;
    const at = events.toRunMs(event.monotonicMs);
    if (event.kind === "fork") {
      const parent = this.byPid.get(event.parentTgid);
      if (!parent || event.parentTgid === this.spawner || parent.exitedMs !== undefined) return;
      if (!this.options.children) {
        parent.forkedChild = true; // measured alone: its children are not the tree's
        return;
      }
      // Already found by a sample (alive or gone since): the same process, unless its own
      // fork was heard before (then the pid is a newcomer's).
      const known = this.byPid.get(event.pid);
      if (known && known !== this.members[0] && known.forkedMs === undefined && known.exitedMs === undefined) {
        known.forkedMs = at;
        return;
      }
      const info = this.reader.info(event.pid);
      const joined = info && (info.ppid === event.parentTgid || info.ppid === this.options.adopterPid) ? this.join(info, this.lastMark) : undefined;
      const member = joined ?? this.add({ pid: event.pid, ppid: event.parentTgid, startTime: -1, name: parent.name }, this.lastMark);
      if (!joined) {
        member.alive = false;
        member.eventOnly = true;
        member.firstSeenMs = at;
        member.lastSeenMs = at;
      }
      member.forkedMs = at;
      const early = this.earlyExits.get(event.pid);
      if (early) {
        this.earlyExits.delete(event.pid);
        this.taskExit(early);
      }
      return;
    }
    const member = this.byPid.get(event.pid);
    // Not one of the tree's, or a process whose exit was already heard (its pid is a stranger's now).
    if (!member || member.exitedMs !== undefined || (member.forkedMs === undefined && member !== this.members[0] && !member.alive)) return;
    // An exec changes the process's memory; the next read or the exit statistics say how, and its new name.
    if (event.kind === "exec") {
      this.changes++;
      return;
    }
    member.exitedMs = at;
    member.exitSignal = event.exitStatus & SIGNAL_MASK;
    member.exitCode = (event.exitStatus >> 8) & 0xff;
    if (member.eventOnly) member.lastSeenMs = at;
    if (member.alive) this.gone(member);
  }

  /** A task's exit statistics: the name it died with and its exact peaks. */
  private taskExit(exit: TaskExit): void {
    const pid = exit.tgid || exit.pid;
    const member = this.byPid.get(pid);
    if (!member) {
      // A child of the tree whose fork has not been read yet: its statistics wait for it.
      if (this.options.children && (this.byPid.has(exit.ppid) || exit.ppid === this.options.adopterPid)) this.earlyExits.set(pid, { ...exit, round: this.rounds });
      return;
    }
    if (member.exitStatsSeen) return;
    // Its pid's latest process in the tree, not a later stranger under the same pid: the
    // tree's would have the parent it was known by, or peak-mem as the orphans' reaper.
    if (!member.alive && exit.ppid !== member.ppid && exit.ppid !== this.options.adopterPid) return;
    if (member.peakRss < exit.peakRssBytes) member.peakRss = exit.peakRssBytes;
    if (member.peakVsz < exit.peakVszBytes) member.peakVsz = exit.peakVszBytes;
    if (exit.peakRssBytes > this.exitPeakRss) this.exitPeakRss = exit.peakRssBytes;
    if (exit.peakVszBytes > this.exitPeakVsz) this.exitPeakVsz = exit.peakVszBytes;
    // A thread's name may be its own: only the leader's exit names the process.
    if (exit.pid === pid) {
      if (exit.name) member.name = exit.name;
      member.exitStatsSeen = true;
    }
  }

  /** A pid that may be a process new to the tree: in the window, not a live member, not our spawn helper. */
  private mayJoin(window: ReuseWindow, pid: number): boolean {
    return window.mayBeNew(pid) && pid !== this.spawner && !this.byPid.get(pid)?.alive;
  }

  /** A process already measured and found gone (a zombie its parent has not reaped yet): not new. */
  private knownGone(info: ProcessInfo): boolean {
    const member = this.byPid.get(info.pid);
    return member !== undefined && !member.alive && member.startTime === info.startTime;
  }

  private aliveCount(): number {
    let count = 0;
    for (const member of this.byPid.values()) if (member.alive) count++;
    return count;
  }

  private isTreeParent(ppid: number): boolean {
    if (ppid === this.options.adopterPid) return true; // an orphan of the tree, adopted by us
    const parent = this.byPid.get(ppid);
    return parent !== undefined && parent.alive;
  }

  /** Records every live member's RSS as its share of the tree's peak (call when it rises). */
  markPeak(): void {
    for (const member of this.atPeak) member.rssAtPeak = undefined;
    this.atPeak = [];
    for (const member of this.byPid.values()) {
      if (!member.alive) continue;
      member.rssAtPeak = member.rss;
      this.atPeak.push(member);
    }
  }

  /** An orphan peak-mem reaped: its kernel-kept peak is its own; it is gone. */
  reaped(pid: number, maxRss: number): Member | undefined {
    const member = this.byPid.get(pid);
    if (!member) return undefined;
    member.peakRss = Math.max(member.peakRss, maxRss);
    member.reapedPeak = maxRss;
    if (member.alive) this.gone(member);
    return member;
  }

  /** Closes every handle: call once sampling is over. */
  close(): void {
    for (const member of this.byPid.values()) member.handle?.close();
    this.adopter?.close();
  }

  private gone(member: Member): void {
    this.changes++;
    member.alive = false;
    member.goneMs = this.now;
    member.handle?.close();
    member.handle = undefined;
  }

  /**
   * A process found to be in the tree. Its handle is opened after `info` was read, so its
   * identity is read once more: had the pid changed hands in between, the handle would be
   * bound to the newcomer.
   */
  private join(info: ProcessInfo, mark: number | undefined): Member | undefined {
    const handle = this.reader.track?.(info.pid);
    if (handle && this.reader.info(info.pid)?.startTime !== info.startTime) {
      handle.close();
      return undefined; // it exited and its pid was reused within these microseconds
    }
    return this.add(info, mark, handle);
  }

  /** `mark`: the creation mark read before `info` was, so its pid was the process's then. */
  private add(info: ProcessInfo, mark: number | undefined, handle?: MemoryHandle): Member {
    const member: Member = {
      ...info,
      alive: true,
      rss: 0,
      vsz: 0,
      peakRss: 0,
      peakVsz: 0,
      readIn: 0,
      verifiedAt: mark,
      firstSeenMs: this.now,
      lastSeenMs: this.now,
    };
    if (handle) member.handle = handle;
    this.changes++;
    this.members.push(member);
    this.byPid.set(info.pid, member);
    return member;
  }
}

samplingCode(ProcessTree.prototype.sample, ProcessTree.prototype["read"], ProcessTree.prototype["verify"], ProcessTree.prototype["event"], mayBeReused);
