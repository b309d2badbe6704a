import { cac, type CAC } from "cac";
import { VERSION } from "../version.ts";

// The one list of peak-mem's options. cac owns the definitions and renders --help;
// src/cli/scan.ts reads these same definitions to split argv (see there for why).

export const DEFAULT_INTERVAL_MS = 100;

export function defineCli(): CAC {
  const cli = cac("peak-mem");
  cli
    .usage("[OPTIONS] [--] COMMAND [ARGS...]")
    .option("-j, --json", "Output the report as JSON")
    .option("-c, --csv", "Output the report as CSV (header and one row)")
    .option("-q, --quiet", "Output only the peak RSS in bytes")
    .option("-v, --verbose", "Add samples, interval, processes seen and the source of each peak")
    .option("-w, --watch", "Show live memory usage on stderr while the command runs")
    .option("-t, --threshold <SIZE>", "Report, and exit 1 on success, when peak RSS exceeds SIZE (512M, 1G, 1.5GiB)")
    .option("--no-children", "Measure only the command itself, not the processes it starts")
    .option("--cgroup", "Also run it in a new cgroup and report the cgroup's exact peak (includes page cache)")
    .option("--timeline <FILE>", "Record every sample to FILE as JSON")
    .option("--interval <MS>", `Sampling interval in milliseconds, 1 to 60000 (default ${DEFAULT_INTERVAL_MS})`)
    .option("-o, --output <FILE>", "Write the report to FILE instead of stdout")
    .option("--units <UNIT>", "Show sizes in UNIT: B, KiB, MiB, GiB, TiB, KB, MB, GB or TB")
    .option("-V, --version", "Print the version")
    .help((sections) => [
      { body: `peak-mem ${VERSION}: run a command and report the peak memory of it and its children` },
      ...sections.slice(1).map((section) => (section.title === "Options" ? optionsSection(cli) : section)),
      {
        title: "Examples",
        body: [
          "  peak-mem make -j8",
          "  peak-mem --json -- ./my-app --flag",
          "  peak-mem --threshold 1G --timeline mem.json -- npm test",
        ].join("\n"),
      },
      { title: "Exit status", body: "  The command's own; 128+N if it died of signal N; 1 if it succeeded but crossed\n  the threshold; 127 not found; 126 not executable; 2 bad usage." },
    ]);
  return cli;
}

/** cac's own list pads every line with a trailing space and shows "--no-x" as "(default: true)". */
function optionsSection(cli: CAC): { title: string; body: string } {
  const options = cli.globalCommand.options;
  const width = Math.max(...options.map((option) => option.rawName.length));
  const body = options.map((option) => {
    const name = option.rawName.startsWith("--") ? `    ${option.rawName}` : option.rawName;
    return `  ${name.padEnd(width + 4)}  ${option.description}`;
  });
  return { title: "Options", body: body.join("\n") };
}
