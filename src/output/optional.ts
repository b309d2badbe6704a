import type { TimelineWriter } from "../timeline/writers.ts";
import { failureReason } from "../io/sink.ts";
import { warn } from "../io/stderr.ts";

// An optional output (the timeline, the live view, a baseline) that fails does not stop the
// measurement: the first failure becomes one warning saying what failed and when, and that
// output is dropped from then on. Only the report's loss changes the exit status.

export class OptionalOutput {
  private failedAt: number | undefined;

  /** `what`: the output as the user named it, e.g. "--timeline 'run.jsonl'". */
  constructor(
    private readonly what: string,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get failed(): boolean {
    return this.failedAt !== undefined;
  }

  /** Runs `write` unless this output already failed; a failure is told once, never thrown. */
  attempt(write: () => void): void {
    if (this.failedAt !== undefined) return;
    try {
      write();
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error: unknown): void {
    if (this.failedAt !== undefined) return;
    this.failedAt = this.clock();
    warn(`cannot write ${this.what} (${failureReason(error)}) after ${(this.failedAt / 1000).toFixed(2)}s; it stops there, the measurement goes on`);
  }
}

/** A timeline whose failures are warnings: what was written before stays as it was. */
export function optionalTimeline(writer: TimelineWriter, output: OptionalOutput): TimelineWriter {
  return {
    start: (header) => output.attempt(() => writer.start(header)),
    // Once a sample, so without a closure: the hot loop allocates nothing for it.
    add: (sample) => {
      if (output.failed) return;
      try {
        writer.add(sample);
      } catch (error) {
        output.fail(error);
      }
    },
    finish: (summary) => output.attempt(() => writer.finish(summary)),
  };
}
