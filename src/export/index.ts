import type { Format } from "../cli/config.ts";
import type { Report } from "../model/report.ts";
import * as csv from "./csv.ts";
import * as human from "./human.ts";
import * as json from "./json.ts";
import * as markdown from "./markdown.ts";
import * as quiet from "./quiet.ts";

export function renderReport(report: Report, format: Format, options: human.HumanOptions): string {
  switch (format) {
    case "json":
      return json.render(report, options);
    case "csv":
      return csv.render(report);
    case "quiet":
      return quiet.render(report);
    case "markdown":
      return markdown.render(report, { units: options.units });
    case "human":
      return human.render(report, options);
  }
}
