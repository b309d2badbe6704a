// The man page (peak-mem.1 at the top of the repository) against the compiled binary's
// --help: every option listed there has its own .TP entry under OPTIONS. The list is read
// from --help when the test runs, so an option added later fails here until it is documented.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };

const PAGE = resolve(import.meta.dir, "../peak-mem.1");
// The compiled binary, as `npm run build` names it (CI's Windows job builds dist/peak-mem.exe).
const BINARY = ["../dist/peak-mem", "../dist/peak-mem.exe"].map((path) => resolve(import.meta.dir, path)).find((path) => existsSync(path));
if (BINARY === undefined) throw new Error("dist/peak-mem is missing: run `npm run build` (npm test does it)");
// A Windows checkout may have turned its line ends into CRLF.
const source = readFileSync(PAGE, "utf8").replaceAll("\r\n", "\n");

/** Roff text with escapes undone where they matter here: \- is a hyphen, font changes go. */
const plain = (roff: string) => roff.replace(/\\-/g, "-").replace(/\\f[BIRP]/g, "").replace(/\\&/g, "");

/** Each option line of --help, as its flags: ["-j", "--json"], ["--no-children"]. */
async function helpFlags(): Promise<string[][]> {
  const child = Bun.spawn([BINARY!, "--help"], { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  expect(code).toBe(0);
  const section = stdout.split(/^Options:\n/m)[1]?.split("\n\n")[0] ?? "";
  return section.split("\n").flatMap((line) => {
    const flags = /^\s+((?:-[A-Za-z], )?--[a-z][\w-]*)(?:\s|$)/.exec(line)?.[1];
    return flags ? [flags.split(", ")] : [];
  });
}

/** The first line after each .TP in the OPTIONS section, escapes undone. */
function optionTags(): string[] {
  const lines = source.split("\n");
  const start = lines.indexOf(".SH OPTIONS");
  const end = lines.findIndex((line, i) => i > start && line.startsWith(".SH "));
  expect(start).toBeGreaterThan(0);
  const section = lines.slice(start, end);
  return section.flatMap((line, i) => (line.startsWith(".TP") && section[i + 1] !== undefined ? [plain(section[i + 1]!)] : []));
}

describe("man page", () => {
  test("starts with .TH PEAK-MEM 1 and carries package.json's version", () => {
    expect(source).toStartWith(".TH PEAK-MEM 1 ");
    const th = source.split("\n")[0]!;
    expect(th).toMatch(/^\.TH PEAK-MEM 1 \d{4}-\d\d-\d\d "peak-mem (\S+)" "User Commands"$/);
    expect(th).toContain(`"peak-mem ${pkg.version}"`);
    for (const section of ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "OUTPUT", "EXIT STATUS", "SIGNALS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"]) {
      expect(source).toContain(`\n.SH ${section}\n`);
    }
    for (const variable of ["NO_COLOR", "FORCE_COLOR", "XDG_CACHE_HOME"]) expect(source).toContain(`\n.B ${variable}\n`);
    expect(source).toMatch(/\.BR time \(1\)/);
    // ASCII only: troff reads bytes, and a UTF-8 "…" is an invalid character to it.
    expect(source.split("\n").filter((line) => /[^\x00-\x7f]/.test(line))).toEqual([]);
  });

  test("every option that --help lists has a .TP entry with all its flags", async () => {
    const flags = await helpFlags();
    // The parse of --help found the options it must (a guard against a parse that finds nothing).
    expect(flags.length).toBeGreaterThanOrEqual(15);
    expect(flags).toContainEqual(["-j", "--json"]);
    expect(flags).toContainEqual(["--no-children"]);
    expect(flags).toContainEqual(["-t", "--threshold"]);
    const tags = optionTags();
    const missing = flags.filter((option) => {
      const word = (flag: string) => new RegExp(`(^|[\\s",])${flag}($|[\\s",=])`);
      return !tags.some((tag) => option.every((flag) => word(flag).test(tag)));
    });
    expect(missing).toEqual([]);
  });

  test("no option is written with a bare hyphen (roff wants \\-)", () => {
    const text = source.split("\n").filter((line) => !line.startsWith(".\\\""));
    const bare = text.filter((line) => /(^|[\s"(])--?[a-z]/.test(line.replace(/^\.[A-Z]+ /, " ")));
    expect(bare).toEqual([]);
  });

  const renderer = ["groff", "mandoc"].find((name) => Bun.which(name) !== null);
  test.skipIf(renderer === undefined)(`${renderer ?? "groff or mandoc (neither is installed)"} renders it without a warning`, () => {
    const args = renderer === "groff" ? ["groff", "-man", "-Tutf8", "-ww", "-z", PAGE] : ["mandoc", "-T", "lint", "-W", "warning", PAGE];
    const result = Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe", env: { ...process.env, LC_ALL: "C.UTF-8" } });
    const output = `${result.stdout.toString()}${result.stderr.toString()}`;
    expect(output).toBe("");
    expect(result.exitCode).toBe(0);
  });
});
