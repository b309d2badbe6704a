import type { Unit } from "../core/size/units.ts";

// What the command line asked of baselines, as src/cli/baseline-options.ts validated it.

/** Set on a run's Config only when --save-baseline or --compare-baseline is given. */
export interface BaselineSettings {
  /** --baseline-dir as given; src/baseline/store.ts resolves the default. */
  dir?: string;
  save?: string;
  compare?: string;
  /** --regression-threshold, percent from 0 to 1000000 (default 10). */
  thresholdPercent: number;
}

export type BaselineAction =
  | { kind: "list-baselines"; dir?: string; units?: Unit }
  | { kind: "delete-baseline"; name: string; dir?: string };
