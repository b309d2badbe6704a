import { formatGrowth, formatThreshold } from "../baseline/compare.ts";
import { closeToLimit } from "../export/views/memory.ts";
import type { Report } from "../model/report.ts";
import { asTyped, formatSize } from "../core/size/format.ts";
import { psName, terminalCommand, visibleText } from "../core/text/visible.ts";

// GitHub Actions workflow commands for a finished run: an error annotation for an
// OOM kill, a crossed threshold and a regression, a warning for a peak close to the memory
// limit. Pure: src/session/session.ts writes the lines to stderr when GITHUB_ACTIONS=true (and not
// --no-annotations). Each line is one workflow command, without its newline: the runner reads
// a command per line, so nothing from outside may break one (GitHub's escaping below, and the
// command, process and baseline names made visible as on a terminal first).

type Level = "error" | "warning";

export function annotations(report: Report): string[] {
  const lines: string[] = [];
  const command = terminalCommand(report.argv);
  const limit = report.memory?.limit;
  const oom = report.memory?.oom;
  const oomKilled = oom?.treeKilled === true;
  const peakRss = report.peaks.rss.bytes;

  if (oomKilled) {
    const victim = oom.victim;
    const named = victim && `${victim.certain ? "" : "likely "}pid ${victim.pid} ${psName(victim.name)}`;
    // The command itself, or a process of its tree: the annotation says which.
    const who = !victim || victim.role === "command" ? `${command} was killed${named ? ` (${named})` : ""}` : `a process of ${command} was killed (${named})`;
    const given = report.memory?.limitGiven;
    const at = limit ? ` at the memory limit of ${asTyped(given, limit.bytes, formatSize)} (${limit.source})` : "";
    lines.push(workflowCommand("error", "peak-mem: killed by the OOM killer", `${who} by the kernel's OOM killer${at}; peak RSS ${formatSize(peakRss)}`));
  }

  const crossed = report.threshold;
  if (crossed?.exceeded) {
    let [peak, threshold] = [formatSize(peakRss), formatSize(crossed.bytes)];
    // 1G (10^9 bytes) and a peak just over it both read 953.7 MiB: then the bytes tell them apart.
    if (threshold === peak) [peak, threshold] = [`${peak} (${peakRss} bytes)`, `${threshold} (${crossed.bytes} bytes)`];
    const share = crossed.percent !== undefined ? ` (${crossed.percent}% of the memory limit)` : "";
    // As typed where it was ("40MiB (40.0 MiB)"), as in the report.
    const over = `the threshold of ${asTyped(crossed.given, crossed.bytes, () => threshold)}${share}`;
    lines.push(workflowCommand("error", "peak-mem: threshold exceeded", `peak RSS ${peak} of ${command} is over ${over}`));
  }

  const comparison = report.comparison;
  if (comparison?.regression) {
    const { peakRss, thresholdPercent } = comparison;
    const growth = peakRss.changePercent === null ? "" : ` ${formatGrowth(peakRss.changePercent, thresholdPercent)}`;
    const name = visibleText(JSON.stringify(comparison.baselineName));
    lines.push(
      workflowCommand(
        "error",
        "peak-mem: memory regression",
        `${comparison.median ? "median " : ""}peak RSS grew${growth} over baseline ${name} (${formatSize(peakRss.baseline)} → ${formatSize(peakRss.current)}), more than the ${formatThreshold(thresholdPercent)} allowed`,
      ),
    );
  }

  // A peak close to the limit, without an OOM kill, is worth a warning (the same test as the report's row).
  if (!oomKilled && limit && closeToLimit(report)) {
    // Rounded down, so a peak just under the limit never reads as 100% of it.
    const percent = Math.floor((peakRss * 100) / limit.bytes);
    lines.push(
      workflowCommand(
        "warning",
        "peak-mem: close to the memory limit",
        `peak RSS ${formatSize(peakRss)} is ${percent}% of the memory limit of ${formatSize(limit.bytes)} (${limit.source})`,
      ),
    );
  }
  return lines;
}

/** `::error title=T::message`, with the title and the message escaped as GitHub's toolkit does. */
function workflowCommand(level: Level, title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** A command's message: `%`, CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property's value (title=…): also `:` and `,`, which would end it. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
