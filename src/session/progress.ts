import { formatDuration } from "../core/text/duration.ts";
import { StatusLine } from "../io/status-line.ts";
import type { Sink } from "../io/sink.ts";
import { formatSize } from "../core/size/format.ts";
import type { Unit } from "../core/size/units.ts";
import type { Attempt } from "./loop.ts";

// A series' progress on stderr (not with --quiet):
// - on a terminal, one line redrawn in place as each run starts and ends: a bar of the runs
//   done, the run under way and the running median of peak RSS; never as wide as the terminal,
//   erased at the end so that the report starts on a clean line;
// - elsewhere, one plain line per run once it ends, no escape codes, for CI logs.
// The command's own output goes to the same terminal: a run that prints starts its text
// after the bar, which the next redraw takes back.

const BAR_MAX = 24;
const BAR_MIN = 5;

export interface RunDone {
  attempt: Attempt;
  peakRssBytes: number;
  durationMs: number;
  exitCode: number;
  /** The running median of the command's counted runs so far, after this one. */
  medianRssBytes?: number;
}

export class SeriesProgress {
  private done = 0;
  private readonly line: StatusLine;
  /** The last median drawn, per command. */
  private readonly medians = new Map<number, number>();

  constructor(
    sink: Sink,
    /** Every attempt, warm-ups included. */
    private readonly total: number,
    private readonly plan: { runs: number; warmup: number; commands: number },
    private readonly units: Unit | undefined,
    columns?: () => number | undefined,
    failures?: { fail(error: unknown): void },
    rows?: () => number | undefined,
  ) {
    this.line = new StatusLine(sink, columns, failures, rows);
  }

  started(attempt: Attempt): void {
    if (this.line.isTerminal) this.draw(attempt);
  }

  ended(run: RunDone): void {
    this.done++;
    if (run.medianRssBytes !== undefined) this.medians.set(run.attempt.command, run.medianRssBytes);
    if (this.line.isTerminal) {
      this.draw(run.attempt);
      return;
    }
    const size = (value: number) => formatSize(value, this.units);
    const median = run.medianRssBytes === undefined ? "" : `, median ${size(run.medianRssBytes)}`;
    this.line.print(`peak-mem: ${this.label(run.attempt)}: peak RSS ${size(run.peakRssBytes)}, ${formatDuration(run.durationMs)}, exit ${run.exitCode}${median}`);
  }

  /** Erases the bar: nothing of it is left before the report. */
  finish(): void {
    this.line.finish();
  }

  /** "run 3/5", "warm-up 1/2", "run 3/5 of command 2". */
  private label(attempt: Attempt): string {
    const of = this.plan.commands > 1 ? ` of command ${attempt.command + 1}` : "";
    return attempt.warmup ? `warm-up ${attempt.run}/${this.plan.warmup}${of}` : `run ${attempt.run}/${this.plan.runs}${of}`;
  }

  private draw(attempt: Attempt): void {
    const width = this.line.width();
    const median = this.medians.get(attempt.command);
    const text = `${this.label(attempt)}${median === undefined ? "" : `  median ${formatSize(median, this.units)}`}`;
    const room = width - "peak-mem  ".length - text.length - 2;
    let line = `peak-mem  ${text}`;
    if (room >= BAR_MIN) {
      const cells = Math.min(BAR_MAX, room);
      const filled = Math.round((this.done / this.total) * cells);
      line = `peak-mem  ${"█".repeat(filled)}${"░".repeat(cells - filled)}  ${text}`;
    }
    if (line.length > width) line = line.slice(0, width);
    this.line.draw(line);
  }
}
