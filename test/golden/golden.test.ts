import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createColors } from "picocolors";
import type { Format } from "../../src/cli/config.ts";
import type { Unit } from "../../src/core/size/units.ts";
import { renderReport } from "../../src/export/index.ts";
import { PLAIN, type Palette } from "../../src/export/palette.ts";
import { renderSeries } from "../../src/export/series/index.ts";
import type { Sink } from "../../src/io/sink.ts";
import type { ChartData } from "../../src/model/chart-data.ts";
import type { Report } from "../../src/model/report.ts";
import type { SeriesReport } from "../../src/model/series.ts";
import { annotations } from "../../src/output/annotations.ts";
import { renderHtml } from "../../src/timeline/html.ts";
import { renderSvg } from "../../src/timeline/svg.ts";
import { createTimelineWriter, type TimelineFormat } from "../../src/timeline/writers.ts";
import { CHART, CHART_PLAIN, MINIMAL_REPORT, NEAR_LIMIT_REPORT, RICH_REPORT, SERIES, SERIES_ONE } from "./fixtures.ts";

// Every report format's output for fixed inputs, compared byte for byte with test/golden/files/
// (see test/golden/README.md). UPDATE_GOLDEN=1 writes the files instead of comparing.

const FILES = join(import.meta.dir, "files");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

// An explicit palette either way: colour must not depend on the terminal or NO_COLOR.
const COLOUR: Palette = createColors(true);

/** Each golden file's name and how to render it. */
const cases: Array<[file: string, render: () => string]> = [];

/** A single run in every format: human plain and coloured, terse and verbose. */
function singleRun(name: string, report: Report): void {
  const render = (format: Format, palette: Palette, verbose: boolean, units?: Unit) => () => renderReport(report, format, { palette, verbose, ...(units && { units }) });
  cases.push(
    [`${name}.human.txt`, render("human", PLAIN, false)],
    [`${name}.human.ansi.txt`, render("human", COLOUR, false)],
    [`${name}.verbose.txt`, render("human", PLAIN, true)],
    [`${name}.verbose.ansi.txt`, render("human", COLOUR, true)],
    // --units forces one unit everywhere a size is shown.
    [`${name}.verbose.units-MB.txt`, render("human", PLAIN, true, "MB")],
    [`${name}.json`, render("json", PLAIN, false)],
    // -v adds the processes to JSON.
    [`${name}.verbose.json`, render("json", PLAIN, true)],
    [`${name}.csv`, render("csv", PLAIN, false)],
    [`${name}.md`, render("markdown", PLAIN, false)],
    [`${name}.units-MB.md`, render("markdown", PLAIN, false, "MB")],
    [`${name}.quiet.txt`, render("quiet", PLAIN, false)],
    // One workflow command a line; an empty file when there is nothing to annotate.
    [`${name}.annotations.txt`, () => annotations(report).map((line) => `${line}\n`).join("")],
  );
}

function series(name: string, report: SeriesReport): void {
  const render = (format: Format, palette: Palette) => () => renderSeries(report, format, { palette, verbose: false });
  cases.push(
    [`${name}.human.txt`, render("human", PLAIN)],
    [`${name}.human.ansi.txt`, render("human", COLOUR)],
    [`${name}.json`, render("json", PLAIN)],
    [`${name}.csv`, render("csv", PLAIN)],
    [`${name}.md`, render("markdown", PLAIN)],
    [`${name}.quiet.txt`, render("quiet", PLAIN)],
  );
}

/** A timeline file as --timeline writes it: the header, a write per sample, then the summary. */
function timeline(format: TimelineFormat, data: ChartData): string {
  const writes: string[] = [];
  const sink: Sink = { isTerminal: false, write: (text) => void writes.push(text), close: () => {} };
  const writer = createTimelineWriter(format, sink);
  const { command, startedAt, intervalMs, samples, ...summary } = data;
  writer.start({ command, intervalMs, startedAt });
  for (const sample of samples) writer.add(sample);
  writer.finish(summary);
  return writes.join("");
}

function chart(name: string, data: ChartData, timelineName: string): void {
  cases.push(
    [`${name}.svg`, () => renderSvg(data)],
    [`${name}.html`, () => renderHtml(data)],
    [`${timelineName}.json`, () => timeline("json", data)],
    [`${timelineName}.jsonl`, () => timeline("jsonl", data)],
    [`${timelineName}.csv`, () => timeline("csv", data)],
  );
}

singleRun("single-rich", RICH_REPORT);
singleRun("single-minimal", MINIMAL_REPORT);
cases.push(["single-near-limit.annotations.txt", () => annotations(NEAR_LIMIT_REPORT).map((line) => `${line}\n`).join("")]);
series("series", SERIES);
series("series-one", SERIES_ONE);
chart("chart", CHART, "timeline");
chart("chart-plain", CHART_PLAIN, "timeline-plain");

if (UPDATE) mkdirSync(FILES, { recursive: true });

describe("golden files", () => {
  test.each(cases)("%s", (file, render) => {
    const actual = render();
    // The same input twice, the same output: nothing may depend on the clock or on state.
    expect(render()).toBe(actual);
    const path = join(FILES, file);
    if (UPDATE) {
      writeFileSync(path, actual);
      return;
    }
    if (!existsSync(path)) throw new Error(`no golden file ${file}: write it with UPDATE_GOLDEN=1 bun test test/golden`);
    expect(actual).toBe(readFileSync(path, "utf8"));
  });

  test("no golden file is left that no case writes", () => {
    const known = new Set(cases.map(([file]) => file));
    const stale = existsSync(FILES) ? readdirSync(FILES).filter((file) => !known.has(file)) : [];
    if (UPDATE) for (const file of stale) rmSync(join(FILES, file));
    else expect(stale).toEqual([]);
  });

  test("no output shows a value that was missing or not a number", () => {
    for (const [file, render] of cases) {
      const text = render();
      for (const bad of [/\bundefined\b/, /\bNaN\b/, /\bInfinity\b/, /\[object \w+\]/]) expect({ file, match: bad.exec(text)?.[0] }).toEqual({ file, match: undefined });
    }
  });
});
