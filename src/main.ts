import { VERSION } from "./core/version.ts";
import { writeWhole } from "./io/sink.ts";

// The entry point. A lone `--version` (or -V) is answered before the option table and the rest
// of the command line's code are loaded: that code is most of what the answer would cost
// otherwise (`peak-mem --version` 1.25 times a Bun hello-world with it, about 1.0 without,
// measured), and the answer is the one the option table would give. Everything else, --version
// among other options included, goes through src/command-line.ts, which also tells a write that
// failed here (it writes the answer again and reports the failure as it does every other). It is
// loaded by require(), synchronously, which a run pays nothing measurable for (`peak-mem -- true`
// 0.89 to 1.04 times the build without this module, in seven paired runs of 60 to 100); with
// import() instead it cost a run 3 to 6%.

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  try {
    await writeWhole(1, `peak-mem ${VERSION}\n`);
    process.exit(0);
  } catch {
    // Said by the command line below.
  }
}
await (require("./command-line.ts") as typeof import("./command-line.ts")).runCommandLine(argv);
