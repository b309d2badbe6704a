// `peak-mem --completions bash|zsh|fish`: the scripts come from the option table, so every
// option --help lists is in each of them; and each shell, given the script, offers the right
// candidates: options, fixed values, files, and after the options the command and its own
// completions. Each shell's test is skipped (saying so) where that shell is not installed;
// .ci/run installs zsh, fish and bash-completion.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { completionOptions, completionScript, PLACEHOLDERS } from "../../src/cli/completions.ts";
import { toAction } from "../../src/cli/config.ts";
import { COMPLETION_SHELLS, OPTIONS, type CompletionShell } from "../../src/cli/options.ts";
import { scanArgv } from "../../src/cli/scan.ts";
import { UsageError } from "../../src/core/errors.ts";
import { UNIT_NAMES } from "../../src/core/size/units.ts";
import { peakMem, runArgv, tempDir } from "../helpers.ts";

const dir = tempDir();
// A command only this test has, for command-name completion: on PATH for every shell below.
const bin = join(dir, "bin");
mkdirSync(bin);
writeFileSync(join(bin, "pmfixture-cmd"), "#!/bin/sh\n");
chmodSync(join(bin, "pmfixture-cmd"), 0o755);
// Files for file-name completion.
const files = join(dir, "files");
mkdirSync(join(files, "subdir"), { recursive: true });
writeFileSync(join(files, "report-a.json"), "");
writeFileSync(join(files, "report-b.json"), "");
const env = { PATH: `${bin}:${process.env.PATH}` };

const scripts = {} as Record<CompletionShell, string>;
for (const shell of COMPLETION_SHELLS) {
  const result = await peakMem(["--completions", shell]);
  if (result.code !== 0) throw new Error(`peak-mem --completions ${shell} failed: ${result.stderr}`);
  scripts[shell] = result.stdout;
  writeFileSync(join(dir, `peak-mem.${shell}`), result.stdout);
}

/** Each option line of the binary's --help, as its flags: ["-j", "--json"], ["--no-children"]. */
async function helpFlags(): Promise<string[][]> {
  const { stdout, code } = await peakMem(["--help"]);
  expect(code).toBe(0);
  const section = stdout.split(/^Options:\n/m)[1]?.split("\n\n")[0] ?? "";
  return section.split("\n").flatMap((line) => {
    const flags = /^\s+((?:-[A-Za-z], )?--[a-z][\w-]*)(?:\s|$)/.exec(line)?.[1];
    return flags ? [flags.split(", ")] : [];
  });
}

/** How each script spells a flag: bash and zsh as typed, fish as `-s t` and `-l threshold`. */
function mentions(shell: CompletionShell, script: string, flag: string): boolean {
  const escaped = flag.replace(/[-]/g, "\\-");
  if (shell === "fish") {
    const pattern = flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
    return new RegExp(`^complete .*${pattern.replace(/-/g, "\\-")}( |$)`, "m").test(script);
  }
  return new RegExp(`(^|[\\s'{,|(])${escaped}([\\s'},|)=+\\[]|$)`, "m").test(script);
}

describe("the scripts come from the option table", () => {
  test("every placeholder in the table has a completion, and an unknown one is refused", () => {
    const table = completionOptions();
    expect(table.map((option) => option.long)).toEqual(OPTIONS.map((option) => /--[a-z][a-z0-9-]*/.exec(option.flags)![0]));
    for (const option of OPTIONS) {
      const placeholder = /<([A-Z]+)>/.exec(option.flags)?.[1];
      if (placeholder) expect(Object.keys(PLACEHOLDERS)).toContain(placeholder);
    }
    expect(table.find((option) => option.long === "--units")?.value).toEqual({ placeholder: "UNIT", kind: "words", words: UNIT_NAMES });
    expect(table.find((option) => option.long === "--output")?.value?.kind).toBe("file");
    expect(table.find((option) => option.long === "--threshold")?.short).toBe("-t");
    expect(() => completionOptions([{ flags: "--colour <PALETTE>", description: "x" }])).toThrow("<PALETTE>");
  });

  test("an option added to the table reaches every script", () => {
    const extra = [...OPTIONS, { flags: "-Z, --zebra <FILE>", description: "Stripes: [not] a real option's text" }];
    for (const shell of COMPLETION_SHELLS) {
      const script = completionScript(shell, extra);
      expect(mentions(shell, script, "--zebra")).toBe(true);
      expect(mentions(shell, script, "-Z")).toBe(true);
      expect(mentions(shell, completionScript(shell), "--zebra")).toBe(false);
    }
  });

  test("the binary prints what the generator makes", () => {
    for (const shell of COMPLETION_SHELLS) expect(scripts[shell]).toBe(completionScript(shell));
  });

  test("every option in the table appears in each script", () => {
    for (const shell of COMPLETION_SHELLS) {
      const missing = completionOptions().flatMap((option) => [option.short, option.long]).filter((flag) => flag && !mentions(shell, scripts[shell], flag));
      expect({ shell, missing }).toEqual({ shell, missing: [] });
    }
  });

  test("every option that --help lists appears in each script", async () => {
    const flags = (await helpFlags()).flat();
    // A guard against a parse of --help that finds nothing.
    expect(flags).toContain("--completions");
    expect(flags).toContain("-t");
    expect(flags.length).toBeGreaterThanOrEqual(OPTIONS.length);
    for (const shell of COMPLETION_SHELLS) {
      expect({ shell, missing: flags.filter((flag) => !mentions(shell, scripts[shell], flag)) }).toEqual({ shell, missing: [] });
    }
  });
});

describe("--completions SHELL", () => {
  const usageError = (...argv: string[]) => {
    try {
      toAction(scanArgv(argv));
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as UsageError).message;
    }
    throw new Error(`expected a usage error for ${argv.join(" ")}`);
  };

  test("names a known shell, alone", () => {
    expect(toAction(scanArgv(["--completions", "zsh"]))).toEqual({ kind: "completions", shell: "zsh" });
    expect(toAction(scanArgv(["--completions=Fish"]))).toEqual({ kind: "completions", shell: "fish" });
    expect(usageError("--completions", "tcsh")).toBe("invalid --completions 'tcsh': expected one of bash, zsh, fish");
    expect(usageError("--completions", "bash", "--json")).toContain("--json");
    expect(usageError("--completions", "bash", "make")).toContain("runs nothing");
    expect(usageError("--completions")).toContain("needs a value");
  });

  test("bad usage from the binary: one line on stderr, exit 2, nothing on stdout", async () => {
    for (const args of [["--completions", "tcsh"], ["--completions", "bash", "true"], ["--completions"]]) {
      const result = await peakMem(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^peak-mem: [^\n]+\n$/);
    }
  });
});

/** Candidates bash offers at the end of `line` (a trailing space starts an empty word). */
async function bashCandidates(line: string, withBashCompletion: boolean): Promise<string[]> {
  const harness = `
    ${withBashCompletion ? "source /usr/share/bash-completion/bash_completion" : ""}
    source "$1"
    # compopt works only while readline runs a completion; here the function is called directly.
    compopt() { :; }
    # A command with its own completion, to see that peak-mem hands its words over.
    _pmfixture() { COMPREPLY=("fixture-word:$COMP_CWORD:\${COMP_WORDS[0]}:\${COMP_WORDS[COMP_CWORD]}"); }
    complete -F _pmfixture pmfixture
    line=$2
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
    COMP_LINE=$line COMP_POINT=\${#line}
    _peak_mem peak-mem "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = await runArgv(["bash", "--norc", "--noprofile", "-c", harness, "bash", join(dir, "peak-mem.bash"), line], { env });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.split("\n").filter((word) => word !== "").sort();
}

const bashCompletion = readable("/usr/share/bash-completion/bash_completion");
function readable(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

describe("bash", () => {
  test("sourcing the script registers it: complete -p peak-mem", async () => {
    const result = await runArgv(["bash", "--norc", "--noprofile", "-c", 'source "$1" && complete -p peak-mem', "bash", join(dir, "peak-mem.bash")]);
    expect(result.stdout).toBe("complete -F _peak_mem peak-mem\n");
    expect(result.code).toBe(0);
  });

  const shellcheck = Bun.which("shellcheck");
  test.skipIf(!shellcheck)(shellcheck ? "shellcheck -s bash finds nothing" : "shellcheck: skipped, not installed", async () => {
    const result = await runArgv([shellcheck!, "-s", "bash", join(dir, "peak-mem.bash")]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });

  for (const withBashCompletion of [false, true]) {
    const name = withBashCompletion ? "with bash-completion's _command_offset" : "with plain bash (compgen fallback)";
    test.skipIf(withBashCompletion && !bashCompletion)(bashCompletion || !withBashCompletion ? name : `${name}: skipped, bash-completion is not installed`, async () => {
      const at = (line: string) => bashCandidates(line, withBashCompletion);
      expect(await at("peak-mem --th")).toEqual(["--threshold"]);
      expect(await at("peak-mem --export-")).toEqual(["--export-csv", "--export-json", "--export-markdown"]);
      expect(await at("peak-mem --units ")).toEqual([...UNIT_NAMES].sort());
      expect(await at("peak-mem --units Mi")).toEqual(["MiB"]);
      // bash splits --units=Mi at the = into three words.
      expect(await at("peak-mem --units = Mi")).toEqual(["MiB"]);
      expect(await at("peak-mem --completions ")).toEqual(["bash", "fish", "zsh"]);
      expect(await at(`peak-mem -jo ${files}/report-`)).toEqual([`${files}/report-a.json`, `${files}/report-b.json`]);
      expect(await at(`peak-mem --baseline-dir ${files}/`)).toEqual([`${files}/subdir`]);
      // A size has no candidates (not file names).
      expect(await at("peak-mem -t ")).toEqual([]);
      // -t1G carries its value: the next word is an option again.
      expect(await at("peak-mem -t1G --kill")).toEqual(["--kill-on-threshold"]);
      // After the options: the command, then that command's own completion.
      expect(await at("peak-mem -j -t 1G pmfixture-c")).toContain("pmfixture-cmd");
      expect(await at("peak-mem -- pmfixture-c")).toContain("pmfixture-cmd");
      expect(await at("peak-mem pmfixture-cmd --th")).not.toContain("--threshold");
      if (withBashCompletion) {
        expect(await at("peak-mem -jt 1G pmfixture ar")).toEqual(["fixture-word:1:pmfixture:ar"]);
        expect(await at("peak-mem --units = MiB -- pmfixture x ")).toEqual(["fixture-word:2:pmfixture:"]);
      } else {
        expect(await at(`peak-mem pmfixture ${files}/report-a`)).toEqual([`${files}/report-a.json`]);
      }
    });
  }
});

const zsh = Bun.which("zsh");
describe("zsh", () => {
  test.skipIf(!zsh)(zsh ? "zsh -n accepts the script" : "zsh -n: skipped, zsh is not installed", async () => {
    const result = await runArgv([zsh!, "-n", join(dir, "peak-mem.zsh")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  // zsh completes only inside its line editor: an interactive zsh on a pseudo-terminal (zpty)
  // gets the line and a Tab, and a compadd wrapper writes every candidate to a file.
  const capture = `
    zmodload zsh/zpty || exit 3
    zpty z zsh -f -i
    zpty -w z "PS1=''; fpath=(\${(q)1} \\$fpath); autoload -U compinit; compinit -u -D"
    zpty -w z "compadd() { local -a __hits; builtin compadd -O __hits \\"\\$@\\"; print -rl -- \\$__hits >> \${(q)2}; builtin compadd \\"\\$@\\"; }"
    zpty -w z "_pmfixture() { compadd fixture-word-\\$CURRENT }; compdef _pmfixture pmfixture"
    zpty -w z "zstyle ':completion:*' menu no; bindkey '^I' complete-word; print '<ready>'"
    zpty -r z line '*<ready>*' || exit 4
    zpty -w -n z "$3"$'\\t'
    zpty -w z $'\\C-u'"print '<done>'"
    zpty -r z line '*<done>*<done>*' || exit 5
    zpty -d z`;
  let round = 0;
  async function zshCandidates(line: string): Promise<string[]> {
    const fpath = join(dir, "zsh-functions");
    mkdirSync(fpath, { recursive: true });
    writeFileSync(join(fpath, "_peak-mem"), scripts.zsh);
    const out = join(dir, `zsh-candidates-${++round}`);
    writeFileSync(out, "");
    // A stuck line editor fails the test instead of hanging it (macOS has no timeout(1)).
    const timeout = Bun.which("timeout") ? ["timeout", "30"] : [];
    const result = await runArgv([...timeout, zsh!, "-f", "-c", capture, "zsh", fpath, out, line], { env });
    expect(result.code).toBe(0);
    return [...new Set(readFileSync(out, "utf8").split("\n").filter((word) => word !== ""))].sort();
  }

  test.skipIf(!zsh)(zsh ? "in zsh's line editor" : "in zsh's line editor: skipped, zsh is not installed", async () => {
    expect(await zshCandidates("peak-mem --th")).toEqual(["--threshold"]);
    expect(await zshCandidates("peak-mem --units ")).toEqual([...UNIT_NAMES].sort());
    expect(await zshCandidates("peak-mem --units=Mi")).toEqual(["MiB"]);
    expect(await zshCandidates("peak-mem --completions ")).toEqual(["bash", "fish", "zsh"]);
    // _files also adds each directory of the path as it goes: only the last part is asserted.
    expect(await zshCandidates(`peak-mem -o ${files}/report-`)).toEqual(expect.arrayContaining(["report-a.json", "report-b.json"]));
    const dirs = await zshCandidates(`peak-mem --baseline-dir ${files}/`);
    expect(dirs).toContain("subdir");
    expect(dirs).not.toContain("report-a.json");
    expect(await zshCandidates("peak-mem -t 1G pmfixture-c")).toContain("pmfixture-cmd");
    expect(await zshCandidates("peak-mem -j -- pmfixture-c")).toContain("pmfixture-cmd");
    // The command's own completion, with the words counted from the command.
    expect(await zshCandidates("peak-mem -jt 1G pmfixture x ")).toEqual(["fixture-word-3"]);
    expect(await zshCandidates("peak-mem pmfixture --th")).not.toContain("--threshold");
  });
});

const fish = Bun.which("fish");
describe("fish", () => {
  test.skipIf(!fish)(fish ? "fish --no-execute accepts the script" : "fish --no-execute: skipped, fish is not installed", async () => {
    const result = await runArgv([fish!, "--no-execute", join(dir, "peak-mem.fish")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  /** fish's own `complete -C`: the candidates for a command line, as the Tab key would offer them. */
  async function fishCandidates(line: string): Promise<string[]> {
    const script = `source $argv[1]; complete -c pmfixture -f -a 'fixture-word'; complete -C $argv[2]`;
    const result = await runArgv([fish!, "--no-config", "-c", script, join(dir, "peak-mem.fish"), line], { env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return result.stdout.split("\n").filter((word) => word !== "").map((word) => word.split("\t")[0]!).sort();
  }

  test.skipIf(!fish)(fish ? "complete -C" : "complete -C: skipped, fish is not installed", async () => {
    expect(await fishCandidates("peak-mem --th")).toEqual(["--threshold"]);
    expect(await fishCandidates("peak-mem --units ")).toEqual([...UNIT_NAMES].sort());
    expect(await fishCandidates("peak-mem --completions ")).toEqual(["bash", "fish", "zsh"]);
    expect(await fishCandidates(`peak-mem -o ${files}/report-`)).toEqual([`${files}/report-a.json`, `${files}/report-b.json`]);
    expect(await fishCandidates("peak-mem -t ")).toEqual([]);
    expect(await fishCandidates("peak-mem -t1G --kill")).toEqual(["--kill-on-threshold"]);
    expect(await fishCandidates("peak-mem -t 1G pmfixture-c")).toContain("pmfixture-cmd");
    expect(await fishCandidates("peak-mem -j -- pmfixture-c")).toContain("pmfixture-cmd");
    expect(await fishCandidates("peak-mem -jt 1G pmfixture ")).toEqual(["fixture-word"]);
    expect(await fishCandidates("peak-mem pmfixture --th")).not.toContain("--threshold");
  });
});
