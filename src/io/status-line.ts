import type { Sink } from "./sink.ts";

// One line of peak-mem's own on stderr, shared by --watch and a series' progress: on a
// terminal it is redrawn in place and erased at the end, so no half line is left behind;
// elsewhere each line is written whole. A write that fails (the terminal went away) stops
// the line for good and is told once; the run goes on.
//
// The command writes to the same terminal. Where the terminal's height is known, the line
// keeps the bottom row to itself, as apt does: the rows above become a scroll region, where
// the command's output scrolls without ever landing in the middle of the line (or leaving
// pieces of it in the scrollback); the line is drawn on the bottom row, the cursor put back
// where the command left it; at the end the region is given back whole. Where the height is
// not known, the line is redrawn on the cursor's own row.

/** Back to the start of the line, then erase it. */
export const CLEAR_LINE = "\r\x1b[2K";
/** When the terminal does not say (a pty set up without a size reports 0). */
const DEFAULT_COLUMNS = 80;
/** Fewer rows than this: no region (the command would have one row or none). */
const MIN_ROWS = 4;
const SAVE = "\x1b7";
const RESTORE = "\x1b8";

/** A width, or where to read it at each redraw (so a resized terminal is followed). */
export type Columns = number | undefined | (() => number | undefined);

export class StatusLine {
  /** The terminal shows a line of ours that finish() must erase. */
  private drawn = false;
  /** The terminal's height when the bottom row was kept for the line (a scroll region set). */
  private region: number | undefined;
  /** Writing to stderr failed: nothing more is written. */
  broken = false;

  /** `failures`: where a write that failed is told (once). */
  constructor(
    private readonly sink: Sink,
    private readonly columns: Columns = DEFAULT_COLUMNS,
    private readonly failures?: { fail(error: unknown): void },
    private readonly rows?: () => number | undefined,
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
    const rows = this.height();
    if (rows === undefined) {
      if (this.emit(`${CLEAR_LINE}${line}`)) this.drawn = true;
      return;
    }
    let setup = "";
    if (this.region !== rows) {
      // A newline and back up: if the cursor was on the bottom row, the screen scrolls one
      // row and the bottom row is free. Setting a region moves the cursor home: saved around it.
      setup = this.region === undefined ? "\n\x1b[1A" : `${SAVE}\x1b[${this.region};1H\x1b[2K${RESTORE}`;
      setup += `${SAVE}\x1b[1;${rows - 1}r${RESTORE}`;
    }
    if (this.emit(`${setup}${SAVE}\x1b[${rows};1H\x1b[2K${line}${RESTORE}`)) {
      // Whatever ends peak-mem (an error, an exit before the report) gives the region back.
      if (this.region === undefined) process.once("exit", this.onExit);
      this.region = rows;
      this.drawn = true;
    }
  }

  /** Off a terminal: one complete line. */
  print(line: string): void {
    this.emit(`${line}\n`);
  }

  private readonly onExit = () => this.finish();

  /** Leaves the terminal as it was: the line erased, the whole screen scrolling again. Writes nothing if nothing was drawn. */
  finish(): void {
    process.off("exit", this.onExit);
    if (this.region !== undefined) this.emit(`${SAVE}\x1b[${this.region};1H\x1b[2K\x1b[r${RESTORE}`);
    else if (this.drawn) this.emit(CLEAR_LINE);
    this.region = undefined;
    this.drawn = false;
  }

  /** The terminal's rows where a region can be kept, else undefined (the line stays on the cursor's row). */
  private height(): number | undefined {
    const rows = this.rows?.();
    return rows !== undefined && Number.isFinite(rows) && rows >= MIN_ROWS ? Math.floor(rows) : undefined;
  }

  private emit(text: string): boolean {
    if (this.broken) return false;
    try {
      this.sink.write(text);
      return true;
    } catch (error) {
      this.broken = true;
      this.drawn = false;
      this.region = undefined;
      this.failures?.fail(error);
      return false;
    }
  }
}
