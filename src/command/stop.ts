// --kill-on-threshold: once the peak crosses the threshold, the whole measured tree is
// stopped: SIGTERM to every process in it (and to any that appears afterwards), then
// SIGKILL to whatever is left after a grace period. Orphans adopted by peak-mem are in
// the tree, so they go too.

export const STOP_GRACE_MS = 1000;
/** After SIGKILL, how long peak-mem waits for the tree to be gone before it reports anyway. */
export const STOP_WAIT_AFTER_KILL_MS = 2000;

export interface Stoppable {
  pid: number;
  alive: boolean;
}

export type Kill = (pid: number, signal: "SIGTERM" | "SIGKILL") => void;

export class TreeStopper {
  private startedAt: number | undefined;
  private readonly termed = new Set<Stoppable>();
  private killed = false;
  /** Why a signal could not be sent, by pid (EPERM: another user's process). */
  private readonly refused = new Map<number, string>();

  constructor(
    private readonly kill: Kill,
    private readonly graceMs = STOP_GRACE_MS,
  ) {}

  get stopping(): boolean {
    return this.startedAt !== undefined;
  }

  /** When stopping began, ms since the command started. */
  get stoppedAtMs(): number | undefined {
    return this.startedAt;
  }

  /** Call after every sample; `crossed` says whether the peak is over the threshold. */
  check(now: number, crossed: boolean, members: Iterable<Stoppable>): void {
    if (this.startedAt === undefined) {
      if (!crossed) return;
      this.startedAt = now;
    }
    const escalate = now - this.startedAt >= this.graceMs;
    for (const member of members) {
      if (!member.alive) continue;
      if (escalate) this.send(member.pid, "SIGKILL");
      else if (!this.termed.has(member)) {
        this.termed.add(member);
        this.send(member.pid, "SIGTERM");
      }
    }
    if (escalate) this.killed = true;
  }

  /** Whether SIGKILL had to be used. */
  get escalated(): boolean {
    return this.killed;
  }

  /** Why `pid` could not be signalled, if it could not: "permission denied", … */
  failure(pid: number): string | undefined {
    return this.refused.get(pid);
  }

  private send(pid: number, signal: "SIGTERM" | "SIGKILL"): void {
    try {
      this.kill(pid, signal);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ESRCH") return; // gone already
      this.refused.set(pid, code === "EPERM" ? "permission denied" : (code ?? String(error)));
    }
  }
}
