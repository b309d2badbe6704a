// The HTML and SVG charts opened in a real browser: Debian's headless Chromium, driven by
// playwright-core. The page must load without errors and without a single request beyond
// its own file, show the peak and the threshold, answer a hover, and look like something
// in light and in dark (screenshots in test/e2e/artifacts/, checked not to be blank). The
// memory limit and an OOM kill are drawn from chart data made here, in-process, with the
// renderers of src/timeline/ (the binary's runs have neither unless the kernel obliges).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { formatSize } from "../../src/size/format.ts";
import { renderHtml } from "../../src/timeline/html.ts";
import { renderSvg } from "../../src/timeline/svg.ts";
import { makeChartData } from "../fixtures/chart-data.ts";

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
    expect(text).toMatch(/Time\s*\d+\.\d\d s/);
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
    // The ✕ is centred at 1.5 s of the 2.4 s axis: x 580 of the chart's 960, inside its box.
    const chart = (await page.locator("#chart").boundingBox())!;
    const marker = (await page.locator("#oom-marker").boundingBox())!;
    expect(marker.width).toBeGreaterThan(4);
    expect(Math.abs(marker.x + marker.width / 2 - (chart.x + (580 / 960) * chart.width))).toBeLessThan(2);
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
    for (const text of [`${formatSize(LIMIT)} (cgroup memory.limit_in_bytes)`, "4242 alloc at 1.50 s"]) {
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
