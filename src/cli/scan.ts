import { UsageError } from "../core/errors.ts";
import { OPTIONS, type OptionSpec } from "./options.ts";

// Splits argv into peak-mem's options and the command. cac's own parser (mri) reads every
// argument, so `peak-mem ls -la` would take -la as ours; it also turns "0x10" into 16 and
// cannot take a value starting with "-". So option parsing stops at the first non-option
// here, values are kept exactly as typed, and src/cli/options.ts says which options exist.

export interface Scanned {
  /** Option values by long name without dashes ("json", "no-children"): true for flags, strings for values. */
  options: Map<string, string | true>;
  command: string[];
}

interface Known {
  name: string;
  takesValue: boolean;
}

/** Every spelling of every option (`-j`, `--json`), built at the first option seen: `peak-mem -- cmd` needs none. */
function optionTable(options: readonly OptionSpec[]): Map<string, Known> {
  const byName = new Map<string, Known>();
  for (const option of options) {
    // Words, not a regular expression: the first one a run executes loads the runtime's
    // regular expression compiler, which `--version` would pay 2 MiB and 4% of its time for.
    const flags = option.flags
      .split(" ")
      .map((word) => (word.endsWith(",") ? word.slice(0, -1) : word))
      .filter((word) => word.startsWith("-"));
    const long = flags.find((flag) => flag.startsWith("--")) ?? "";
    const spec = { name: long.slice(2), takesValue: option.flags.includes("<") };
    for (const flag of flags) byName.set(flag, spec);
  }
  return byName;
}

export function scanArgv(argv: readonly string[], options: readonly OptionSpec[] = OPTIONS): Scanned {
  let table: Map<string, Known> | undefined;
  const known = (flag: string) => (table ??= optionTable(options)).get(flag);
  const found = new Map<string, string | true>();
  const set = (spec: Known, flag: string, value: string | true) => {
    if (found.has(spec.name)) throw new UsageError(`option ${flag} was given twice`);
    found.set(spec.name, value);
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const flag = eq === -1 ? arg : arg.slice(0, eq);
      const spec = known(flag);
      if (!spec) throw new UsageError(`unknown option ${flag} (see peak-mem --help)`);
      if (!spec.takesValue) {
        if (eq !== -1) throw new UsageError(`option ${flag} takes no value`);
        set(spec, flag, true);
      } else if (eq !== -1) {
        set(spec, flag, arg.slice(eq + 1));
      } else {
        set(spec, flag, separateValue(argv, ++i, flag));
      }
      continue;
    }
    // A cluster of short flags (-jv), the last of which may take a value (-t1G or -t 1G).
    for (let j = 1; j < arg.length; j++) {
      const flag = `-${arg[j]}`;
      const spec = known(flag);
      if (!spec) throw new UsageError(`unknown option ${flag} (see peak-mem --help)`);
      if (!spec.takesValue) {
        set(spec, flag, true);
        continue;
      }
      const rest = arg.slice(j + 1);
      set(spec, flag, rest !== "" ? rest : separateValue(argv, ++i, flag));
      break;
    }
  }
  return { options: found, command: argv.slice(i) };
}

/**
 * An option's value given as the next argument. A "--" there is the separator, not a value:
 * `-t -- make` forgot the size, and `-o --` would write a file named "--". Attached
 * (`--threshold=--`, `-t--`) it was typed as a value and is kept as one.
 */
function separateValue(argv: readonly string[], i: number, flag: string): string {
  const value = argv[i];
  if (value === undefined || value === "--") throw new UsageError(`option ${flag} needs a value`);
  return value;
}
