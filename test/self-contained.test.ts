import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

// The project stands alone: its comments, tests, scripts and documentation give their reasons
// in their own words and never send a reader to a document that is not in the repository (the
// notes and the original description the first versions were written from). A rule the code
// follows is stated where it is followed: the kernel fact, the measured figure, the format.
// The original report's fields are called that ("the original four lines"), not by a name
// only those notes explain.

const ROOT = resolve(import.meta.dir, "..");

// The words this file looks for are put together from parts, so that it names no outside
// document itself and can check itself like any other file.
const NOTES = ["GUI", "DE"].join("");
const DESIGN = ["DES", "IGN"].join("");
const SHARED = ["sha", "red"].join("");
const SEED = ["se", "ed"].join("");

/** What is walked, from the repository's root; a path that does not exist is skipped. */
const WALKED = ["src", "test", "scripts", "npm", "docs", ".ci", ".github", "README.md", "peak-mem.1"];
/** Never walked: installed and built files, and the golden outputs (peak-mem's own output). */
const SKIPPED_NAMES = new Set(["node_modules", "dist", ".git"]);
const SKIPPED_PATHS = new Set(["test/golden/files"]);

/** A reference to an outside document, with the words a failure prints. */
const RULES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: new RegExp(`\\b${NOTES}\\b`), what: "cites the guide (by section)" },
  { pattern: new RegExp(`\\b(${NOTES}|${DESIGN})\\.md\\b`, "i"), what: "names an outside notes file" },
  { pattern: new RegExp(`\\b${DESIGN}\\b\\s*(§|$)`), what: "cites the design notes" },
  { pattern: new RegExp(`\\.\\./${SHARED}\\b|/work/${SHARED}\\b|\\b${SHARED}/(${SEED}|${NOTES}|${DESIGN})\\b`), what: "points outside the repository" },
  {
    // The word for the original description; a random generator's is another word.
    pattern: new RegExp(`\\bthe ${SEED}\\b(?!\\s+(value|number|for|of the|to)\\b)|\\b${SEED}'s\\b|\\b${SEED}\\s+(fields?|keys?|columns?|lines?|format|options?|header)\\b`, "i"),
    what: "calls the original description by the notes' name for it",
  },
];
/** A line about random numbers may say "seed" in its own sense. */
const RANDOM = /\b(random|prng|rng|lcg|shuffle)\b/i;

/** The rule a line breaks, or undefined. */
export function outsideReference(line: string): string | undefined {
  for (const { pattern, what } of RULES) {
    if (!pattern.test(line)) continue;
    if (what.startsWith("calls the original") && RANDOM.test(line)) continue;
    return what;
  }
  return undefined;
}

function* files(path: string): Generator<string> {
  const rel = relative(ROOT, path).split("\\").join("/");
  if (SKIPPED_PATHS.has(rel)) return;
  const stats = statSync(path);
  if (stats.isFile()) {
    yield path;
    return;
  }
  if (!stats.isDirectory()) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (SKIPPED_NAMES.has(entry.name)) continue;
    if (entry.isDirectory() || entry.isFile()) yield* files(join(path, entry.name));
  }
}

describe("the project stands alone", () => {
  test("the rule: what it catches and what it leaves alone", () => {
    for (const line of [
      `// The ${SEED}'s four lines, then a threshold line`,
      `// Exact peaks (${NOTES} §2), each on the compiled binary`,
      `// in for the spawn helper (ru_maxrss then says nothing below peak-mem's own size, ${NOTES}`,
      `/** RFC 3339 in UTC, to the second, as the ${SEED} shows it. */`,
      `test("CSV is the ${SEED} header and one row", () => {`,
      `// see ../${SHARED}/${DESIGN}.md`,
      `// from /work/${SHARED}/${SEED}/peak-mem.md`,
    ]) {
      expect([line, outsideReference(line)]).not.toEqual([line, undefined]);
    }
    for (const line of [
      `      let ${SEED} = interval;`,
      `        ${SEED} = (${SEED} * 1103515245 + 12345) % 2147483648;`,
      `        return (${SEED} / 2147483648) * 3; // 0–3 ms spent sampling`,
      `// the ${SEED} for the random interval, so a failure can be replayed`,
      "// The original report's four lines (command, peak, exit code, duration), which never change",
      "// Pages shared between processes are counted once per process (a guide to reading it).",
      "const shared = mkdtempSync(join(tmpdir(), \"peak-mem-nobody-\"));",
    ]) {
      expect([line, outsideReference(line)]).toEqual([line, undefined]);
    }
  });

  test("no comment, test, script or document cites a file outside the repository", () => {
    const found: string[] = [];
    for (const start of WALKED) {
      const path = join(ROOT, start);
      if (!existsSync(path)) continue;
      for (const file of files(path)) {
        const text = readFileSync(file, "utf8");
        if (text.includes("\0")) continue; // a binary fixture
        text.split("\n").forEach((line, index) => {
          const what = outsideReference(line);
          if (what) found.push(`${relative(ROOT, file)}:${index + 1}: ${what}: ${line.trim()}`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});
