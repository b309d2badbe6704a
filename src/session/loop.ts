// The order of a series and when it stops, apart from what a run is (src/session/session.ts
// gives run()): warm-up rounds, then counted rounds, each round every command once in the
// order given (A B A B …), so that drift on the machine hits all commands alike. It stops
// at the first failing run (unless ignoreFailure), at a signal that reached peak-mem (Ctrl-C:
// always), and at a run that could not be started once some have been.

export interface SeriesPlan {
  commands: number;
  runs: number;
  warmup: number;
  ignoreFailure: boolean;
}

export interface Attempt {
  /** 0-based, in the order given. */
  command: number;
  /** 1-based within the command's warm-up runs, or within its counted runs. */
  run: number;
  warmup: boolean;
}

export interface Outcome<R> {
  result: R;
  /** The command's status as peak-mem passes it on. */
  status: number;
  signal?: string;
  /** A signal reached peak-mem while this run went on. */
  interrupted?: string;
}

export type LoopStop =
  | { reason: "failed"; attempt: Attempt; status: number; signal?: string }
  | { reason: "interrupted"; signal: string; attempt?: Attempt; status?: number }
  | { reason: "error"; attempt: Attempt; error: unknown };

export interface LoopHooks {
  /** A signal caught since the last run ended, if any: the series stops before the next. */
  signalBetweenRuns(): string | undefined;
}

/** Every attempt of a plan, in order. */
export function* attempts(plan: SeriesPlan): Generator<Attempt> {
  for (const [rounds, warmup] of [
    [plan.warmup, true],
    [plan.runs, false],
  ] as const) {
    for (let run = 1; run <= rounds; run++) for (let command = 0; command < plan.commands; command++) yield { command, run, warmup };
  }
}

/**
 * Runs the plan; returns each command's counted results (an interrupted run's among them)
 * and why it stopped early, if it did. An error from the very first run is thrown (as from a
 * single run: nothing has been measured); later ones end the series.
 */
export async function runLoop<R>(plan: SeriesPlan, runOnce: (attempt: Attempt) => Promise<Outcome<R>>, hooks: LoopHooks): Promise<{ results: R[][]; stop?: LoopStop }> {
  const results: R[][] = Array.from({ length: plan.commands }, () => []);
  let started = 0;
  for (const attempt of attempts(plan)) {
    const signal = hooks.signalBetweenRuns();
    if (signal) return { results, stop: { reason: "interrupted", signal } };
    let outcome: Outcome<R>;
    try {
      outcome = await runOnce(attempt);
    } catch (error) {
      if (started === 0) throw error;
      return { results, stop: { reason: "error", attempt, error } };
    }
    started++;
    if (!attempt.warmup) results[attempt.command]!.push(outcome.result);
    if (outcome.interrupted) return { results, stop: { reason: "interrupted", signal: outcome.interrupted, attempt, status: outcome.status } };
    if (outcome.status !== 0 && !plan.ignoreFailure) {
      return { results, stop: { reason: "failed", attempt, status: outcome.status, ...(outcome.signal && { signal: outcome.signal }) } };
    }
  }
  return { results };
}
