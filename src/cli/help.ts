import { VERSION } from "../core/version.ts";
import { OPTIONS } from "./options.ts";

// --help, rendered by cac from the option list. Loaded only when asked for.

export async function helpText(): Promise<string> {
  const { cac } = await import("cac");
  const cli = cac("peak-mem").usage("[OPTIONS] [--] COMMAND [ARGS...]");
  for (const option of OPTIONS) if (option.flags !== "-h, --help") cli.option(option.flags, option.description);
  let text = "";
  cli.help((sections) => {
    const rest = sections.slice(1).filter((section) => section.title !== "Options");
    const result = [
      { body: `peak-mem ${VERSION}: run a command and report the peak memory of it and its children` },
      ...rest,
      { title: "Options", body: optionLines() },
      {
        title: "Examples",
        body: ["  peak-mem make -j8", "  peak-mem --json -- ./my-app --flag", "  peak-mem --threshold 1G --timeline mem.json -- npm test"].join("\n"),
      },
      {
        title: "Exit status",
        body: "  The command's own; 128+N if it died of signal N; 1 if it succeeded but crossed\n  the threshold or regressed against --compare-baseline; 127 not found; 126 not\n  executable; 2 bad usage.",
      },
    ];
    text = `${result.map((section) => (section.title ? `${section.title}:\n${section.body}` : section.body)).join("\n\n")}\n`;
    return [];
  });
  // cac prints through console.info; the text is taken from the callback instead, so that
  // peak-mem writes it where it writes everything else.
  const info = console.info;
  console.info = () => {};
  try {
    cli.outputHelp();
  } finally {
    console.info = info;
  }
  return text;
}

/** cac's own list pads every line with a trailing space and shows "--no-x" as "(default: true)". */
function optionLines(): string {
  const width = Math.max(...OPTIONS.map((option) => option.flags.length));
  return OPTIONS.map((option) => {
    const flags = option.flags.startsWith("--") ? `    ${option.flags}` : option.flags;
    return `  ${flags.padEnd(width + 4)}  ${option.description}`;
  }).join("\n");
}
