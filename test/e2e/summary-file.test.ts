// A job summary is one file that several steps write into: --export-markdown adds to it and
// never takes away what was there; JSON and CSV exports replace their file, like -o.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { peakMem, tempDir } from "../helpers.ts";

const dir = tempDir();

test.each([
  ["EXISTING\n", "EXISTING\n\n"],
  ["EXISTING", "EXISTING\n\n"],
  ["EXISTING\n\n", "EXISTING\n\n"],
])("a summary with earlier content (%j) keeps it; the report follows after a blank line", async (before, kept) => {
  const summary = join(dir, "summary.md");
  writeFileSync(summary, before);
  const { code } = await peakMem(["-q", "--export-markdown", summary, "--", "true"]);
  expect(code).toBe(0);
  const text = readFileSync(summary, "utf8");
  expect(text.startsWith(`${kept}### peak-mem: \`true\`\n`)).toBe(true);
});

test("two runs into one summary keep both, and a series adds its own", async () => {
  const summary = join(dir, "two.md");
  expect((await peakMem(["-q", "--export-markdown", summary, "--", "true"])).code).toBe(0);
  expect((await peakMem(["-q", "--export-markdown", summary, "--", "sh", "-c", "exit 3"])).code).toBe(3);
  expect((await peakMem(["-q", "--runs", "2", "--export-markdown", summary, "--", "true"])).code).toBe(0);
  const text = readFileSync(summary, "utf8");
  expect(text.startsWith("### peak-mem: `true`\n")).toBe(true); // a new file: no blank line first
  expect(text.match(/^### peak-mem: /gm)?.length).toBe(3);
  expect(text).toContain("### peak-mem: `sh -c 'exit 3'`");
  expect(text).toMatch(/^\| Exit code \| ❌ 3 \|$/m);
  expect(text).not.toContain("\n\n\n"); // one blank line between reports
});

test("JSON and CSV exports replace their file", async () => {
  const json = join(dir, "report.json");
  const csv = join(dir, "report.csv");
  writeFileSync(json, "OLD");
  writeFileSync(csv, "OLD");
  expect((await peakMem(["-q", "--export-json", json, "--export-csv", csv, "--", "true"])).code).toBe(0);
  expect(JSON.parse(readFileSync(json, "utf8")).exit_code).toBe(0);
  expect(readFileSync(csv, "utf8").startsWith("command,peak_rss_bytes,")).toBe(true);
});

test("a summary that cannot be opened is refused before anything runs, and is not created", async () => {
  const marker = join(dir, "ran");
  const { code, stderr } = await peakMem(["--export-markdown", join(dir, "no/such/dir/s.md"), "--", "touch", marker]);
  expect(code).toBe(2);
  expect(stderr).toMatch(/^peak-mem: cannot write --export-markdown file '[^']+': [^\n]+\n$/);
  expect(() => readFileSync(marker)).toThrow();
});
