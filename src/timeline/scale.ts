// Axis helpers for the charts: linear scales that never divide by zero, and ticks at
// values a person reads at a glance: sizes in IEC units (0, 128 MiB, 256 MiB, …) and
// times in seconds (0s, 0.5s, 1s, …, or minutes for long runs).

export interface Tick {
  value: number;
  label: string;
}

/** Maps [0, max] onto [from, to]. A max of 0 (no data yet) becomes 1, so never NaN. */
export function linearScale(max: number, from: number, to: number): (value: number) => number {
  const span = Number.isFinite(max) && max > 0 ? max : 1;
  return (value) => from + ((Number.isFinite(value) ? value : 0) / span) * (to - from);
}

/** Coordinates are written with one decimal: enough for a screen, small for 4000 points. */
export function coord(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isFinite(rounded) ? String(rounded) : "0";
}

// ---- sizes ----

const IEC = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;
/**
 * Steps within one unit: 1-2-5 while the ticks stay below 1024 of it, then the binary
 * 256 and 512 (so 512 MiB, 1 GiB, 1.5 GiB rather than 500 MiB, 1000 MiB, 1500 MiB);
 * past the last, the next unit's 1.
 */
const SIZE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 256, 512];

export interface SizeTicks {
  ticks: Tick[];
  /** The top of the axis: the last tick, at or above the largest value. */
  max: number;
}

/** About `count` ticks from 0 up to at least `max`. */
export function sizeTicks(max: number, count = 5): SizeTicks {
  return sizeTicksWithStep(sizeStep(max / count), max);
}

/**
 * Ticks for a second axis drawn against the first one's grid: the same number of
 * intervals, each a round size, so both axes' ticks fall on the same grid lines.
 */
export function alignedSizeTicks(max: number, intervals: number): SizeTicks {
  const n = Math.max(1, intervals);
  const step = sizeStep(max / n);
  return { ticks: Array.from({ length: n + 1 }, (_, i) => sizeTick(i * step, step)), max: n * step };
}

function sizeTicksWithStep(step: number, max: number): SizeTicks {
  const n = Math.max(1, Math.ceil(safe(max) / step));
  return { ticks: Array.from({ length: n + 1 }, (_, i) => sizeTick(i * step, step)), max: n * step };
}

/** The smallest round step (in bytes) at or above `raw`. */
function sizeStep(raw: number): number {
  let unit = 1;
  while (unit * 1024 <= raw && unit < 1024 ** (IEC.length - 1)) unit *= 1024;
  const wanted = safe(raw) / unit;
  const step = SIZE_STEPS.find((candidate) => candidate >= wanted);
  return step === undefined ? unit * 1024 : step * unit;
}

/** A tick reads in its step's unit, or in the next one from 1024 of it on (768 MiB, 1.25 GiB). */
function sizeTick(value: number, step: number): Tick {
  if (value === 0) return { value, label: "0" };
  let index = 0;
  while (index < IEC.length - 1 && step >= 1024 ** (index + 1)) index++;
  if (index < IEC.length - 1 && value >= 1024 ** (index + 1)) index++;
  // Steps are whole numbers of their unit, so two decimals are exact in the next one (1.25).
  return { value, label: `${Number((value / 1024 ** index).toFixed(2))} ${IEC[index]}` };
}

// ---- time ----

/** Steps in seconds: 1-2-5 below a minute, then the clock's own round numbers. */
const TIME_STEPS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
  21600, 43200, 86400,
];

/** About `count` ticks from 0 up to `maxMs` (not beyond: the time axis ends where the run did). */
export function timeTicks(maxMs: number, count = 8): Tick[] {
  const maxSeconds = safe(maxMs) / 1000;
  const raw = maxSeconds / count;
  const step = TIME_STEPS.find((candidate) => candidate >= raw) ?? Math.ceil(raw / 86400) * 86400;
  const ticks: Tick[] = [];
  // A hair of tolerance so that 3 × 0.1 s still counts as reaching 0.3 s.
  for (let i = 0; i * step <= maxSeconds * (1 + 1e-9); i++) ticks.push({ value: i * step * 1000, label: timeLabel(i * step, step) });
  return ticks;
}

function timeLabel(seconds: number, step: number): string {
  if (seconds === 0) return "0s";
  if (step < 60) {
    const decimals = step >= 1 ? 0 : Math.ceil(-Math.log10(step) - 1e-9);
    return `${seconds.toFixed(decimals)}s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const rest = minutes % 60;
  return rest === 0 ? `${minutes / 60}h` : `${Math.floor(minutes / 60)}h${rest}m`;
}

function safe(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
