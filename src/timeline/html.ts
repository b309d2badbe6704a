import { formatDuration } from "../core/text/duration.ts";
import { PROGRAM_COLUMNS, processSeconds } from "../core/text/vocabulary.ts";
import { asTyped, formatSize } from "../core/size/format.ts";
import type { ProgramUsage } from "../model/report.ts";
import type { ChartData, ProcessSummary } from "../model/chart-data.ts";
import { coord } from "./scale.ts";
import { bandClass, CHART_WIDTH, chartCss, chartGeometry, chartName, chartSvg, escapeXml, limitOf, OTHER_LABEL, oomVictim, type Geometry } from "./svg.ts";

// A run as one self-contained HTML page: the command and a summary, the chart (inline SVG
// drawn here, so it shows without JavaScript), and the processes when children were
// tracked. Nothing is loaded from anywhere: system fonts, inline style and script only,
// so the file can be mailed, archived or opened offline and looks the same.

export function renderHtml(data: ChartData): string {
  const geometry = chartGeometry(data);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeXml(`peak-mem: ${chartName(data)}`)}</title>
<style>${chartCss(geometry)}${PAGE_CSS}${geometry.stack ? STACK_PAGE_CSS : ""}</style>
</head>
<body>
<main>
<header>
<p class="tool">peak-mem</p>
<h1><code>${escapeXml(chartName(data))}</code></h1>
</header>
${summary(data, geometry)}
<figure>
<div class="chart-wrap">
${chartSvg(data, geometry)}
<div id="tooltip" role="status" hidden></div>
</div>
<figcaption>RSS is the memory the command's processes hold in RAM, summed over the tree at each sample; VSZ is the address space they reserved, most of it never used.${geometry.stack ? ` ${STACK_NOTE}` : ""} Hover the chart to read a sample.</figcaption>
</figure>
${[data.programs && programTable(data.programs, geometry), data.processes && processTable(data.processes, geometry)].filter(Boolean).join("\n")}
</main>
<script type="application/json" id="samples">${sampleJson(data, geometry)}</script>
<script>${hoverScript(geometry)}</script>
</body>
</html>
`;
}

// ---- summary ----

/** What each RSS peak source means, for a reader who has not read the README. */
const SOURCE_NOTES: Record<string, string> = {
  "sampled-sum": "the tree's summed RSS at one sample",
  "process-hwm": "one process's kernel high-water mark (VmHWM)",
  rusage: "the command's rusage maximum, caught after it exited",
};

function summary(data: ChartData, g: Geometry): string {
  const notRecorded = `<span class="muted">not recorded</span>`;
  const noSummary = data.notRecorded !== undefined && !data.notRecorded.summary;
  // Peaks without a summary are the largest samples, which a process's own peak can exceed.
  const sampled = noSummary ? ` <span class="muted">(largest sample: ${escapeXml(data.notRecorded?.why ?? "")})</span>` : "";
  const items: Array<[string, string]> = [
    // A lower bound says so, with the most it can have been, as every report does.
    ["Peak RSS", `<strong class="rss-value">${formatSize(data.peakRssBytes)}</strong>${data.peakRssExact === false ? ` <span class="muted">(at least; ${data.peakRssUpperBytes !== undefined ? `at most ${formatSize(data.peakRssUpperBytes)}` : "no upper bound"})</span>` : ""}${sampled}`],
    ["Peak VSZ", `${formatSize(data.peakVszBytes)}${sampled}`],
  ];
  // Sampled on its own cadence: a lower bound unless the driver's own peaks made it exact.
  if (data.peakGpuBytes !== undefined) items.push(["Peak GPU memory", `${formatSize(data.peakGpuBytes)}${data.peakGpuExact === false ? ` <span class="muted">(at least)</span>` : ""}`]);
  if (data.thresholdBytes !== undefined) {
    const exceeded = data.peakRssBytes > data.thresholdBytes;
    const verdict = exceeded ? `<strong class="exceeded">exceeded</strong>` : "not reached";
    items.push(["Threshold", `${escapeXml(asTyped(data.thresholdGiven, data.thresholdBytes, formatSize))}, ${verdict}`]);
  }
  const limit = limitOf(data);
  if (limit !== undefined) {
    const notes = [data.limitSource, g.limitOnChart ? undefined : "off the chart"].filter((note) => note !== undefined && note !== "");
    items.push(["Memory limit", `${escapeXml(asTyped(data.limitGiven, limit, formatSize))}${notes.length > 0 ? ` <span class="muted">(${escapeXml(notes.join(", "))})</span>` : ""}`]);
    // What a cgroup's limit counts: RSS, drawn, may pass the line without reaching it.
    if (data.cgroupPeakBytes !== undefined) items.push(["Cgroup peak", `${formatSize(data.cgroupPeakBytes)} <span class="muted">(the charge the limit counts)</span>`]);
  }
  items.push(["Duration", data.durationMs === undefined ? "unknown" : formatDuration(data.durationMs) + (noSummary ? ` <span class="muted">(to the last sample)</span>` : "")]);
  items.push(["Exit", noSummary ? notRecorded : exitText(data)]);
  if (data.oomKill) items.push(["OOM kill", oomText(data.oomKill)]);
  const count = data.sampleCount ?? data.samples.length;
  items.push(["Samples", data.intervalMs > 0 ? `${count} (every ${data.intervalMs} ms)` : `${count} <span class="muted">(interval not recorded)</span>`]);
  items.push(["Started", data.startedAt !== "" ? `<time datetime="${escapeXml(data.startedAt)}">${escapeXml(data.startedAt)}</time>` : notRecorded]);
  if (data.peakRssSource !== undefined) {
    const note = SOURCE_NOTES[data.peakRssSource];
    items.push(["RSS peak from", `${escapeXml(data.peakRssSource)}${note ? ` <span class="muted">(${escapeXml(note)})</span>` : ""}`]);
  }
  // The longer values get two cells' width, so that they do not wrap into a tall card.
  const wide = new Set(["Started", "RSS peak from", "Memory limit", "OOM kill"]);
  const rows = items.map(([term, value]) => `<div${wide.has(term) ? ` class="wide"` : ""}><dt>${term}</dt><dd>${value}</dd></div>`);
  return `<dl class="summary">\n${rows.join("\n")}\n</dl>`;
}

/** "4242 alloc at 1.50 s", "(likely)" when the victim was inferred from its vanishing. */
function oomText(kill: NonNullable<ChartData["oomKill"]>): string {
  const victim = oomVictim(kill) || "a process";
  const likely = kill.certain === false ? ` <span class="muted">(likely)</span>` : "";
  return `<strong class="exceeded">${escapeXml(victim)}</strong> at ${seconds(kill.atMs)}${likely}`;
}

function exitText(data: ChartData): string {
  if (data.exitCode === undefined) return data.signal ? escapeXml(data.signal) : "unknown";
  const text = escapeXml(data.signal ? `${data.exitCode} (${data.signal})` : String(data.exitCode));
  return data.exitCode === 0 ? text : `<strong class="exceeded">${text}</strong>`;
}

// ---- programs ----

const STACK_NOTE = `The coloured bands split the RSS by program: the few that held the most at any one sample have their own, the rest is in ${OTHER_LABEL}; the line on top is their total.`;

/** The run's programs (src/model/report.ts ProgramUsage), each with its band's colour when it has one. */
function programTable(programs: ProgramUsage[], g: Geometry): string {
  const bands = new Map((g.stack?.names ?? []).map((name, index) => [name, String(index)]));
  const rows = programs.map((p) => {
    const band = bands.get(p.name);
    const swatch = band === undefined ? `<i class="swatch none"></i>` : `<i class="swatch ${bandClass(band)}"></i>`;
    const cells = [
      `<td class="program">${swatch}${escapeXml(p.name)}</td>`,
      `<td class="num">${count(p.processes)}</td>`,
      `<td class="num">${formatSize(p.maxProcessPeakBytes)}</td>`,
      `<td class="num">${p.rssAtPeakBytes > 0 ? formatSize(p.rssAtPeakBytes) : "–"}</td>`,
      `<td class="num">${formatSize(p.peakRssBytes)}</td>`,
      `<td class="num">${processSeconds(p.processSeconds)}</td>`,
    ];
    return `<tr${band === undefined ? "" : ` data-band="${band}"`}>${cells.join("")}</tr>`;
  });
  return `<section class="programs">
<h2>Programs <span class="muted">(${programs.length})</span></h2>
<div class="table-wrap">
<table>
<thead><tr>${PROGRAM_COLUMNS.map((name, i) => (i === 0 ? `<th>${name}</th>` : `<th class="num">${name}</th>`)).join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</div>
<p class="muted">Each program's processes taken together: largest process is the highest peak of any one of them, at tree peak their sum at the sample where the tree's was largest (– when none was alive then), own peak their largest sum at one sample, and process-seconds their lifetimes added up.</p>
</section>`;
}

function count(value: number): string {
  return String(Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0);
}

// ---- processes ----

function processTable(processes: ProcessSummary[], g: Geometry): string {
  const rows = processes.map((p) => processRow(p, g));
  return `<section class="processes">
<h2>Processes <span class="muted">(${processes.length} seen)</span></h2>
<div class="table-wrap">
<table>
<thead><tr><th class="num">PID</th><th>Process</th><th class="num">Own peak</th><th class="num">At tree peak</th><th class="num">First seen</th><th class="num">Last seen</th><th>Lifetime</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</div>
<p class="muted">Own peak is each process's largest RSS; at tree peak is its RSS at the sample where the tree's sum was largest (blank when it was not alive then). Summed RSS counts pages shared between processes once per process.</p>
</section>`;
}

function processRow(p: ProcessSummary, g: Geometry): string {
  const depth = Math.max(0, Math.floor(p.depth) || 0);
  const cells = [
    `<td class="num">${p.pid}</td>`,
    `<td class="name" style="--depth: ${depth}">${escapeXml(p.name)}</td>`,
    `<td class="num">${formatSize(p.peakRss)}</td>`,
    `<td class="num">${p.rssAtPeak === undefined ? "" : formatSize(p.rssAtPeak)}</td>`,
    `<td class="num">${seconds(p.firstSeenMs)}</td>`,
    `<td class="num">${seconds(p.lastSeenMs)}</td>`,
    `<td>${lifetimeBar(p, g.timeMaxMs)}</td>`,
  ];
  return `<tr${depth === 0 ? ` class="root"` : ""}>${cells.join("")}</tr>`;
}

/** The process's life on the run's time axis, as a bar inside a track the width of the run. */
function lifetimeBar(p: ProcessSummary, timeMaxMs: number): string {
  const percent = (ms: number) => Math.min(100, Math.max(0, (ms / timeMaxMs) * 100));
  const left = percent(p.firstSeenMs);
  // At least a sliver, so a process seen at one sample only still shows.
  const width = Math.max(0.5, percent(p.lastSeenMs) - left);
  const title = `${seconds(p.firstSeenMs)} to ${seconds(p.lastSeenMs)}`;
  return `<div class="life" title="${title}"><span style="left: ${coord(Math.min(left, 99.5))}%; width: ${coord(width)}%"></span></div>`;
}

/** Times as every other format writes them (formatDuration: 1.85s, 2m 5.3s). */
function seconds(ms: number): string {
  return formatDuration(Number.isFinite(ms) ? Math.max(0, ms) : 0);
}

// ---- hover ----

/**
 * The samples for the hover script, with their chart coordinates already computed here,
 * so the script needs no geometry of its own: it finds the nearest x and reads the rest.
 */
function sampleJson(data: ChartData, g: Geometry): string {
  const s = data.samples;
  const stack = g.stack;
  const json = JSON.stringify({
    width: CHART_WIDTH,
    height: g.height,
    x: s.map((sample) => Number(coord(g.x(sample.tMs)))),
    yRss: s.map((sample) => Number(coord(g.yRss(sample.rss)))),
    yVsz: s.map((sample) => Number(coord(g.yVsz(sample.vsz)))),
    t: s.map((sample) => sample.tMs),
    rss: s.map((sample) => sample.rss),
    vsz: s.map((sample) => sample.vsz),
    count: s.map((sample) => sample.processCount),
    // The bands' values at each sample, for the readout: names are text from outside.
    ...(stack && {
      bands: [
        ...stack.names.map((name, index) => ({ name, band: bandClass(String(index)), values: stack.values[index] })),
        ...(stack.hasOther ? [{ name: OTHER_LABEL, band: bandClass("other"), other: true, values: stack.other }] : []),
      ],
    }),
  });
  // Program names are text from outside: no "</script>" or "<!--" may end or bend the element.
  return json.replace(/</g, "\\u003c");
}

/** The hover script; a stacked chart's also lists the bands at the cursor (a chart without programs has the script it always had). */
function hoverScript(g: Geometry): string {
  if (!g.stack) return HOVER_SCRIPT.replace("\n      /*bands*/", "");
  return HOVER_SCRIPT.replace("/*bands*/", "...bandRows(i),").replace("  function show(i) {", `${BAND_ROWS}  function show(i) {`);
}

const BAND_ROWS = `
  // The RSS by program at sample i, in the legend's order (largest program first, other last); bands empty there are left out.
  function bandRows(i) {
    if (!data.bands) return [];
    const rows = [];
    for (const band of data.bands) {
      if (!(band.values[i] > 0)) continue;
      const div = document.createElement("div");
      div.className = "band-row" + (band.other ? " other" : "");
      div.dataset.band = band.band;
      const swatch = document.createElement("i");
      swatch.className = "swatch " + band.band;
      const name = document.createElement("span");
      name.className = "program";
      name.textContent = band.name;
      div.append(swatch, name, " " + size(band.values[i]));
      rows.push(div);
    }
    rows[0]?.classList.add("sep");
    return rows;
  }

`;

/** Plain browser JavaScript, no libraries: moves the cursor and fills the tooltip. */
const HOVER_SCRIPT = `
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("samples").textContent);
  const svg = document.getElementById("chart");
  const cursor = document.getElementById("cursor");
  const tip = document.getElementById("tooltip");
  if (!svg || !cursor || !tip || data.x.length === 0) return;
  const [line, rssDot, vszDot] = cursor.children;
  let current = -1;

  // The same as formatSize in src/core/size/format.ts: binary units, IEC labels, at least
  // three significant digits (one decimal from 10 up, two below).
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  function size(value) {
    if (value < 1024) return Math.round(value) + " B";
    let i = 1;
    while (i < units.length - 1 && Number((value / 1024 ** i).toFixed(1)) >= 1024) i++;
    const figure = value / 1024 ** i;
    return figure.toFixed(figure >= 9.995 ? 1 : 2) + " " + units[i];
  }

  function nearest(x) {
    let lo = 0, hi = data.x.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (data.x[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo > 0 && x - data.x[lo - 1] <= data.x[lo] - x ? lo - 1 : lo;
  }

  function row(label, value) {
    const div = document.createElement("div");
    const name = document.createElement("span");
    name.textContent = label;
    div.append(name, " " + value);
    return div;
  }

  function show(i) {
    current = i;
    const x = data.x[i];
    line.setAttribute("x1", x);
    line.setAttribute("x2", x);
    rssDot.setAttribute("cx", x);
    rssDot.setAttribute("cy", data.yRss[i]);
    vszDot.setAttribute("cx", x);
    vszDot.setAttribute("cy", data.yVsz[i]);
    cursor.setAttribute("visibility", "visible");
    const n = data.count[i];
    tip.replaceChildren(
      row("Time", (data.t[i] / 1000).toFixed(2) + "s"),
      row("RSS", size(data.rss[i])),
      row("VSZ", size(data.vsz[i])),
      row("Processes", String(n)),
      /*bands*/
    );
    tip.hidden = false;
    place(x, data.yRss[i]);
  }

  // Beside the cursor, on whichever side has room, inside the chart's box.
  function place(x, y) {
    const box = svg.getBoundingClientRect();
    const px = (x / data.width) * box.width;
    const py = (y / data.height) * box.height;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const left = px + 14 + w <= box.width ? px + 14 : Math.max(0, px - 14 - w);
    const top = Math.min(Math.max(0, py - h / 2), Math.max(0, box.height - h));
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }

  function hide() {
    cursor.setAttribute("visibility", "hidden");
    tip.hidden = true;
  }

  svg.addEventListener("pointermove", (event) => {
    const matrix = svg.getScreenCTM();
    if (!matrix) return;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    show(nearest(point.x));
  });
  svg.addEventListener("pointerleave", hide);

  // The keyboard reads samples too: focus the chart, then the arrow keys step through them.
  svg.tabIndex = 0;
  svg.addEventListener("focus", () => show(current < 0 ? 0 : current));
  svg.addEventListener("blur", hide);
  svg.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? 10 : 1;
    if (event.key === "ArrowRight") show(Math.min(data.x.length - 1, current + step));
    else if (event.key === "ArrowLeft") show(Math.max(0, current - step));
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(data.x.length - 1);
    else if (event.key === "Escape") hide();
    else return;
    event.preventDefault();
  });
})();
`;

const PAGE_CSS = `
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
.tool { margin: 0; color: var(--muted); font-size: 13px; letter-spacing: 0.04em; text-transform: uppercase; }
h1 { margin: 4px 0 16px; font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
h1 code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
h2 { font-size: 17px; margin: 32px 0 8px; }
.muted { color: var(--muted); font-weight: normal; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; margin: 0 0 20px; }
.summary div { background: var(--panel); border: 1px solid var(--grid); border-radius: 6px; padding: 8px 12px; }
.summary .wide { grid-column: span 2; }
.summary dt { color: var(--muted); font-size: 12px; }
.summary dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.rss-value { color: var(--rss); font-size: 18px; }
.exceeded { color: var(--threshold); }
figure { margin: 0; }
.chart-wrap { position: relative; border: 1px solid var(--grid); border-radius: 6px; overflow: hidden; }
.chart-wrap svg { display: block; width: 100%; height: auto; }
.chart-wrap svg:focus-visible { outline: 2px solid var(--rss); outline-offset: -2px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 8px; }
#tooltip { position: absolute; pointer-events: none; background: var(--panel); color: var(--fg); border: 1px solid var(--grid); border-radius: 6px; padding: 6px 10px; font-size: 13px; font-variant-numeric: tabular-nums; white-space: nowrap; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15); }
#tooltip span { color: var(--muted); display: inline-block; min-width: 5.5em; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--grid); text-align: left; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; }
.num { text-align: right; }
td.name { padding-left: calc(8px + var(--depth) * 1.25em); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
tr:not(.root) td.name::before { content: "└ "; color: var(--muted); }
tr.root td.name { font-weight: 600; }
.life { position: relative; width: 160px; height: 8px; border-radius: 4px; background: var(--grid); }
.life span { position: absolute; top: 0; bottom: 0; border-radius: 4px; background: var(--rss); }
`;

/** The program table's swatches and the readout's band rows: only in a stacked chart's page. */
const STACK_PAGE_CSS = `
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.swatch.none { background: transparent; }
.swatch.band-0 { background: var(--band-0); } .swatch.band-1 { background: var(--band-1); } .swatch.band-2 { background: var(--band-2); }
.swatch.band-3 { background: var(--band-3); } .swatch.band-4 { background: var(--band-4); } .swatch.band-5 { background: var(--band-5); }
.swatch.band-other { background: var(--band-other); }
td.program { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
/* The swatch and the name together as wide as the other rows' labels, so that the sizes line up. */
#tooltip .band-row span.program { color: var(--fg); min-width: calc(5.5em - 16px); max-width: 18em; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; margin-right: 0.25em; }
#tooltip .band-row.other span.program { font-style: italic; }
#tooltip .band-row.sep { border-top: 1px solid var(--grid); margin-top: 4px; padding-top: 4px; }
`;
