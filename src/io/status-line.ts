import type { Sink } from "./sink.ts";

// One line of peak-mem's own on stderr, shared by --watch and a series' progress: on a
// terminal it is redrawn in place and erased at the end, so no half line is left behind;
// elsewhere each line is written whole. A write that fails (the terminal went away) stops
// the line for good and is told once; the run goes on.

/** Back to the start of the line, then erase it. */
export const CLEAR_LINE = "\r\x1b[2K";
/** When the terminal does not say (a pty set up without a size reports 0). */
const DEFAULT_COLUMNS = 80;

/** A width, or where to read it at each redraw (so a resized terminal is followed). */
export type Columns = number | undefined | (() => number | undefined);

export class StatusLine {
  /** The terminal shows a line of ours that finish() must erase. */
  private drawn = false;
  /** Writing to stderr failed: nothing more is written. */
  broken = false;

  /** `failures`: where a write that failed is told (once). */
  constructor(
    private readonly sink: Sink,
    private readonly columns: Columns = DEFAULT_COLUMNS,
    private readonly failures?: { fail(error: unknown): void },
  ) {}

  get isTerminal(): boolean {
    return this.sink.isTerminal;
  }

  /** The columns a line may use: one fewer than the terminal's, so the cursor never wraps. */
  width(): number {
    const reported = typeof this.columns === "function" ? this.columns() : this.columns;
    const columns = reported !== undefined && Number.isFinite(reported) && reported >= 1 ? Math.floor(reported) : DEFAULT_COLUMNS;
    return Math.max(1, columns - 1);
  }

  /** On a terminal: replaces the line shown. */
  draw(line: string): void {
    if (this.emit(`${CLEAR_LINE}${line}`)) this.drawn = true;
  }

  /** Off a terminal: one complete line. */
  print(line: string): void {
    this.emit(`${line}\n`);
  }

  /** Leaves the terminal as it was. Writes nothing if nothing was drawn. */
  finish(): void {
    if (this.drawn) this.emit(CLEAR_LINE);
    this.drawn = false;
  }

  private emit(text: string): boolean {
    if (this.broken) return false;
    try {
      this.sink.write(text);
      return true;
    } catch (error) {
      this.broken = true;
      this.drawn = false;
      this.failures?.fail(error);
      return false;
    }
  }
}
