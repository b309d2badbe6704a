import type { Format } from "../cli/config.ts";
import type { Report } from "../model/report.ts";
import type { HumanOptions } from "./human.ts";

// The report as the format asked for. Each format's code is loaded when it is first asked
// for (require: synchronous, evaluated once), so a run loads the one renderer it uses.

export function renderReport(report: Report, format: Format, options: HumanOptions): string {
  switch (format) {
    case "json":
      return (require("./json.ts") as typeof import("./json.ts")).render(report, options);
    case "csv":
      return (require("./csv.ts") as typeof import("./csv.ts")).render(report);
    case "quiet":
      return (require("./quiet.ts") as typeof import("./quiet.ts")).render(report);
    case "markdown":
      return (require("./markdown.ts") as typeof import("./markdown.ts")).render(report, { units: options.units });
    case "human":
      return (require("./human.ts") as typeof import("./human.ts")).render(report, options);
  }
}
