import { WORKAROUNDS_ON } from "./workarounds.ts";

// The code that runs at every sample, or for every process at every sample, is kept out of
// JavaScriptCore's FTL tier at intervals of FTL_FROM_MS and more: there the FTL compiles of
// it cost the compiler thread more CPU than its faster code gives back over a run (some 40
// ms of compiling, measured over 20 s of a 101-process tree at --interval 100); the DFG tier
// compiles in a fraction of the time. At shorter intervals the FTL tier pays for itself and is
// left to the runtime. Only the runtime's choice of code changes, never what it does.

// A sampling function of any signature.
type Fn = (...args: never[]) => unknown;

/** At this interval and above, sampling code stays in the DFG tier. */
export const FTL_FROM_MS = 50;

const pending = new Set<Fn>();
let keptFromFtl: boolean | undefined;

// bun:jsc is loaded only when sampling code is tiered (after the start-up burst): loading
// it costs every start about 0.8 ms (measured, `peak-mem -- true`), which short commands
// would pay for nothing.
let noFTL: ((fn: (...args: unknown[]) => unknown) => unknown) | undefined;

function keepFromFtl(fn: Fn): void {
  try {
    noFTL ??= (require("bun:jsc") as typeof import("bun:jsc")).noFTL;
    noFTL(fn as (...args: unknown[]) => unknown);
  } catch {
    // Not this runtime's: it compiles as it will.
  }
}

/**
 * Marks `fns` as sampling code: at module load, or once at the creation of a closure (all
 * closures of a function share its compiled code). Before tierSamplingCode they wait for it.
 */
export function samplingCode(...fns: Fn[]): void {
  for (const fn of fns) {
    if (keptFromFtl === undefined) pending.add(fn);
    else if (keptFromFtl) keepFromFtl(fn);
  }
}

/** Chooses the tiers for this run's interval; call before sampling starts. */
export function tierSamplingCode(intervalMs: number): void {
  keptFromFtl = WORKAROUNDS_ON && intervalMs >= FTL_FROM_MS;
  if (keptFromFtl) for (const fn of pending) keepFromFtl(fn);
  pending.clear();
}
