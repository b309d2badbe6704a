import { formatSize } from "../size/format.ts";
import type { Unit } from "../size/units.ts";
import type { Sample } from "../monitor/sampler.ts";
import type { Sink } from "./sink.ts";

// --watch: live usage on stderr. On a terminal one line redrawn in place (at most a few
// times a second) and erased at the end; otherwise a plain line about once a second, so
// CI logs stay readable.

const TERMINAL_REDRAW_MS = 250;
const PLAIN_LINE_MS = 1000;
const CLEAR_LINE = "\r\x1b[2K";

export class WatchLine {
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly sink: Sink,
    private readonly units?: Unit,
    /** Terminal width: a redrawn line must not wrap, or "erase line" would leave its head behind. */
    private readonly columns = 80,
  ) {}

  update(sample: Sample, peakRss: number, peakVsz: number): void {
    const every = this.sink.isTerminal ? TERMINAL_REDRAW_MS : PLAIN_LINE_MS;
    if (sample.tMs - this.lastDrawn < every) return;
    this.lastDrawn = sample.tMs;
    const size = (value: number) => formatSize(value, this.units);
    const text =
      `peak-mem: ${(sample.tMs / 1000).toFixed(1)}s  RSS ${size(sample.rss)} (peak ${size(peakRss)})  ` +
      `VSZ ${size(sample.vsz)} (peak ${size(peakVsz)})  ${sample.count} proc`;
    if (this.sink.isTerminal) {
      this.sink.write(`${CLEAR_LINE}${text.slice(0, Math.max(1, this.columns - 1))}`);
      this.drawn = true;
    } else {
      this.sink.write(`${text}\n`);
    }
  }

  /** Leaves the terminal as it was: no half line behind. */
  finish(): void {
    if (this.drawn) this.sink.write(CLEAR_LINE);
    this.drawn = false;
  }
}
