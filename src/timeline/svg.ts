import { formatDuration } from "../core/text/duration.ts";
import { asTyped, formatSize } from "../core/size/format.ts";
import type { ChartData, OomKill, TimelineSample } from "../model/chart-data.ts";
import { alignedSizeTicks, coord, linearScale, sizeTicks, timeTicks, type Tick } from "./scale.ts";
import { stackPrograms, type ProgramStack } from "./stack.ts";

// The chart of a run: RSS (the main line, left axis) and VSZ (dashed: on the same axis where
// the two are comparable, else on its own right axis) over time, the peak marked with its value, the threshold when one was set, the memory limit
// (a solid line) and an OOM kill (a ✕ on the RSS line) when known. Drawn once here
// as SVG text: the HTML page embeds `chartSvg` (so it shows without JavaScript), and
// `renderSvg` wraps the same drawing into a standalone file.
//
// VSZ gets its own scale because it is routinely tens of times the RSS (Bun and the JVM
// reserve gigabytes they never touch): on a shared scale the RSS line would be flat.
//
// When the samples name programs (src/timeline/stack.ts), the RSS under the line is a
// stack of bands, one a program and one "other", with their legend below the time axis;
// the line is then their total, drawn in the text colour so that no band is mistaken for it.

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 420;
/** The standalone SVG's band above the chart: the command and the summary. */
const HEADER_HEIGHT = 56;
const PLOT = { left: 80, right: CHART_WIDTH - 80, top: 44, bottom: CHART_HEIGHT - 48 };
/** About what fits the header's width at 15px bold in a system font (checked in Chromium). */
const MAX_HEADER_CHARS = 96;
/** Few enough samples that each is worth a dot (a single sample is otherwise invisible). */
const MAX_DOTTED_SAMPLES = 30;
/**
 * A memory limit is drawn as a line, the RSS axis stretched to hold it, only up to this many
 * times the chart's own top (the peak, or the threshold): further up it would flatten the
 * RSS line into the floor (a 16 GiB machine's memory above a 200 MiB run), so it is named
 * in the legend instead, "limit 16.0 GiB (off the chart)".
 */
export const LIMIT_ON_CHART_RATIO = 4;
/** The OOM marker's half-width: a ✕ of two strokes, 12 px across. */
const OOM_MARK = 6;
/** About the width of a character of the chart's 12px labels, for keeping them apart. */
const CHAR_WIDTH = 7;
/** The program legend's rows, below the time axis's title, and the longest name it shows in full. */
const PROGRAM_LEGEND = { top: CHART_HEIGHT + 4, row: 22, bottomPadding: 10, maxChars: 28 };

/** Colours as CSS variables, light by default and dark on request, plus the chart's classes. */
export const CHART_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --grid: #d8dee4; --panel: #f6f8fa;
  --rss: #0969da; --rss-fill: rgba(9, 105, 218, 0.12); --vsz: #8250df; --gpu: #1a7f37;
  --threshold: #cf222e; --peak: #bc4c00; --limit: #424a53; --oom: #cf222e;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #30363d; --panel: #161b22;
    --rss: #4493f8; --rss-fill: rgba(68, 147, 248, 0.18); --vsz: #ab7df8; --gpu: #3fb950;
    --threshold: #f85149; --peak: #f0883e; --limit: #d1d7e0; --oom: #ff7b72;
  }
}
.chart { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 12px; font-variant-numeric: tabular-nums; }
.chart .bg { fill: var(--bg); }
.chart text { fill: var(--muted); }
.chart .grid { stroke: var(--grid); stroke-width: 1; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .axis-title { font-weight: 600; }
.chart .rss { fill: none; stroke: var(--rss); stroke-width: 2.25; stroke-linejoin: round; }
.chart .rss-area { fill: var(--rss-fill); stroke: none; }
.chart .rss-dot { fill: var(--rss); }
.chart .vsz { fill: none; stroke: var(--vsz); stroke-width: 1.5; stroke-dasharray: 6 4; stroke-linejoin: round; }
.chart .vsz-dot { fill: var(--vsz); }
.chart .gpu { fill: none; stroke: var(--gpu); stroke-width: 2; stroke-linejoin: round; }
.chart .vsz-tick { fill: var(--vsz); }
.chart .threshold line { stroke: var(--threshold); stroke-width: 1.5; stroke-dasharray: 8 4; }
.chart .threshold text { fill: var(--threshold); font-weight: 600; }
.chart .peak circle { fill: var(--peak); stroke: var(--bg); stroke-width: 2; }
.chart .peak .stem { stroke: var(--peak); stroke-width: 1; stroke-dasharray: 2 2; }
.chart .peak text { fill: var(--peak); font-weight: 700; font-size: 13px; }
.chart .limit line { stroke: var(--limit); stroke-width: 1.5; }
.chart .limit text { fill: var(--limit); font-weight: 600; }
.chart .oom-mark { fill: none; stroke: var(--oom); stroke-width: 3; stroke-linecap: round; }
.chart .oom-halo { fill: none; stroke: var(--bg); stroke-width: 7; stroke-linecap: round; }
.chart .oom text { fill: var(--oom); font-weight: 700; }
.chart .halo { paint-order: stroke; stroke: var(--bg); stroke-width: 4px; stroke-linejoin: round; }
.chart .legend text { fill: var(--fg); }
.chart .header .command { fill: var(--fg); font-size: 15px; font-weight: 600; }
.chart .empty { font-size: 14px; }
`;

/** The stacked chart's colours and classes, added to CHART_CSS only when the chart is stacked. */
export const STACK_CSS = `
:root {
  --band-0: #88ccee; --band-1: #aa4499; --band-2: #ddcc77; --band-3: #44aa99; --band-4: #6f63c7; --band-5: #66aa44; --band-other: #c3cad1;
}
@media (prefers-color-scheme: dark) {
  :root {
    --band-0: #4f9cc9; --band-1: #a4509a; --band-2: #b7a84f; --band-3: #2f8f7f; --band-4: #6a5fd0; --band-5: #5c9e3a; --band-other: #4a525c;
  }
}
.chart .band { stroke: var(--bg); stroke-width: 0.75; stroke-linejoin: round; }
.chart .grid-over { stroke: var(--bg); stroke-width: 1; opacity: 0.35; }
.chart.stacked .rss { stroke: var(--fg); }
.chart.stacked .rss-dot { fill: var(--fg); }
.chart .band-0 { fill: var(--band-0); } .chart .band-1 { fill: var(--band-1); } .chart .band-2 { fill: var(--band-2); }
.chart .band-3 { fill: var(--band-3); } .chart .band-4 { fill: var(--band-4); } .chart .band-5 { fill: var(--band-5); }
.chart .band-other { fill: var(--band-other); }
.chart .program-legend .other { font-style: italic; }
`;

/** The styles a chart needs: a chart without programs has exactly the styles it always had. */
export function chartCss(geometry: Geometry): string {
  return geometry.stack ? CHART_CSS + STACK_CSS : CHART_CSS;
}

/** Text and attribute values for XML and HTML alike. */
export function escapeXml(text: string): string {
  // Control characters and lone surrogates are not allowed in XML at all, even escaped:
  // a command can contain them, so they become U+FFFD and the file stays well-formed.
  return text
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    .replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Where everything goes: scales and ticks, computed once for both outputs and the hover. */
/** VSZ up to this many times RSS shares RSS's scale. */
export const SHARED_SCALE_RATIO = 4;

export interface Geometry {
  x: (tMs: number) => number;
  yRss: (bytes: number) => number;
  yVsz: (bytes: number) => number;
  timeTicks: Tick[];
  rssTicks: Tick[];
  /** VSZ's own axis on the right; empty when VSZ shares RSS's axis (sharedScale). */
  vszTicks: Tick[];
  /** Some sample carries the tree's GPU memory: drawn on the left axis. */
  gpu: boolean;
  /** RSS and VSZ on one scale, the left axis: VSZ is within SHARED_SCALE_RATIO of RSS. */
  sharedScale: boolean;
  /** The end of the time axis, ms: the run's duration, the last sample or an OOM kill, whichever is later. */
  timeMaxMs: number;
  /** Whether the memory limit is drawn as a line: known, and within LIMIT_ON_CHART_RATIO of the data. */
  limitOnChart: boolean;
  /** The RSS by program, when the samples name programs: the chart is then stacked. */
  stack: ProgramStack | undefined;
  /** The program legend's items, placed in rows below the time axis (none when not stacked). */
  programLegend: LegendItem[];
  /** The chart's full height: CHART_HEIGHT, and the program legend's rows below it. */
  height: number;
}

/** One entry of the program legend: its band, the name as shown, where it goes. */
export interface LegendItem {
  /** The band's class suffix: 0…CHART_PROGRAMS-1, or "other". */
  band: string;
  /** The program's full name (undefined for the other band). */
  name: string | undefined;
  label: string;
  x: number;
  y: number;
}

export function chartGeometry(data: ChartData): Geometry {
  const samples = data.samples;
  const timeMaxMs = Math.max(data.durationMs ?? 0, samples.at(-1)?.tMs ?? 0, oomTime(data.oomKill) ?? 0, 1);
  // Headroom above the peak so its label has room; the threshold is always on the chart,
  // the limit when it is not too far above the rest (LIMIT_ON_CHART_RATIO).
  // GPU memory, where read, shares RSS's axis: both are memory the tree held, in bytes.
  const dataTop = Math.max(data.peakRssBytes, data.thresholdBytes ?? 0, maxOf(samples, (s) => s.rss), data.peakGpuBytes ?? 0, maxOf(samples, (s) => s.gpu ?? 0));
  const limit = limitOf(data);
  const limitOnChart = limit !== undefined && limit <= dataTop * LIMIT_ON_CHART_RATIO;
  const rssTop = Math.max(dataTop, limitOnChart ? limit : 0) * 1.08;
  const vszTop = Math.max(data.peakVszBytes, maxOf(samples, (s) => s.vsz));
  // Where VSZ is comparable to RSS (a C build: 308 MiB against 268 MiB) two scales would draw
  // the larger figure below the smaller: one scale then. Where VSZ is mostly reserved address
  // space (a runtime's gigabytes), it gets the right axis, or RSS would be a line along zero.
  const sharedScale = vszTop <= rssTop * SHARED_SCALE_RATIO;
  const rss = sizeTicks(sharedScale ? Math.max(rssTop, vszTop * 1.08) : rssTop);
  const vsz = sharedScale ? rss : alignedSizeTicks(vszTop, rss.ticks.length - 1);
  return {
    x: linearScale(timeMaxMs, PLOT.left, PLOT.right),
    yRss: linearScale(rss.max, PLOT.bottom, PLOT.top),
    yVsz: linearScale(vsz.max, PLOT.bottom, PLOT.top),
    timeTicks: timeTicks(timeMaxMs),
    rssTicks: rss.ticks,
    vszTicks: sharedScale ? [] : vsz.ticks,
    sharedScale,
    gpu: samples.some((s) => s.gpu !== undefined),
    timeMaxMs,
    limitOnChart,
    ...programLayout(stackPrograms(samples)),
  };
}

/** The band class of each of the stack's programs, by position: its colour. */
export function bandClass(band: string): string {
  return `band-${band}`;
}

/** The program legend flows left to right, a row at a time, within the plot's width. */
function programLayout(stack: ProgramStack | undefined): Pick<Geometry, "stack" | "programLegend" | "height"> {
  if (!stack) return { stack, programLegend: [], height: CHART_HEIGHT };
  const entries: Array<{ band: string; name: string | undefined; label: string }> = stack.names.map((name, index) => ({
    band: String(index),
    name,
    label: [...name].length > PROGRAM_LEGEND.maxChars ? `${[...name].slice(0, PROGRAM_LEGEND.maxChars - 1).join("")}…` : name,
  }));
  if (stack.hasOther) entries.push({ band: "other", name: undefined, label: OTHER_LABEL });
  const items: LegendItem[] = [];
  const titleWidth = PROGRAM_LEGEND_TITLE.length * CHAR_WIDTH + 20;
  let x = PLOT.left + titleWidth;
  let row = 0;
  for (const entry of entries) {
    const width = 18 + [...entry.label].length * CHAR_WIDTH + 18;
    if (x + width > PLOT.right && x > PLOT.left + titleWidth) {
      row++;
      x = PLOT.left + titleWidth;
    }
    items.push({ ...entry, x, y: PROGRAM_LEGEND.top + (row + 1) * PROGRAM_LEGEND.row });
    x += width;
  }
  return { stack, programLegend: items, height: PROGRAM_LEGEND.top + (row + 1) * PROGRAM_LEGEND.row + PROGRAM_LEGEND.bottomPadding };
}

/** The band of everything no other band names; in italics, so a program called "other" is told from it. */
export const OTHER_LABEL = "other programs";
const PROGRAM_LEGEND_TITLE = "RSS by program:";

/** The memory limit, if there is one worth showing (a positive number of bytes). */
export function limitOf(data: ChartData): number | undefined {
  const limit = data.limitBytes;
  return limit !== undefined && Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

/** The command, or, where the timeline did not record it, the file the chart was drawn from. */
export function chartName(data: ChartData): string {
  return data.command !== "" ? data.command : `${data.notRecorded?.from ?? "timeline"} (command not recorded)`;
}

/** When the OOM kill happened, if it can be placed on the time axis. */
function oomTime(kill: OomKill | undefined): number | undefined {
  return kill && Number.isFinite(kill.atMs) ? Math.max(0, kill.atMs) : undefined;
}

/** The process the OOM killer took, as "4242 alloc", or "" when not known. */
export function oomVictim(kill: OomKill): string {
  return [kill.pid, kill.name].filter((part) => part !== undefined && part !== "").join(" ");
}

/** The marker's label: "OOM kill: 4242 alloc", "OOM kill (likely): 4242 alloc", "OOM kill". */
export function oomLabel(kill: OomKill): string {
  const victim = oomVictim(kill);
  const head = kill.certain === false ? "OOM kill (likely)" : "OOM kill";
  return victim ? `${head}: ${victim}` : head;
}

/** The chart as an <svg> element for embedding in HTML: ids for the page's script. */
export function chartSvg(data: ChartData, geometry = chartGeometry(data)): string {
  const limit = limitOf(data);
  const label = [
    `Memory of ${data.command || "a saved timeline"} over time: peak RSS ${formatSize(data.peakRssBytes)}`,
    ...(limit !== undefined ? [limitLabel(limit, data.cgroupPeakBytes, data.limitGiven)] : []),
    ...(data.oomKill ? [oomLabel(data.oomKill)] : []),
    ...(geometry.stack ? [`by program: ${geometry.stack.names.join(", ")}${geometry.stack.hasOther ? ` and ${OTHER_LABEL}` : ""}`] : []),
  ].join(", ");
  return [
    `<svg id="chart" class="chart${geometry.stack ? " stacked" : ""}" viewBox="0 0 ${CHART_WIDTH} ${geometry.height}" role="img" aria-label="${escapeXml(label)}">`,
    chartBody(data, geometry),
    // The hover cursor: hidden until the page's script moves it to a sample.
    `<g id="cursor" visibility="hidden"><line class="axis" x1="0" x2="0" y1="${PLOT.top}" y2="${PLOT.bottom}"/>` +
      `<circle class="rss-dot" r="4"/><circle class="vsz-dot" r="3"/></g>`,
    "</svg>",
  ].join("\n");
}

/** The chart as a standalone SVG file: its own styles, a title and a header with the summary. */
export function renderSvg(data: ChartData): string {
  const geometry = chartGeometry(data);
  const height = geometry.height + HEADER_HEIGHT;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart${geometry.stack ? " stacked" : ""}" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}">`,
    `<title>${escapeXml(`peak-mem: ${chartName(data)}`)}</title>`,
    `<style>${chartCss(geometry)}</style>`,
    `<rect class="bg" width="${CHART_WIDTH}" height="${height}"/>`,
    header(data),
    `<g transform="translate(0 ${HEADER_HEIGHT})">`,
    chartBody(data, geometry),
    "</g>",
    "</svg>",
    "",
  ].join("\n");
}

/** One line of summary, shared by the SVG header; the HTML page has a fuller one. */
export function summaryLine(data: ChartData): string {
  const parts = [`peak RSS ${formatSize(data.peakRssBytes)}`, `VSZ ${formatSize(data.peakVszBytes)}`];
  if (data.peakGpuBytes !== undefined) parts.push(`GPU ${data.peakGpuExact === false ? "≥ " : ""}${formatSize(data.peakGpuBytes)}`);
  if (data.durationMs !== undefined) parts.push(formatDuration(data.durationMs));
  if (data.exitCode !== undefined) parts.push(`exit ${data.exitCode}${data.signal ? ` (${data.signal})` : ""}`);
  const limit = limitOf(data);
  if (limit !== undefined) parts.push(limitLabel(limit, data.cgroupPeakBytes, data.limitGiven));
  if (data.oomKill) parts.push(data.oomKill.certain === false ? "OOM kill (likely)" : "OOM kill");
  const count = data.sampleCount ?? data.samples.length;
  parts.push(`${count} ${count === 1 ? "sample" : "samples"}`);
  if (data.startedAt !== "") parts.push(data.startedAt);
  if (data.notRecorded) parts.push(data.notRecorded.why);
  return parts.join(" · ");
}

function header(data: ChartData): string {
  // The full command is in <title>; a very long one is cut here so that it fits the width.
  const named = chartName(data);
  const command = named.length > MAX_HEADER_CHARS ? `${named.slice(0, MAX_HEADER_CHARS - 1)}…` : named;
  return [
    `<g class="header">`,
    `<text class="command" x="${PLOT.left}" y="24">${escapeXml(command)}</text>`,
    `<text x="${PLOT.left}" y="44">${escapeXml(summaryLine(data))}</text>`,
    `</g>`,
  ].join("\n");
}

function chartBody(data: ChartData, g: Geometry): string {
  const peakX = peakPoint(data, g).x;
  const limit = limitOf(data);
  return [
    `<rect class="bg" width="${CHART_WIDTH}" height="${g.height}"/>`,
    grid(g),
    data.samples.length === 0 ? emptyNote() : lines(data.samples, g),
    data.thresholdBytes === undefined ? "" : threshold(data.thresholdBytes, g, peakX, data.thresholdGiven),
    limit !== undefined && g.limitOnChart ? limitLine(limit, g, peakX, data) : "",
    peak(data, g),
    data.oomKill ? oomMarker(data.oomKill, data, g) : "",
    axes(g),
    legend(data, g),
    g.stack ? programLegend(g) : "",
  ]
    .filter(Boolean)
    .join("\n");
}

function grid(g: Geometry): string {
  const horizontal = g.rssTicks.map((t) => hLine("grid", g.yRss(t.value)));
  const vertical = g.timeTicks.map((t) => `<line class="grid" x1="${coord(g.x(t.value))}" x2="${coord(g.x(t.value))}" y1="${PLOT.top}" y2="${PLOT.bottom}"/>`);
  return `<g class="grid-lines">${[...horizontal, ...vertical].join("")}</g>`;
}

function axes(g: Geometry): string {
  const left = g.rssTicks.map((t) => text(PLOT.left - 8, g.yRss(t.value) + 4, t.label, `text-anchor="end"`));
  const right = g.vszTicks.map((t) => text(PLOT.right + 8, g.yVsz(t.value) + 4, t.label, `class="vsz-tick"`));
  const bottom = g.timeTicks.map((t) => text(g.x(t.value), PLOT.bottom + 18, t.label, `text-anchor="middle"`));
  return [
    `<g class="axes">`,
    `<line class="axis" x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}"/>`,
    ...left,
    ...right,
    ...bottom,
    text(PLOT.left - 8, PLOT.top - 12, `${g.sharedScale ? "RSS, VSZ" : "RSS"}${g.gpu ? ", GPU" : ""}`, `class="axis-title" text-anchor="end"`),
    g.sharedScale ? "" : text(PLOT.right + 8, PLOT.top - 12, "VSZ", `class="axis-title vsz-tick"`),
    text((PLOT.left + PLOT.right) / 2, PLOT.bottom + 38, "time since start (seconds)", `text-anchor="middle"`),
    `</g>`,
  ].join("\n");
}

function lines(samples: TimelineSample[], g: Geometry): string {
  const rssPoints = samples.map((s) => `${coord(g.x(s.tMs))},${coord(g.yRss(s.rss))}`);
  const vszPoints = samples.map((s) => `${coord(g.x(s.tMs))},${coord(g.yVsz(s.vsz))}`);
  const first = coord(g.x(samples[0]?.tMs ?? 0));
  const last = coord(g.x(samples.at(-1)?.tMs ?? 0));
  const parts = [
    g.stack ? bands(samples, g.stack, g) : `<path class="rss-area" d="M${first},${PLOT.bottom}L${rssPoints.join("L")}L${last},${PLOT.bottom}Z"/>`,
    `<polyline class="vsz" points="${vszPoints.join(" ")}"/>`,
    `<polyline class="rss" points="${rssPoints.join(" ")}"/>`,
  ];
  // GPU memory from its first reading on: before it, it was not known, not zero.
  const gpuPoints = samples.filter((s) => s.gpu !== undefined).map((s) => `${coord(g.x(s.tMs))},${coord(g.yRss(s.gpu ?? 0))}`);
  if (gpuPoints.length > 0) parts.push(`<polyline class="gpu" points="${gpuPoints.join(" ")}"/>`);
  if (samples.length <= MAX_DOTTED_SAMPLES) {
    parts.push(...samples.map((s) => `<circle class="rss-dot" r="2.5" cx="${coord(g.x(s.tMs))}" cy="${coord(g.yRss(s.rss))}"/>`));
  }
  return `<g class="series">${parts.join("\n")}</g>`;
}

/**
 * The stacked bands. Each is drawn as the area from the floor up to its own top (the sum of
 * it and the bands below), the highest first and each lower one over it: the visible part
 * of each is then exactly its share, and every boundary is written once, not twice.
 * The grid's horizontal lines are redrawn faintly over them, so values can be read inside.
 */
function bands(samples: TimelineSample[], stack: ProgramStack, g: Geometry): string {
  const xs = samples.map((s) => coord(g.x(s.tMs)));
  const first = xs[0] ?? "0";
  const last = xs.at(-1) ?? "0";
  const layers = [...stack.values.map((values, index) => ({ values, band: String(index), name: stack.names[index] }))];
  if (stack.hasOther) layers.push({ values: stack.other, band: "other", name: undefined });
  const top = new Array<number>(samples.length).fill(0);
  const paths = layers.map(({ values, band, name }) => {
    values.forEach((value, i) => (top[i] = (top[i] ?? 0) + value));
    const points = top.map((value, i) => `${xs[i]},${coord(g.yRss(value))}`);
    const program = name === undefined ? `data-band="other"` : `data-band="program" data-program="${escapeXml(name)}"`;
    return `<path class="band ${bandClass(band)}" ${program} d="M${first},${PLOT.bottom}L${points.join("L")}L${last},${PLOT.bottom}Z"/>`;
  });
  const over = g.rssTicks.slice(1).map((t) => hLine("grid-over", g.yRss(t.value)));
  return `<g class="bands">${paths.reverse().join("\n")}</g><g class="grid-over-lines">${over.join("")}</g>`;
}

/** Below the time axis: a swatch and a name for each band, in the stack's order from the floor up. */
function programLegend(g: Geometry): string {
  const first = g.programLegend[0];
  if (!first) return "";
  const parts = [text(PLOT.left, first.y, PROGRAM_LEGEND_TITLE, `class="axis-title"`)];
  for (const item of g.programLegend) {
    const swatch = `<rect class="band ${bandClass(item.band)}" x="${coord(item.x)}" y="${coord(item.y - 10)}" width="12" height="12" rx="2"/>`;
    const attributes = item.name === undefined ? `class="other" data-band="other"` : `data-band="program" data-program="${escapeXml(item.name)}"`;
    // The full name, for a pointer resting on a shortened one.
    const title = item.name !== undefined && item.label !== item.name ? `<title>${escapeXml(item.name)}</title>` : "";
    parts.push(`<g ${attributes}>${swatch}${text(item.x + 18, item.y, item.label)}${title}</g>`);
  }
  return `<g class="legend program-legend">${parts.join("")}</g>`;
}

function emptyNote(): string {
  const x = (PLOT.left + PLOT.right) / 2;
  const y = (PLOT.top + PLOT.bottom) / 2;
  return text(x, y, "No samples: the command ended before the first one", `class="empty" text-anchor="middle"`);
}

/** Where the peak is drawn: at the sample with the most RSS, at the height of the reported peak. */
function peakPoint(data: ChartData, g: Geometry): { x: number; y: number; lineY: number } {
  let best: TimelineSample | undefined;
  for (const sample of data.samples) if (!best || sample.rss > best.rss) best = sample;
  return { x: g.x(best?.tMs ?? 0), y: g.yRss(data.peakRssBytes), lineY: g.yRss(best?.rss ?? 0) };
}

/** Where the peak's label goes: beside the dot, on the side with room, above it unless that would leave the plot. */
function peakLabelPoint(p: { x: number; y: number }): { x: number; y: number; anchor: "start" | "end" } {
  const rightHalf = p.x > (PLOT.left + PLOT.right) / 2;
  return { x: rightHalf ? p.x - 10 : p.x + 10, y: p.y - 10 > PLOT.top + 4 ? p.y - 10 : p.y + 20, anchor: rightHalf ? "end" : "start" };
}

function peak(data: ChartData, g: Geometry): string {
  const p = peakPoint(data, g);
  const label = data.peakRssExact === false ? `peak ≥ ${formatSize(data.peakRssBytes)}${data.peakRssUpperBytes !== undefined ? `, ≤ ${formatSize(data.peakRssUpperBytes)}` : ""}` : `peak ${formatSize(data.peakRssBytes)}`;
  const { x: labelX, y: labelY, anchor } = peakLabelPoint(p);
  // The reported peak can be above every sample (a kernel high-water mark caught between
  // samples): a dotted stem then joins it to the line, so it does not look detached.
  const stem = data.samples.length > 0 && p.lineY - p.y > 3 ? `<line class="stem" x1="${coord(p.x)}" x2="${coord(p.x)}" y1="${coord(p.lineY)}" y2="${coord(p.y)}"/>` : "";
  return [
    `<g class="peak">`,
    stem,
    `<circle id="peak-dot" r="5" cx="${coord(p.x)}" cy="${coord(p.y)}"/>`,
    text(labelX, labelY, label, `id="peak-label" class="halo" text-anchor="${anchor}"`),
    `</g>`,
  ].join("");
}

/** "threshold 250M (238.4 MiB)" as typed, else "threshold 238.4 MiB". */
export function thresholdLabel(bytes: number, given?: string): string {
  return `threshold ${asTyped(given, bytes, formatSize)}`;
}

function threshold(bytes: number, g: Geometry, peakX: number, given?: string): string {
  const y = g.yRss(bytes);
  // The label goes to the end away from the peak so that the two labels do not collide.
  const peakOnRight = peakX > (PLOT.left + PLOT.right) / 2;
  const x = peakOnRight ? PLOT.left + 6 : PLOT.right - 6;
  const label = thresholdLabel(bytes, given);
  return [
    `<g id="threshold-line" class="threshold">`,
    hLine("", y),
    text(x, y - 6, label, `class="halo" text-anchor="${peakOnRight ? "start" : "end"}"`),
    `</g>`,
  ].join("");
}

/** The limit as its label says it: with the cgroup's peak charge where known, what the limit counts (RSS may pass the line). */
export function limitLabel(bytes: number, cgroupPeakBytes: number | undefined, given?: string): string {
  const limit = `limit ${asTyped(given, bytes, formatSize)}`;
  return cgroupPeakBytes === undefined ? limit : `${limit}, cgroup peak ${formatSize(cgroupPeakBytes)}`;
}

/** The limit: a solid line across the plot, labelled with its value. */
function limitLine(bytes: number, g: Geometry, peakX: number, data: ChartData): string {
  const y = g.yRss(bytes);
  const thresholdBytes = data.thresholdBytes;
  // At the end away from the peak, as the threshold's label is: when the two lines are
  // close, this label goes beside the threshold's rather than on top of it.
  const peakOnRight = peakX > (PLOT.left + PLOT.right) / 2;
  let x = peakOnRight ? PLOT.left + 6 : PLOT.right - 6;
  if (thresholdBytes !== undefined && Math.abs(g.yRss(thresholdBytes) - y) < 16) {
    const beside = thresholdLabel(thresholdBytes, data.thresholdGiven).length * CHAR_WIDTH + 16;
    x += peakOnRight ? beside : -beside;
  }
  return [
    `<g id="limit-line" class="limit">`,
    hLine("", y),
    text(x, y - 6, limitLabel(bytes, data.cgroupPeakBytes, data.limitGiven), `id="limit-label" class="halo" text-anchor="${peakOnRight ? "start" : "end"}"`),
    `</g>`,
  ].join("");
}

/** The RSS line's height at `tMs`: between the samples either side, the nearest one outside them. */
export function rssAt(samples: TimelineSample[], tMs: number): number {
  const after = samples.findIndex((s) => s.tMs >= tMs);
  if (after === -1) return samples.at(-1)?.rss ?? 0;
  const b = samples[after]!;
  const a = samples[after - 1];
  if (!a || b.tMs <= a.tMs) return b.rss;
  return a.rss + ((b.rss - a.rss) * (tMs - a.tMs)) / (b.tMs - a.tMs);
}

/**
 * Where the OOM kill is drawn: on the RSS line at the last sample that saw the victim alive
 * (the kill itself falls between that sample and the next, which no longer has its memory),
 * or at the last sample before the kill when the victim is not known by pid.
 */
export function oomPoint(kill: OomKill, data: ChartData): { tMs: number; rss: number } {
  const atMs = oomTime(kill) ?? 0;
  const victim = kill.pid === undefined ? undefined : data.processes?.find((p) => p.pid === kill.pid && p.firstSeenMs <= atMs);
  const seenMs = Math.min(atMs, victim?.lastSeenMs ?? atMs);
  let last: TimelineSample | undefined;
  for (const sample of data.samples) {
    if (sample.tMs > seenMs) break;
    last = sample;
  }
  return last ? { tMs: last.tMs, rss: last.rss } : { tMs: atMs, rss: rssAt(data.samples, atMs) };
}

/** The OOM kill: a ✕ on the RSS line where the victim was last seen, and who was killed. */
function oomMarker(kill: OomKill, data: ChartData, g: Geometry): string {
  const point = oomPoint(kill, data);
  const x = g.x(point.tMs);
  const y = g.yRss(point.rss);
  const r = OOM_MARK;
  const cross = `M${-r},${-r}L${r},${r}M${-r},${r}L${r},${-r}`;
  // Beside it on the side with room, below it (the peak's label is above), keeping clear
  // of the peak's label when the kill is at the peak, as it often is.
  const rightHalf = x > (PLOT.left + PLOT.right) / 2;
  const labelX = rightHalf ? x - 12 : x + 12;
  const peakLabel = peakLabelPoint(peakPoint(data, g));
  const clashes = (labelY: number) => Math.abs(labelY - peakLabel.y) < 16 && Math.abs(labelX - peakLabel.x) < 200;
  let labelY = y + 22;
  if (clashes(labelY)) labelY = peakLabel.y + 18;
  if (labelY > PLOT.bottom - 4) {
    labelY = y - 12;
    if (clashes(labelY)) labelY = peakLabel.y - 18;
    labelY = Math.max(PLOT.top + 12, labelY);
  }
  return [
    `<g id="oom-kill" class="oom">`,
    `<g id="oom-marker" transform="translate(${coord(x)} ${coord(y)})"><path class="oom-halo" d="${cross}"/><path class="oom-mark" d="${cross}"/></g>`,
    text(labelX, labelY, oomLabel(kill), `id="oom-label" class="halo" text-anchor="${rightHalf ? "end" : "start"}"`),
    `</g>`,
  ].join("");
}

function legend(data: ChartData, g: Geometry): string {
  const y = 18;
  const items: Array<{ swatch?: (x: number) => string; label: string; id?: string }> = [
    { swatch: (x) => swatchLine("rss", x), label: g.sharedScale ? (g.stack ? "RSS total" : "RSS") : g.stack ? "RSS total (left axis)" : "RSS (left axis)" },
    { swatch: (x) => swatchLine("vsz", x), label: g.sharedScale ? "VSZ" : "VSZ (right axis)" },
  ];
  if (g.gpu) items.push({ swatch: (x) => swatchLine("gpu", x), label: g.sharedScale ? "GPU memory" : "GPU memory (left axis)" });
  if (data.thresholdBytes !== undefined) items.push({ swatch: (x) => `<g class="threshold">${swatchLine("", x)}</g>`, label: "threshold" });
  const limit = limitOf(data);
  if (limit !== undefined && g.limitOnChart) items.push({ swatch: (x) => `<g class="limit">${swatchLine("", x)}</g>`, label: "limit" });
  // Too far above to draw: named here, with its value, instead.
  else if (limit !== undefined) items.push({ label: `limit ${formatSize(limit)} (off the chart)`, id: "limit-note" });
  if (data.oomKill) {
    const r = OOM_MARK - 1;
    const cross = `M${-r},${-r}L${r},${r}M${-r},${r}L${r},${-r}`;
    items.push({ swatch: (x) => `<g class="oom" transform="translate(${x + 11} ${y})"><path class="oom-mark" d="${cross}"/></g>`, label: "OOM kill" });
  }
  let x = PLOT.left;
  const parts = items.map(({ swatch, label, id }) => {
    const textX = swatch ? x + 28 : x;
    const part = (swatch?.(x) ?? "") + text(textX, 22, label, id ? `id="${id}"` : "");
    x = textX + 16 + label.length * CHAR_WIDTH;
    return part;
  });
  return `<g class="legend">${parts.join("")}</g>`;
}

function swatchLine(kind: string, x: number): string {
  return `<line${kind ? ` class="${kind}"` : ""} x1="${coord(x)}" x2="${coord(x + 22)}" y1="18" y2="18"/>`;
}

function hLine(kind: string, y: number): string {
  return `<line${kind ? ` class="${kind}"` : ""} x1="${PLOT.left}" x2="${PLOT.right}" y1="${coord(y)}" y2="${coord(y)}"/>`;
}

function text(x: number, y: number, content: string, attributes = ""): string {
  return `<text x="${coord(x)}" y="${coord(y)}"${attributes ? ` ${attributes}` : ""}>${escapeXml(content)}</text>`;
}

function maxOf(samples: TimelineSample[], pick: (sample: TimelineSample) => number): number {
  let max = 0;
  for (const sample of samples) max = Math.max(max, pick(sample));
  return max;
}
