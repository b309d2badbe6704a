// Needs a browser: Chromium at /usr/bin/chromium (skipped with a message without it, except
// under CI), to load the charts the way a reader does.
// The HTML and SVG charts opened in a real browser: Debian's headless Chromium, driven by
// playwright-core. The page must load without errors and without a single request beyond
// its own file, show the peak and the threshold, answer a hover, and look like something
// in light and in dark (screenshots in test/system/artifacts/, checked not to be blank). The
// memory limit and an OOM kill are drawn from chart data made here, in-process, with the
// renderers of src/timeline/ (the binary's runs have neither unless the kernel obliges).
// The chart stacked by program is opened twice: made in-process, and drawn by
// `dist/peak-mem --chart` from a .jsonl written here in the documented shape.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { formatSize } from "../../src/core/size/format.ts";
import type { ChartData } from "../../src/model/chart-data.ts";
import { renderHtml } from "../../src/timeline/html.ts";
import { stackPrograms } from "../../src/timeline/stack.ts";
import { chartGeometry, renderSvg } from "../../src/timeline/svg.ts";
import { makeChartData, makeProgramChartData } from "../fixtures/chart-data.ts";

const CHROMIUM = "/usr/bin/chromium";
const BINARY = resolve(import.meta.dir, "../../dist/peak-mem");
const ARTIFACTS = resolve(import.meta.dir, "artifacts");
const THRESHOLD = "150M";
/** The first test also runs the workloads and starts the browser. */
const TIMEOUT = 60_000;
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(`chart-browser: skipped, ${CHROMIUM} is missing (apt-get install chromium; CI installs it and fails without it)`);
}

test.if(!haveChromium && Boolean(process.env.CI))("Chromium is installed on CI", () => {
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests`);
});

// ---- the files under test ----

interface Charts {
  html: string;
  svg: string;
  /** The peak as the page must show it. */
  peakText: string;
  /** Which way the files were made, for the log: the real binary or the fixture. */
  source: string;
}

const work = mkdtempSync(join(tmpdir(), "peak-mem-chart-"));

/** Whether the binary writes a chart for this extension yet (the CLI wiring may lag behind). */
async function binaryWrites(extension: "html" | "svg"): Promise<boolean> {
  if (!existsSync(BINARY)) return false;
  const probe = join(work, `probe.${extension}`);
  const child = Bun.spawn([BINARY, "--quiet", "--timeline", probe, "--", "true"], { stdout: "ignore", stderr: "ignore" });
  await child.exited;
  if (!existsSync(probe)) return false;
  const head = readFileSync(probe, "utf8").slice(0, 200).trimStart();
  return extension === "html" ? /^<!doctype html>/i.test(head) : /^(<\?xml[^>]*>\s*)?<svg\b/.test(head);
}

/** Runs two Bun workers of ~100 MiB each at once under the binary, the chart going to `path`. */
async function chartFromBinary(path: string): Promise<number> {
  const { allocate, peakMemJson } = await import("../helpers.ts");
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const worker = allocate(100, 800).map(quote).join(" ");
  const { report } = await peakMemJson(["--threshold", THRESHOLD, "--timeline", path, "--", "sh", "-c", `${worker} & ${worker} & wait`]);
  return report.peak_rss_bytes as number;
}

async function makeCharts(): Promise<Charts> {
  const html = join(work, "run.html");
  const svg = join(work, "run.svg");
  const fixture = makeChartData(120, { thresholdBytes: 150_000_000 });
  const sources: string[] = [];
  let peak = fixture.peakRssBytes;
  if (await binaryWrites("html")) {
    peak = await chartFromBinary(html);
    sources.push("HTML from dist/peak-mem");
  } else {
    writeFileSync(html, renderHtml(fixture));
    sources.push("HTML from the fixture (dist/peak-mem does not write .html yet)");
  }
  if (await binaryWrites("svg")) {
    await chartFromBinary(svg);
    sources.push("SVG from dist/peak-mem");
  } else {
    writeFileSync(svg, renderSvg(fixture));
    sources.push("SVG from the fixture");
  }
  console.log(`chart-browser: ${sources.join("; ")}`);
  return { html, svg, peakText: formatSize(peak), source: sources.join("; ") };
}

/** A run that hit its limit: the line, the OOM marker and their cards, in HTML and SVG. */
const LIMIT = 260 * 1024 * 1024;
const OOM_AT_MS = 1500;
const limitData = makeChartData(120, {
  limitBytes: LIMIT,
  limitSource: "cgroup memory.limit_in_bytes",
  oomKill: { atMs: OOM_AT_MS, pid: 4242, name: "alloc", certain: true },
  exitCode: 137,
  signal: "SIGKILL",
});
let limitFiles: { html: string; svg: string } | undefined;

function limitCharts(): { html: string; svg: string } {
  if (!limitFiles) {
    limitFiles = { html: join(work, "limit.html"), svg: join(work, "limit.svg") };
    writeFileSync(limitFiles.html, renderHtml(limitData));
    writeFileSync(limitFiles.svg, renderSvg(limitData));
  }
  return limitFiles;
}

// ---- the browser ----

let context: BrowserContext | undefined;
let ready: Promise<{ context: BrowserContext; charts: Charts }> | undefined;

/** One browser and one set of files for all the tests, made on first use. */
function setUp() {
  ready ??= (async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const charts = await makeCharts();
    // A new, empty profile: nothing cached, no extensions, no first-run work.
    context = await chromium.launchPersistentContext(join(work, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1200, height: 900 },
    });
    return { context, charts };
  })();
  return ready;
}

afterAll(async () => {
  await context?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

async function open(file: string, colorScheme: "light" | "dark" = "light"): Promise<Opened> {
  const { context } = await setUp();
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => requests.push(request.url()));
  await page.emulateMedia({ colorScheme });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, errors, requests };
}

interface PixelStats {
  width: number;
  height: number;
  colours: number;
  /** The share of pixels unlike the top-left one (the background). */
  painted: number;
}

/** Decodes a PNG in a blank page's canvas and counts what is on it. */
async function pixelStats(png: Buffer): Promise<PixelStats> {
  const { context } = await setUp();
  const page = await context.newPage();
  try {
    return await page.evaluate(`(async () => {
      const image = new Image();
      image.src = "data:image/png;base64,${png.toString("base64")}";
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(image, 0, 0);
      const pixels = ctx.getImageData(0, 0, image.width, image.height).data;
      const colours = new Set();
      let painted = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const rgb = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
        colours.add(rgb);
        if (Math.abs(pixels[i] - pixels[0]) + Math.abs(pixels[i + 1] - pixels[1]) + Math.abs(pixels[i + 2] - pixels[2]) > 30) painted++;
      }
      return { width: image.width, height: image.height, colours: colours.size, painted: painted / (pixels.length / 4) };
    })()`);
  } finally {
    await page.close();
  }
}

/** Relative luminance (0 black, 1 white) of a CSS rgb() colour. */
function luminance(css: string): number {
  const [r = 0, g = 0, b = 0] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

async function screenshot(page: Page, name: string, fullPage = true): Promise<PixelStats> {
  const png = await page.screenshot({ path: join(ARTIFACTS, name), fullPage });
  const stats = await pixelStats(png);
  // A chart, text and a table: many colours (anti-aliasing alone gives dozens) and ink.
  expect(stats.colours).toBeGreaterThan(100);
  expect(stats.painted).toBeGreaterThan(0.02);
  return stats;
}

describe.if(haveChromium)("the charts in Chromium", () => {
  test("the HTML page loads with no errors and no request beyond its own file", async () => {
    const { charts } = await setUp();
    const { page, errors, requests } = await open(charts.html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(charts.html).href]);
    expect(await page.title()).toStartWith("peak-mem: ");
    await page.close();
  }, TIMEOUT);

  test("shows the peak with its value and the threshold line", async () => {
    const { charts } = await setUp();
    const { page } = await open(charts.html);
    const label = page.locator("#peak-label");
    expect(await label.isVisible()).toBe(true);
    expect(await label.textContent()).toContain(charts.peakText);
    const threshold = page.locator("#threshold-line");
    expect(await threshold.count()).toBe(1);
    expect(await threshold.isVisible()).toBe(true);
    expect(await threshold.textContent()).toContain(formatSize(150_000_000));
    await page.close();
  }, TIMEOUT);

  test("hovering the chart shows the nearest sample in a tooltip", async () => {
    const { charts } = await setUp();
    const { page, errors } = await open(charts.html);
    const tooltip = page.locator("#tooltip");
    expect(await tooltip.isVisible()).toBe(false);
    const box = await page.locator("#chart").boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
    expect(await tooltip.isVisible()).toBe(true);
    const text = (await tooltip.textContent()) ?? "";
    expect(text).toMatch(/Time\s*\d+\.\d\ds/);
    expect(text).toMatch(/Processes\s*\d+/);
    // The values are the sample under the cursor, sized as formatSize does it.
    const sample: { rss: number; vsz: number } = await page.evaluate(`(() => {
      const data = JSON.parse(document.getElementById("samples").textContent);
      const x = Number(document.querySelector("#cursor line").getAttribute("x1"));
      const i = data.x.indexOf(x);
      return { rss: data.rss[i], vsz: data.vsz[i] };
    })()`);
    expect(text).toContain(`RSS ${formatSize(sample.rss)}`);
    expect(text).toContain(`VSZ ${formatSize(sample.vsz)}`);
    // The visible window: a full-page capture resizes the viewport, which ends the hover.
    await screenshot(page, "chart-hover.png", false);
    await page.mouse.move(1, 1);
    expect(await tooltip.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, TIMEOUT);

  test("light: a screenshot that is not blank, dark text on a light page", async () => {
    const { charts } = await setUp();
    const { page } = await open(charts.html, "light");
    await screenshot(page, "chart.png");
    const colours: { background: string; text: string } = await page.evaluate(
      `({ background: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color })`,
    );
    expect(luminance(colours.background)).toBeGreaterThan(0.85);
    expect(luminance(colours.text)).toBeLessThan(0.3);
    await page.close();
  }, TIMEOUT);

  test("dark: a screenshot that is not blank, light text on a dark page", async () => {
    const { charts } = await setUp();
    const { page, errors } = await open(charts.html, "dark");
    await screenshot(page, "chart-dark.png");
    const colours: { background: string; text: string; label: string } = await page.evaluate(`({
      background: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.body).color,
      label: getComputedStyle(document.getElementById("peak-label")).fill,
    })`);
    expect(luminance(colours.background)).toBeLessThan(0.15);
    expect(luminance(colours.text)).toBeGreaterThan(0.7);
    expect(luminance(colours.label)).toBeGreaterThan(0.4);
    expect(errors).toEqual([]);
    await page.close();
  }, TIMEOUT);

  test("the standalone SVG parses and renders, light and dark", async () => {
    const { charts } = await setUp();
    for (const scheme of ["light", "dark"] as const) {
      const { page, errors, requests } = await open(charts.svg, scheme);
      const root: { name: string; namespace: string; parseErrors: number } = await page.evaluate(`({
        name: document.documentElement.localName,
        namespace: document.documentElement.namespaceURI,
        parseErrors: document.getElementsByTagName("parsererror").length,
      })`);
      expect(root).toEqual({ name: "svg", namespace: "http://www.w3.org/2000/svg", parseErrors: 0 });
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(charts.svg).href]);
      expect(await page.locator("#peak-label").isVisible()).toBe(true);
      expect(await page.locator("#threshold-line").count()).toBe(1);
      // Not fullPage: Chromium never finishes measuring a bare SVG document for that.
      await screenshot(page, scheme === "light" ? "chart-svg.png" : "chart-svg-dark.png", false);
      await page.close();
    }
  }, TIMEOUT);

  test("the memory limit's line and label and the OOM marker show, where they belong", async () => {
    const { html } = limitCharts();
    const { page, errors, requests } = await open(html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(html).href]);
    const label = page.locator("#limit-label");
    expect(await label.isVisible()).toBe(true);
    expect(await label.textContent()).toBe(`limit ${formatSize(LIMIT)}`);
    // A horizontal line has no height, so Playwright never calls it visible: measure it instead.
    const line: { x: number; y: number; width: number; stroke: string; strokeWidth: string; dash: string; threshold: string } = await page.evaluate(`(() => {
      const line = document.querySelector("#limit-line line");
      const box = line.getBoundingClientRect();
      const style = getComputedStyle(line);
      return {
        x: box.x, y: box.y, width: box.width,
        stroke: style.stroke, strokeWidth: style.strokeWidth, dash: style.strokeDasharray,
        threshold: getComputedStyle(document.querySelector("#threshold-line line")).strokeDasharray,
      };
    })()`);
    expect(await page.locator("#oom-marker").isVisible()).toBe(true);
    expect(await page.locator("#oom-label").textContent()).toBe("OOM kill: 4242 alloc");
    // The ✕ is on the RSS line where the victim was last seen: the last sample before the kill
    // at 1.5 s of the 2.4 s axis (x 580 of the chart's 960), a few pixels left of it.
    const chart = (await page.locator("#chart").boundingBox())!;
    const marker = (await page.locator("#oom-marker").boundingBox())!;
    expect(marker.width).toBeGreaterThan(4);
    const offset = marker.x + marker.width / 2 - (chart.x + (580 / 960) * chart.width);
    expect(offset).toBeLessThanOrEqual(1);
    expect(offset).toBeGreaterThan(-12);
    expect(marker.y).toBeGreaterThan(chart.y);
    expect(marker.y + marker.height).toBeLessThan(chart.y + chart.height);
    // Across the plot, above the ✕ (the kill came just under the limit), drawn, and solid
    // where the threshold is dashed.
    expect(line.width).toBeGreaterThan(chart.width * 0.8);
    expect(line.y).toBeGreaterThan(chart.y);
    expect(line.y).toBeLessThan(marker.y + marker.height / 2);
    expect(line.stroke).not.toBe("none");
    expect(Number.parseFloat(line.strokeWidth)).toBeGreaterThan(1);
    expect(line.dash).toBe("none");
    expect(line.threshold).not.toBe("none");
    // The summary cards.
    for (const text of [`${formatSize(LIMIT)} (cgroup memory.limit_in_bytes)`, "4242 alloc at 1.50s"]) {
      expect(await page.getByText(text, { exact: true }).isVisible()).toBe(true);
    }
    await screenshot(page, "chart-limit.png");
    await page.close();
  }, TIMEOUT);

  test("the limit and the OOM marker keep their contrast in light and dark", async () => {
    const { html } = limitCharts();
    for (const scheme of ["light", "dark"] as const) {
      const { page, errors } = await open(html, scheme);
      const colours: { background: string; limit: string; oom: string } = await page.evaluate(`({
        background: getComputedStyle(document.body).backgroundColor,
        limit: getComputedStyle(document.getElementById("limit-label")).fill,
        oom: getComputedStyle(document.querySelector("#oom-marker .oom-mark")).stroke,
      })`);
      const background = luminance(colours.background);
      expect(Math.abs(luminance(colours.limit) - background)).toBeGreaterThan(0.5);
      expect(Math.abs(luminance(colours.oom) - background)).toBeGreaterThan(0.25);
      if (scheme === "dark") await screenshot(page, "chart-limit-dark.png");
      expect(errors).toEqual([]);
      await page.close();
    }
  }, TIMEOUT);

  test("the standalone SVG shows the limit and the OOM marker too", async () => {
    const { svg } = limitCharts();
    const { page, errors } = await open(svg);
    expect(errors).toEqual([]);
    expect(await page.locator("#limit-label").textContent()).toBe(`limit ${formatSize(LIMIT)}`);
    expect(await page.locator("#limit-label").isVisible()).toBe(true);
    expect(await page.locator("#oom-marker").isVisible()).toBe(true);
    expect(await page.locator("#oom-label").isVisible()).toBe(true);
    await page.close();
  }, TIMEOUT);
});

// ---- RSS by program ----

const programData = makeProgramChartData(120);
const PROGRAMS = ["ld", "cc1", "cc1plus", "python3", "as", "make"];
/** Samples where, between them, every band is above 0: python3 early, cc1 and as in the middle, ld late. */
const PROBES = [20, 60, 100];
let programFiles: Promise<{ inProcess: string; fromBinary: string; svg: string }> | undefined;

/** The .jsonl of a run grouped by program, as README's timeline section describes it. */
function programJsonl(data: ChartData): string {
  const header = { command: data.command, interval_ms: data.intervalMs, started_at: data.startedAt };
  const samples = data.samples.map((s) => ({
    t_ms: s.tMs,
    rss_bytes: s.rss,
    vsz_bytes: s.vsz,
    process_count: s.processCount,
    programs: s.programs!.map((p) => [p.name, p.rss]),
    other_rss_bytes: s.otherRss,
  }));
  const summary = {
    peak_rss_bytes: data.peakRssBytes,
    peak_vsz_bytes: data.peakVszBytes,
    peak_rss_source: data.peakRssSource,
    threshold_bytes: data.thresholdBytes,
    exit_code: data.exitCode,
    duration_ms: data.durationMs,
    programs: data.programs!.map((p) => ({
      name: p.name,
      processes: p.processes,
      max_process_peak_bytes: p.maxProcessPeakBytes,
      rss_at_peak_bytes: p.rssAtPeakBytes,
      peak_rss_bytes: p.peakRssBytes,
      process_seconds: p.processSeconds,
    })),
  };
  return [header, ...samples, { summary }].map((line) => JSON.stringify(line)).join("\n") + "\n";
}

function programCharts() {
  programFiles ??= (async () => {
    const inProcess = join(work, "programs.html");
    const svg = join(work, "programs.svg");
    writeFileSync(inProcess, renderHtml(programData));
    writeFileSync(svg, renderSvg(programData));
    if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: npm run build`);
    const saved = join(work, "programs.jsonl");
    writeFileSync(saved, programJsonl(programData));
    const fromBinary = join(work, "programs-cli.html");
    const child = Bun.spawn([BINARY, "--chart", saved, "-o", fromBinary], { stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    if (code !== 0) throw new Error(`peak-mem --chart exited ${code}: ${stderr}`);
    return { inProcess, fromBinary, svg };
  })();
  return programFiles;
}

/** The client coordinates of a point in the chart's own (viewBox) coordinates. */
async function clientPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate(`(() => {
    const svg = document.getElementById("chart") ?? document.documentElement;
    const point = new DOMPoint(${x}, ${y}).matrixTransform(svg.getScreenCTM());
    return { x: point.x, y: point.y };
  })()`);
}

/**
 * At sample i, the band found halfway up each band's own share: it must be that band's path
 * (the lines drawn over the bands are skipped: the first band under the point counts).
 */
async function bandsAt(page: Page, i: number, yShift = 0): Promise<Array<{ expected: string; found: string | null }>> {
  const g = chartGeometry(programData);
  const stack = stackPrograms(programData.samples)!;
  const sample = programData.samples[i]!;
  const layers = [...stack.values.map((values, k) => ({ name: stack.names[k]!, value: values[i]! })), { name: "other", value: stack.other[i]! }];
  const found: Array<{ expected: string; found: string | null }> = [];
  let below = 0;
  for (const { name, value } of layers) {
    if (value > 0) {
      const point = await clientPoint(page, g.x(sample.tMs), g.yRss(below + value / 2) + yShift);
      const band: string | null = await page.evaluate(`(() => {
        const band = document.elementsFromPoint(${point.x}, ${point.y}).find((e) => e.classList.contains("band"));
        return band ? (band.dataset.program ?? band.dataset.band) : null;
      })()`);
      found.push({ expected: name, found: band });
    }
    below += value;
  }
  return found;
}

describe.if(haveChromium)("the chart stacked by program in Chromium", () => {
  for (const which of ["inProcess", "fromBinary"] as const) {
    const label = which === "inProcess" ? "made in-process" : "from dist/peak-mem --chart of a .jsonl";
    const suffix = which === "inProcess" ? "" : "-cli";

    test(`${label}: loads with no errors and no requests, a band for each program and other, each where its share is`, async () => {
      const file = (await programCharts())[which];
      const { page, errors, requests } = await open(file);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      for (const name of PROGRAMS) {
        expect(await page.locator(`#chart path.band[data-program="${name}"]`).count()).toBe(1);
        expect(await page.locator(`#chart .program-legend [data-program="${name}"]`).isVisible()).toBe(true);
      }
      expect(await page.locator(`#chart path.band[data-band="other"]`).count()).toBe(1);
      // sh, cat and the rest are below the six: no band of their own.
      expect(await page.locator(`#chart [data-program="sh"]`).count()).toBe(0);
      const seen = new Set<string>();
      for (const i of PROBES) {
        for (const { expected, found } of await bandsAt(page, i)) {
          expect(found).toBe(expected);
          seen.add(expected);
        }
      }
      expect([...seen].sort()).toEqual([...PROGRAMS, "other"].sort());
      // The marks are still there.
      expect(await page.locator("#peak-label").textContent()).toBe(`peak ${formatSize(programData.peakRssBytes)}`);
      expect(await page.locator("#threshold-line").count()).toBe(1);
      expect(await page.locator("section.programs tbody tr").count()).toBe(programData.programs!.length);
      await page.close();
    }, TIMEOUT);

    test(`${label}: the readout lists each program's RSS at the sample under the pointer`, async () => {
      const file = (await programCharts())[which];
      const { page, errors } = await open(file);
      const g = chartGeometry(programData);
      const stack = stackPrograms(programData.samples)!;
      for (const i of PROBES) {
        const sample = programData.samples[i]!;
        const point = await clientPoint(page, g.x(sample.tMs), g.yRss(sample.rss / 2));
        await page.mouse.move(point.x, point.y);
        expect(await page.locator("#tooltip").isVisible()).toBe(true);
        expect(Number(await page.locator("#cursor line").getAttribute("x1"))).toBeCloseTo(g.x(sample.tMs), 1);
        const rows = await page.locator("#tooltip .band-row").allTextContents();
        const expected = [
          ...stack.names.flatMap((name, k) => (stack.values[k]![i]! > 0 ? [`${name} ${formatSize(stack.values[k]![i]!)}`] : [])),
          ...(stack.other[i]! > 0 ? [`other programs ${formatSize(stack.other[i]!)}`] : []),
        ];
        expect(expected.length).toBeGreaterThan(2);
        expect(rows).toEqual(expected);
        expect(await page.locator("#tooltip").textContent()).toContain(`RSS ${formatSize(sample.rss)}`);
        if (i === 60) await screenshot(page, `chart-programs${suffix}-hover.png`, false);
      }
      // The keyboard reads the same: the last sample, where only sh is left, in other.
      await page.locator("#chart").focus();
      await page.keyboard.press("End");
      const last = programData.samples.length - 1;
      expect(await page.locator("#tooltip .band-row").allTextContents()).toEqual(stack.other[last]! > 0 ? [`other programs ${formatSize(stack.other[last]!)}`] : []);
      expect(errors).toEqual([]);
      await page.close();
    }, TIMEOUT);

    test(`${label}: light and dark screenshots, the bands in colours of their own`, async () => {
      const file = (await programCharts())[which];
      for (const scheme of ["light", "dark"] as const) {
        const { page, errors } = await open(file, scheme);
        await screenshot(page, `chart-programs${suffix}${scheme === "dark" ? "-dark" : ""}.png`);
        const colours: { bands: string[]; peak: string; threshold: string; line: string; background: string } = await page.evaluate(`({
          bands: [...document.querySelectorAll("#chart path.band")].map((e) => getComputedStyle(e).fill),
          peak: getComputedStyle(document.getElementById("peak-label")).fill,
          threshold: getComputedStyle(document.querySelector("#threshold-line line")).stroke,
          line: getComputedStyle(document.querySelector("#chart polyline.rss")).stroke,
          background: getComputedStyle(document.body).backgroundColor,
        })`);
        expect(colours.bands).toHaveLength(7);
        expect(new Set(colours.bands).size).toBe(7);
        for (const mark of [colours.peak, colours.threshold, colours.line, colours.background]) expect(colours.bands).not.toContain(mark);
        // The total line stands out from the page as text does.
        expect(Math.abs(luminance(colours.line) - luminance(colours.background))).toBeGreaterThan(0.7);
        expect(errors).toEqual([]);
        await page.close();
      }
    }, TIMEOUT);
  }

  test("the standalone SVG stacked by program, light and dark: bands, legend, marks", async () => {
    const { svg } = await programCharts();
    for (const scheme of ["light", "dark"] as const) {
      const { page, errors, requests } = await open(svg, scheme);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(svg).href]);
      for (const name of PROGRAMS) expect(await page.locator(`path.band[data-program="${name}"]`).count()).toBe(1);
      expect(await page.locator(".program-legend").isVisible()).toBe(true);
      expect(await page.locator("#peak-label").isVisible()).toBe(true);
      // The standalone file's chart sits below its 56 px header.
      for (const { expected, found } of await bandsAt(page, 60, 56)) expect(found).toBe(expected);
      await screenshot(page, scheme === "light" ? "chart-programs-svg.png" : "chart-programs-svg-dark.png", false);
      await page.close();
    }
  }, TIMEOUT);

  test(
    "a real run of 40 short cats beside three 100 MiB workers draws their programs' bands",
    async () => {
      const { allocate, BUN } = await import("../helpers.ts");
      const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
      const worker = allocate(100, 800).map(quote).join(" ");
      // Each cat lives as long as its sleep (50 ms), so at --interval 20 samples catch them.
      const cats = "for i in $(seq 40); do sleep 0.05 | cat; done";
      const file = join(work, "run-programs.html");
      const child = Bun.spawn([BINARY, "--quiet", "--interval", "20", "--timeline", file, "--", "sh", "-c", `(${cats}) & ${worker} & ${worker} & ${worker} & wait`], {
        stdout: "ignore",
        stderr: "pipe",
      });
      expect(await child.exited).toBe(0);
      const { page, errors, requests } = await open(file);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      const bands: string[] = await page.evaluate(`[...document.querySelectorAll("#chart path.band[data-band=program]")].map((e) => e.dataset.program)`);
      // The workers run Bun: their program is its executable's name (bun, or bun.exe from npm).
      const workerName = BUN.split("/").at(-1)!.slice(0, 15);
      expect(bands).toContain(workerName);
      expect(bands).toContain("cat");
      expect(bands).toContain("sh");
      // Three workers at once: their band holds more than 250 MiB at its highest.
      const data: { bands: Array<{ name: string; values: number[] }> } = await page.evaluate(`JSON.parse(document.getElementById("samples").textContent)`);
      const workers = data.bands.find((band) => band.name === workerName)!;
      expect(Math.max(...workers.values)).toBeGreaterThan(250 * 1024 * 1024);
      await screenshot(page, "chart-programs-run.png");
      await page.close();
    },
    TIMEOUT,
  );
});
