// More than one output from one run (--export-json, --export-csv, --export-markdown beside
// the main report) and the memory pressure (PSI) in the report, on the compiled binary. Any
// user runs these; the memory limits and OOM kills, which need root for their cgroups, are in
// test/system/memory-limit.test.ts.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../export/csv-reader.ts";
import { parseMarkdownReport } from "../export/markdown-table.ts";
import { BINARY, runArgv, tempDir } from "../helpers.ts";

const dir = tempDir();

const ownLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("peak-mem:"));
const noGitHub = { GITHUB_ACTIONS: undefined };

describe("exports: more than one output from one run", () => {
  test("--export-json, --export-csv, --export-markdown all parse; the main report is unchanged", async () => {
    const files = { json: join(dir, "r.json"), csv: join(dir, "r.csv"), md: join(dir, "r.md") };
    const command = ["sh", "-c", "exit 3"];
    const plain = await runArgv([BINARY, "--", ...command], { env: noGitHub });
    const exported = await runArgv([BINARY, "--export-json", files.json, "--export-csv", files.csv, "--export-markdown", files.md, "--", ...command], { env: noGitHub });
    expect(exported.code).toBe(3);
    expect(exported.stderr).toBe("");
    const labels = (text: string) => text.split("\n").map((line) => line.split(":")[0]);
    expect(labels(exported.stdout)).toEqual(labels(plain.stdout));
    const json = JSON.parse(readFileSync(files.json, "utf8"));
    expect(json).toMatchObject({ command: "sh -c 'exit 3'", exit_code: 3 });
    expect(json.memory_limit_bytes).toBeGreaterThan(0);
    const [header, row] = parseCsv(readFileSync(files.csv, "utf8"));
    expect(header?.slice(0, 7)).toEqual(["command", "peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code", "threshold_exceeded", "timestamp"]);
    expect(header).toContain("memory_limit_bytes");
    expect(row?.[4]).toBe("3");
    const markdown = parseMarkdownReport(readFileSync(files.md, "utf8"));
    expect(markdown.heading).toContain("exit 3");
  });

  test("an export that cannot be opened is bad usage before anything runs; one that fails later is a warning", async () => {
    const marker = join(dir, "export-ran");
    const refused = await runArgv([BINARY, "--export-json", join(dir, "missing", "r.json"), "--", "touch", marker]);
    expect(refused.code).toBe(2);
    expect(ownLines(refused.stderr)).toEqual([expect.stringContaining("--export-json")]);
    expect(existsSync(marker)).toBe(false);
    const full = await runArgv([BINARY, "--export-markdown", "/dev/full", "--", "sh", "-c", "exit 0"], { env: noGitHub });
    expect(full.code).toBe(0);
    expect(full.stdout).toContain("Exit code: 0");
    expect(ownLines(full.stderr)).toEqual([expect.stringMatching(/^peak-mem: warning: cannot write --export-markdown '\/dev\/full' \(no space left on device\)/)]);
  });

  test("an export and another output in one file are refused", async () => {
    const file = join(dir, "same-export.json");
    const result = await runArgv([BINARY, "-o", file, "--export-json", file, "--", "true"]);
    expect(result.code).toBe(2);
    expect(ownLines(result.stderr)).toEqual([expect.stringContaining("is the same file as")]);
  });
});

describe.skipIf(!existsSync("/proc/pressure/memory"))("memory pressure (PSI)", () => {
  test("the system's PSI is read: JSON says where from", async () => {
    const { stdout } = await runArgv([BINARY, "--json", "--", "sh", "-c", "sleep 0.2"], { env: noGitHub });
    const report = JSON.parse(stdout);
    expect(report.memory_pressure).toMatchObject({ scope: expect.stringMatching(/^(cgroup|system)$/) });
    expect(report.memory_pressure.some_stall_ms).toBeGreaterThanOrEqual(0);
  });
});
