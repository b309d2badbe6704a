import type { Format } from "../../cli/config.ts";
import { statisticsOf, type SeriesReport } from "../../model/series.ts";
import type { HumanOptions } from "../human.ts";
import * as csv from "./csv.ts";
import * as human from "./human.ts";
import * as json from "./json.ts";
import * as markdown from "./markdown.ts";

// The series renderers, one per format, each a pure function of the SeriesReport. Loaded
// only for a series (src/session/session.ts).

export function renderSeries(series: SeriesReport, format: Format, options: HumanOptions): string {
  switch (format) {
    case "json":
      return json.render(series);
    case "csv":
      return csv.render(series);
    case "quiet":
      return quiet(series);
    case "markdown":
      return markdown.render(series, { units: options.units });
    case "human":
      return human.render(series, options);
  }
}

/** Each command's median peak RSS in bytes, digits only, a line each (empty: no counted run). */
function quiet(series: SeriesReport): string {
  return series.commands
    .map((command) => statisticsOf(command, "peak_rss_bytes")?.median)
    .map((median) => `${median === undefined ? "" : Math.round(median)}\n`)
    .join("");
}
