import { formatSize } from "../core/size/format.ts";
import type { Unit } from "../core/size/units.ts";
import type { Sample } from "../monitor/sampler.ts";
import { RecentValues, sparkline } from "../io/sparkline.ts";
import type { Sink } from "../io/sink.ts";
import { StatusLine, type Columns } from "../io/status-line.ts";

// --watch: live usage on stderr.
// - On a terminal: one line redrawn in place at most 4 times a second, whatever the
//   interval, with a sparkline of recent RSS; never as wide as the terminal (a wrapped
//   line cannot be erased), and erased at the end so no half line is left behind.
// - Otherwise: a plain, complete line about once a second, no escape codes, so CI logs
//   stay readable.

/** Terminal redraws are at least this far apart: at most 4 a second. */
export const TERMINAL_REDRAW_MS = 250;
/** Plain lines are due on this grid (0 s, 1 s, 2 s...), so they keep a steady pace. */
export const PLAIN_LINE_MS = 1000;
export { CLEAR_LINE, type Columns } from "../io/status-line.ts";
/** The sparkline shows up to this many points (one per redraw: about the last 7 s)... */
export const SPARK_MAX = 30;
/** ...and is dropped rather than shown with fewer than this many columns. */
export const SPARK_MIN = 8;
const GAP = "  ";

export class WatchLine {
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private nextPlainLine = Number.NEGATIVE_INFINITY;
  private readonly line: StatusLine;
  /** One sparkline point per redraw: the largest RSS since the previous one, so spikes show. */
  private readonly points = new RecentValues(SPARK_MAX);
  private pendingMax = 0;

  /** `failures`: where a write that failed is told (once); the live view then stops. */
  constructor(
    sink: Sink,
    private readonly units?: Unit,
    columns?: Columns,
    failures?: { fail(error: unknown): void },
    rows?: () => number | undefined,
  ) {
    this.line = new StatusLine(sink, columns, failures, rows);
  }

  update(sample: Sample, peakRss: number, peakVsz: number): void {
    // Nothing alive (the last look after the command exited): nothing to show, the run is over.
    if (this.line.broken || sample.count === 0) return;
    if (!this.line.isTerminal) {
      if (sample.tMs < this.nextPlainLine) return;
      this.nextPlainLine = (Math.floor(sample.tMs / PLAIN_LINE_MS) + 1) * PLAIN_LINE_MS;
      this.line.print(plainLine(this.facts(sample, peakRss, peakVsz)));
      return;
    }
    this.pendingMax = Math.max(this.pendingMax, sample.rss);
    if (sample.tMs - this.lastDrawn < TERMINAL_REDRAW_MS) return;
    this.lastDrawn = sample.tMs;
    this.points.push(this.pendingMax);
    this.pendingMax = 0;
    this.line.draw(terminalLine(this.facts(sample, peakRss, peakVsz), this.line.width(), this.points));
  }

  /** Leaves the terminal as it was: no half line behind. Writes nothing if nothing was drawn. */
  finish(): void {
    this.line.finish();
  }

  private facts(sample: Sample, peakRss: number, peakVsz: number): Facts {
    const size = (value: number) => formatSize(value, this.units);
    return {
      elapsed: formatElapsed(sample.tMs),
      rss: `RSS ${size(sample.rss)} peak ${size(Math.max(peakRss, sample.rss))}`,
      vsz: `VSZ ${size(sample.vsz)} peak ${size(Math.max(peakVsz, sample.vsz))}`,
      rssShort: `RSS ${size(sample.rss)}`,
      vszShort: `VSZ ${size(sample.vsz)}`,
      procs: `${sample.count} ${sample.count === 1 ? "proc" : "procs"}`,
    };
  }
}

export interface Facts {
  elapsed: string;
  rss: string;
  rssShort: string;
  vsz: string;
  vszShort: string;
  procs: string;
}

/** `peak-mem: 3.2s  RSS 45.2 MiB peak 50.1 MiB  VSZ 1.2 GiB peak 1.3 GiB  3 procs` */
export function plainLine(facts: Facts): string {
  return `peak-mem: ${[facts.elapsed, facts.rss, facts.vsz, facts.procs].join(GAP)}`;
}

/** 0.0s ... 59.9s, then 1m00s ... 59m59s, then 1h00m00s. */
export function formatElapsed(ms: number): string {
  const tenths = Math.max(0, Math.floor(ms / 100));
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.floor(tenths / 10);
  const two = (n: number) => String(n).padStart(2, "0");
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h${two(Math.floor(seconds / 60) % 60)}m${two(seconds % 60)}s`;
}

interface Shape {
  label: boolean;
  elapsed: boolean;
  rssPeak: boolean;
  spark: boolean;
  vsz: "full" | "short" | "none";
  procs: boolean;
}

/** What goes first when the line is too wide: the least useful part each time. */
const NARROWING: ((shape: Shape) => void)[] = [
  (s) => (s.label = false),
  (s) => (s.vsz = "short"),
  (s) => (s.vsz = "none"),
  (s) => (s.procs = false),
  (s) => (s.spark = false),
  (s) => (s.elapsed = false),
  (s) => (s.rssPeak = false),
];

/**
 * `peak-mem  3.2s  RSS 45.2 MiB peak 50.1 MiB  ▂▃▅▇█▇▅  VSZ 1.2 GiB peak 1.3 GiB  3 procs`, in at
 * most `width` columns (every character here takes one). The sparkline takes the room left,
 * SPARK_MIN to SPARK_MAX columns, padded so that what follows does not move while it fills.
 */
export function terminalLine(facts: Facts, width: number, points: RecentValues): string {
  const shape: Shape = { label: true, elapsed: true, rssPeak: true, spark: true, vsz: "full", procs: true };
  for (let step = 0; ; step++) {
    const before = [shape.label && "peak-mem", shape.elapsed && facts.elapsed, shape.rssPeak ? facts.rss : facts.rssShort].filter(isText);
    const after = [shape.vsz === "full" ? facts.vsz : shape.vsz === "short" && facts.vszShort, shape.procs && facts.procs].filter(isText);
    const fixed = [...before, ...after].join(GAP);
    if (!shape.spark && fixed.length <= width) return fixed;
    const room = width - fixed.length - GAP.length;
    if (shape.spark && room >= SPARK_MIN) {
      const columns = Math.min(SPARK_MAX, room);
      const shown = points.latest(columns);
      const spark = sparkline(shown);
      return [...before, after.length > 0 ? spark.padEnd(columns) : spark, ...after].join(GAP);
    }
    const narrow = NARROWING[step];
    if (!narrow) return cut(fixed, width);
    narrow(shape);
  }
}

function isText(part: string | false): part is string {
  return typeof part === "string" && part.length > 0;
}

/** The last resort: cut at a space if there is one, mid-word only if not. */
function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  const head = text.slice(0, width);
  if (text[width] === " ") return head.trimEnd();
  const space = head.lastIndexOf(" ");
  return space > 0 ? head.slice(0, space).trimEnd() : head;
}
