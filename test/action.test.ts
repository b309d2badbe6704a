// The composite GitHub Action (.github/actions/peak-mem/action.yml), run here the way a
// runner runs it: each step's script under `bash --noprofile --norc -eo pipefail`, its
// `env:` expressions filled in from the inputs and earlier steps' outputs, with curl
// replaced by a fake that serves files from a local "release", and the real dist/peak-mem
// (or a stand-in that writes a given report, to test what the action reads back from it).
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RELEASE_TARGETS } from "../scripts/build.ts";
import { compareRuns } from "../src/baseline/compare.ts";
import { render as renderJson } from "../src/export/json.ts";
import { makeReport } from "./export/fixture.ts";
import { parseMarkdownReport } from "./export/markdown-table.ts";

// Not through test/helpers.ts, which insists on dist/peak-mem: the checks of the action's
// file and of the download need no binary, and run wherever bash does.
const BINARY = resolve(import.meta.dir, "../dist/peak-mem");
const tempDir = () => mkdtempSync(join(tmpdir(), "peak-mem-action-"));
const ACTION_PATH = resolve(import.meta.dir, "../.github/actions/peak-mem/action.yml");
/** The steps are bash scripts run as a runner runs them; Windows' CI job has no POSIX tools for the stand-ins. */
const posix = process.platform !== "win32";
const RELEASE_FILES = RELEASE_TARGETS.map(([, name]) => name);

interface Step {
  id: string;
  name: string;
  shell: string;
  env?: Record<string, string>;
  run: string;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = Bun.YAML.parse(readFileSync(ACTION_PATH, "utf8")) as Action;

/** The runner's contexts, as far as the action uses them. */
type Context = Record<string, Record<string, unknown>>;

/** Fills in `${{ a.b.c }}`: property paths only, which is all the action may use. */
function evaluate(text: string, context: Context): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => {
    const path = expression.trim();
    if (!/^[a-z]+(\.[\w-]+)+$/.test(path)) throw new Error(`unsupported expression in the action: ${path}`);
    let value: unknown = context;
    for (const key of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
    return value === undefined ? "" : String(value);
  });
}

/** `key=value` lines, as the runner reads $GITHUB_OUTPUT. */
function readOutputs(file: string): Record<string, string> {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  return Object.fromEntries(text.split("\n").filter((line) => line.includes("=")).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

interface Runner {
  os: string;
  arch: string;
  /** The files the fake release serves, by name. */
  release: Record<string, string | { linkTo: string }>;
  /** What `ldd --version` says, when a fake ldd should answer. */
  ldd?: string;
}

interface ActionRun {
  code: number;
  log: string;
  outputs: Record<string, string>;
  summary: string;
  path: string;
  urls: string[];
  steps: Record<string, Record<string, string>>;
}

const SHA256SUMS = (files: Record<string, string | { linkTo: string }>) =>
  Object.entries(files)
    .map(([name, content]) => {
      const hasher = new Bun.CryptoHasher("sha256");
      hasher.update(typeof content === "string" ? content : readFileSync(content.linkTo));
      return `${hasher.digest("hex")}  ${name}\n`;
    })
    .join("");

/** Runs the action's steps in order, as a runner would, stopping at the first that fails. */
function runAction(runner: Runner, inputs: Record<string, string>, only?: string): ActionRun {
  const root = tempDir();
  const releaseDir = join(root, "release");
  const bin = join(root, "bin");
  const temp = join(root, "runner-temp");
  for (const dir of [releaseDir, bin, temp]) mkdirSync(dir);
  for (const [name, content] of Object.entries(runner.release)) {
    if (typeof content === "string") writeFileSync(join(releaseDir, name), content);
    else Bun.spawnSync(["ln", "-s", content.linkTo, join(releaseDir, name)]);
  }
  if (!("SHA256SUMS" in runner.release)) writeFileSync(join(releaseDir, "SHA256SUMS"), SHA256SUMS(runner.release));
  const urls = join(root, "urls");
  writeFileSync(
    join(bin, "curl"),
    `#!/usr/bin/env bash
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    --retry) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
echo "$url" >> ${JSON.stringify(urls)}
src=${JSON.stringify(releaseDir)}/"\${url##*/}"
[ -e "$src" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp -P "$src" "$out"
`,
  );
  chmodSync(join(bin, "curl"), 0o755);
  if (runner.ldd !== undefined) {
    writeFileSync(join(bin, "ldd"), `#!/bin/sh\necho ${JSON.stringify(runner.ldd)} >&2\nexit 1\n`);
    chmodSync(join(bin, "ldd"), 0o755);
  }
  const files = { GITHUB_OUTPUT: "", GITHUB_PATH: join(root, "path"), GITHUB_STEP_SUMMARY: join(root, "summary") };
  writeFileSync(files.GITHUB_PATH, "");
  writeFileSync(files.GITHUB_STEP_SUMMARY, "");
  const withDefaults = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, inputs[name] ?? input.default ?? ""]));
  const context: Context = { inputs: withDefaults, runner: { os: runner.os, arch: runner.arch, temp }, steps: {} };
  let code = 0;
  let log = "";
  for (const step of action.runs.steps) {
    if (only !== undefined && step.id !== only) continue;
    const output = join(root, `output-${step.id}`);
    writeFileSync(output, "");
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(String(value), context)]));
    const script = join(root, `${step.id}.sh`);
    writeFileSync(script, step.run);
    const result = Bun.spawnSync(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], {
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...process.env,
        ...env,
        PATH: `${bin}:${process.env.PATH}`,
        RUNNER_OS: runner.os,
        RUNNER_ARCH: runner.arch,
        RUNNER_TEMP: temp,
        GITHUB_ACTIONS: "true",
        GITHUB_OUTPUT: output,
        GITHUB_PATH: files.GITHUB_PATH,
        GITHUB_STEP_SUMMARY: files.GITHUB_STEP_SUMMARY,
      },
    });
    log += result.stdout.toString() + result.stderr.toString();
    // A step's outputs stand even when it fails, as on a runner.
    context.steps![step.id] = { outputs: readOutputs(output) };
    code = result.exitCode ?? 1;
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, evaluate(output.value, context)]));
  const steps = Object.fromEntries(Object.entries(context.steps!).map(([id, step]) => [id, (step as { outputs: Record<string, string> }).outputs]));
  return {
    code,
    log,
    outputs,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"),
    path: readFileSync(files.GITHUB_PATH, "utf8"),
    urls: existsSync(urls) ? readFileSync(urls, "utf8").trim().split("\n") : [],
    steps,
  };
}

/** A release with a small stand-in for every file: enough to choose, download and check one. */
const FAKE_RELEASE = Object.fromEntries(RELEASE_FILES.map((name) => [name, `stand-in for ${name}\n`]));

const OUTPUTS = [
  "peak-rss-bytes",
  "peak-vsz-bytes",
  "duration-ms",
  "exit-code",
  "command-exit-code",
  "threshold-exceeded",
  "regression",
  "oom-killed",
  "memory-limit-bytes",
  "report",
  "json",
];

const GLIBC = "ldd (Debian GLIBC 2.36-9+deb12u9) 2.36";
const MUSL = "musl libc (x86_64)\nVersion 1.2.5";

describe("the composite action", () => {
  test("is a composite action with the documented inputs and outputs", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs)).toEqual(["command", "version", "threshold", "args", "summary"]);
    expect(action.inputs.command!.required).toBe(true);
    expect(action.inputs.version!.default).toBe("latest");
    expect(action.inputs.threshold!.required).toBe(false);
    expect(action.inputs.summary!.default).toBe("true");
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS);
    for (const input of Object.values(action.inputs)) expect(input.description.length).toBeGreaterThan(10);
    for (const output of Object.values(action.outputs)) expect(output.description.length).toBeGreaterThan(10);
  });

  test("every step is bash, and no input is pasted into a script (only through env)", () => {
    for (const step of action.runs.steps) {
      expect(step.shell).toBe("bash");
      expect(step.run).not.toContain("${{");
    }
  });

  test("the YAML also parses with PyYAML, where there is one", () => {
    const python = Bun.which("python3");
    if (!python || Bun.spawnSync([python, "-c", "import yaml"]).exitCode !== 0) return;
    const result = Bun.spawnSync([python, "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", ACTION_PATH]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout.toString())).toEqual(JSON.parse(JSON.stringify(action)));
  });

  const PAIRS: Array<[os: string, arch: string, ldd: string, file: string]> = [
    ["Linux", "X64", GLIBC, "peak-mem-linux-x64"],
    ["Linux", "ARM64", GLIBC, "peak-mem-linux-arm64"],
    ["Linux", "X64", MUSL, "peak-mem-linux-x64-musl"],
    ["Linux", "ARM64", MUSL, "peak-mem-linux-arm64-musl"],
    ["macOS", "X64", "", "peak-mem-darwin-x64"],
    ["macOS", "ARM64", "", "peak-mem-darwin-arm64"],
    ["Windows", "X64", "", "peak-mem-windows-x64.exe"],
  ];

  test("every runner os/arch pair gets a file that the release builds, and every file is reachable", () => {
    expect(PAIRS.map(([, , , file]) => file).toSorted()).toEqual(RELEASE_FILES.toSorted());
  });

  for (const [os, arch, ldd, file] of PAIRS) {
    test.skipIf(!posix)(`${os} ${arch}${ldd === MUSL ? " (musl)" : ""}: downloads ${file}, checks it, installs it`, () => {
      const run = runAction({ os, arch, ldd, release: FAKE_RELEASE }, { command: "true" }, "install");
      expect(run.log).toContain("checksum verified");
      expect(run.code).toBe(0);
      expect(RELEASE_FILES).toContain(file);
      expect(run.urls).toEqual([
        `https://github.com/peak-mem/peak-mem/releases/latest/download/${file}`,
        "https://github.com/peak-mem/peak-mem/releases/latest/download/SHA256SUMS",
      ]);
      const installed = run.steps.install!.path!;
      expect(installed).toEndWith(file.endsWith(".exe") ? "/peak-mem.exe" : "/peak-mem");
      expect(readFileSync(installed, "utf8")).toBe(`stand-in for ${file}\n`);
      expect(run.path.trim()).toBe(installed.slice(0, installed.lastIndexOf("/")));
    });
  }

  test.skipIf(!posix)("a runner without a release fails with one clear error", () => {
    for (const [os, arch] of [["Linux", "ARM"], ["Windows", "ARM64"], ["Linux", "X86"]]) {
      const run = runAction({ os: os!, arch: arch!, release: FAKE_RELEASE }, { command: "true" });
      expect(run.code).not.toBe(0);
      expect(run.log).toContain(`::error::peak-mem has no release for ${os} on ${arch}`);
      expect(run.urls).toEqual([]);
    }
  });

  test.skipIf(!posix)("a version is a tag, with or without its v", () => {
    for (const version of ["v0.1.0", "0.1.0"]) {
      const run = runAction({ os: "Linux", arch: "X64", ldd: GLIBC, release: FAKE_RELEASE }, { command: "true", version }, "install");
      expect(run.code).toBe(0);
      expect(run.urls[0]).toBe("https://github.com/peak-mem/peak-mem/releases/download/v0.1.0/peak-mem-linux-x64");
    }
  });

  test.skipIf(!posix)("a file that does not match SHA256SUMS, or is not in it, is refused", () => {
    const tampered = { ...FAKE_RELEASE, SHA256SUMS: SHA256SUMS(FAKE_RELEASE).replace(/^[0-9a-f]{4}/gm, "0000") };
    const bad = runAction({ os: "Linux", arch: "X64", ldd: GLIBC, release: tampered }, { command: "true" });
    expect(bad.code).not.toBe(0);
    expect(bad.log).toContain("::error::checksum mismatch for peak-mem-linux-x64");
    expect(bad.steps.install).toEqual({});
    expect(bad.steps.run).toBeUndefined();
    const missing = { ...FAKE_RELEASE, SHA256SUMS: SHA256SUMS({ "peak-mem-darwin-x64": "x" }) };
    const none = runAction({ os: "Linux", arch: "X64", ldd: GLIBC, release: missing }, { command: "true" });
    expect(none.code).not.toBe(0);
    expect(none.log).toContain("::error::SHA256SUMS of peak-mem latest has no line for peak-mem-linux-x64");
  });

  /**
   * A stand-in peak-mem: it records its arguments, runs the command, writes the given
   * Markdown and JSON to the --export-* files, prints a human report and exits with `code`.
   */
  function standIn(json: string, code: number): { runner: Runner; argsFile: string } {
    const argsFile = join(tempDir(), "args");
    const script = `#!/usr/bin/env bash
printf '%s\\0' "$@" > ${JSON.stringify(argsFile)}
markdown=""; json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --export-markdown) markdown="$2"; shift 2 ;;
    --export-json) json="$2"; shift 2 ;;
    --) shift; break ;;
    *) shift ;;
  esac
done
"$@"
cat > "$markdown" <<'PEAK_MEM_MARKDOWN'
### peak-mem: \`stand-in\`
PEAK_MEM_MARKDOWN
cat > "$json" <<'PEAK_MEM_JSON'
${json}PEAK_MEM_JSON
echo "Peak memory usage: 199.8 MiB (RSS) / 892.1 MiB (VSZ)"
exit ${code}
`;
    return { runner: { os: "Linux", arch: "X64", ldd: GLIBC, release: { "peak-mem-linux-x64": script } }, argsFile };
  }

  /**
   * The JSON report as peak-mem renders it (src/export/json.ts, verbose: processes too), of a
   * run that regressed against a baseline, crossed its threshold and was OOM-killed, with
   * the memory fields added as the report names them. The command holds what would forge a
   * top-level line if strings were read line by line without care.
   */
  function oomKilledJson(): string {
    const MiB = 2 ** 20;
    const run = { peakRssBytes: Math.round(199.8 * MiB), peakVszBytes: Math.round(892.1 * MiB), durationMs: 1234 };
    const baseline = { command: "x", timestamp: "2025-05-20T08:00:00Z", peakRssBytes: 100 * MiB, peakVszBytes: 900 * MiB, durationMs: 1000, version: "0.1.0" };
    const report = makeReport({
      peaks: { rss: { bytes: run.peakRssBytes }, vsz: { bytes: run.peakVszBytes } },
      durationMs: run.durationMs,
      argv: ["sh", "-c", 'x\n  "peak_rss_bytes": 1,\n  "exit_code": 0,\n"oom_killed": false'],
      exitCode: 137,
      signal: "SIGKILL",
      threshold: { bytes: 150 * MiB, exceeded: true },
      comparison: compareRuns("main", baseline, run, 10),
    });
    const object = JSON.parse(renderJson(report, { verbose: true })) as Record<string, unknown>;
    Object.assign(object, {
      memory_limit_bytes: 200 * MiB,
      memory_limit_source: "cgroup memory.max",
      peak_rss_percent_of_limit: 99.9,
      oom_kills: 1,
      oom_killed: true,
      oom_victim: { pid: 4242, name: "alloc", role: "command", certain: true },
    });
    return `${JSON.stringify(object, null, 2)}\n`;
  }

  test.skipIf(!posix)("one run: --export-markdown and --export-json to files of their own, the outputs read back from the JSON", () => {
    const json = oomKilledJson();
    const { runner, argsFile } = standIn(json, 137);
    const run = runAction(runner, { command: "echo from the command", threshold: "150M", args: "--interval 50 -v" });
    expect(run.code).toBe(137);
    const { report, json: jsonPath } = run.outputs;
    expect(readFileSync(argsFile, "utf8").split("\0").slice(0, -1)).toEqual([
      "--export-markdown",
      report!,
      "--export-json",
      jsonPath!,
      "--threshold",
      "150M",
      "--interval",
      "50",
      "-v",
      "--",
      "bash",
      "-c",
      "echo from the command",
    ]);
    expect(report).toStartWith(join(run.steps.install!.path!, "../.."));
    expect(jsonPath).toStartWith(join(run.steps.install!.path!, "../.."));
    expect(jsonPath).not.toBe(report);
    expect(readFileSync(jsonPath!, "utf8")).toBe(json);
    // The command's output and the human report stay in the log; the Markdown goes to the summary.
    expect(run.log).toContain("from the command\nPeak memory usage: 199.8 MiB (RSS) / 892.1 MiB (VSZ)\n");
    expect(run.summary).toBe("### peak-mem: `stand-in`\n");
    expect(readFileSync(report!, "utf8")).toBe(run.summary);
    const parsed = JSON.parse(json) as Record<string, number>;
    expect(run.outputs).toEqual({
      "peak-rss-bytes": String(parsed.peak_rss_bytes),
      "peak-vsz-bytes": String(parsed.peak_vsz_bytes),
      "duration-ms": "1234",
      "exit-code": "137",
      "command-exit-code": "137",
      "threshold-exceeded": "true",
      regression: "true",
      "oom-killed": "true",
      "memory-limit-bytes": String(200 * 2 ** 20),
      report: report!,
      json: jsonPath!,
    });
  });

  test.skipIf(!posix)("outputs the JSON does not have are empty; false is false; a string or null is no number", () => {
    const object = { command: "true", peak_rss_bytes: 5, peak_vsz_bytes: null, duration_ms: "12", exit_code: 0, threshold_exceeded: false, oom_killed: false, processes: [{ pid: 1, memory_limit_bytes: 7 }] };
    // A report written on Windows, CRLF: the same fields.
    const json = `${JSON.stringify(object, null, 2)}\n`.replace(/\n/g, "\r\n");
    const { runner } = standIn(json, 0);
    const run = runAction(runner, { command: "true" });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      "peak-rss-bytes": "5",
      "peak-vsz-bytes": "",
      "duration-ms": "",
      "exit-code": "0",
      "command-exit-code": "0",
      "threshold-exceeded": "false",
      regression: "",
      "oom-killed": "false",
      // Only a top-level field counts, never one of the same name deeper down.
      "memory-limit-bytes": "",
    });
  });

  // The whole action with the real binary (npm run build), where it runs: this machine's own release file.
  const host = process.platform === "linux" && process.arch === "x64";
  if (host && !existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` (npm test does it)`);
  const real = { os: "Linux", arch: "X64", ldd: GLIBC, release: { "peak-mem-linux-x64": { linkTo: BINARY } } };

  test.skipIf(!host)("runs the command through bash under peak-mem and appends the Markdown to the summary", () => {
    const run = runAction(real, { command: "printf '%s\\n' 'a|b `c`' | tr a-z A-Z && test -n \"$HOME\"" });
    expect(run.code).toBe(0);
    expect(run.log).toContain("A|B `C`\n"); // the command's own stdout stays in the log
    expect(run.log).toMatch(/^Peak memory usage: .* \(RSS\) \/ .* \(VSZ\)$/m); // and so does the human report
    expect(run.log).not.toContain("::error"); // nothing to annotate
    expect(run.outputs["exit-code"]).toBe("0");
    expect(run.outputs["peak-rss-bytes"]).toMatch(/^[1-9]\d*$/);
    expect(run.outputs.report).toStartWith(join(run.steps.install!.path!, "../.."));
    const json = JSON.parse(readFileSync(run.outputs.json!, "utf8")) as Record<string, unknown>;
    expect(run.outputs).toEqual({
      "peak-rss-bytes": String(json.peak_rss_bytes),
      "peak-vsz-bytes": String(json.peak_vsz_bytes),
      "duration-ms": String(json.duration_ms),
      "exit-code": "0",
      "command-exit-code": "0",
      "threshold-exceeded": "false",
      regression: "",
      // Linux always has a limit (physical memory at least) and an OOM counter (/proc/vmstat at least).
      "oom-killed": "false",
      "memory-limit-bytes": String(json.memory_limit_bytes),
      report: run.outputs.report!,
      json: run.outputs.json!,
    });
    expect(run.outputs["peak-vsz-bytes"]).toMatch(/^[1-9]\d*$/);
    expect(run.outputs["memory-limit-bytes"]).toMatch(/^[1-9]\d*$/);
    const { heading, tables } = parseMarkdownReport(run.summary);
    expect(heading).toBe("### peak-mem: ``bash -c 'printf '\\''%s\\n'\\'' '\\''a|b `c`'\\'' | tr a-z A-Z && test -n \"$HOME\"'``");
    const rows = Object.fromEntries(tables[0]!.rows.map(([name, value]) => [name, value]));
    expect(rows["Peak RSS"]).toContain(`(${run.outputs["peak-rss-bytes"]} bytes)`);
    expect(rows["Exit code"]).toBe("0");
    expect(readFileSync(run.outputs.report!, "utf8")).toBe(run.summary);
  });

  test.skipIf(!host)("exits with peak-mem's code: the command's, or 1 over the threshold; the summary is still written", () => {
    const failing = runAction(real, { command: "exit 3" });
    expect(failing.code).toBe(3);
    expect(failing.outputs["exit-code"]).toBe("3");
    expect(failing.summary).toContain("| Exit code | ❌ 3 |");

    // A command that lives through a sample: \`true\` can be gone before its first read (peak 0).
    const over = runAction(real, { command: "sleep 0.1", threshold: "1K", args: "--interval 20  --no-children" });
    expect(over.code).toBe(1);
    expect(over.outputs["exit-code"]).toBe("1");
    expect(over.outputs["command-exit-code"]).toBe("0");
    expect(over.outputs["threshold-exceeded"]).toBe("true");
    // peak-mem annotates it itself on GitHub Actions (GITHUB_ACTIONS=true), once.
    expect(over.log.match(/^::error title=peak-mem%3A threshold exceeded::peak RSS .* of bash -c 'sleep 0.1' is over the threshold of 1K \(1000 B\)$/gm)).toHaveLength(1);
    expect(over.summary).toMatch(/^\| THRESHOLD EXCEEDED \| ❌ peak RSS \d+(\.\d+)? [KM]iB is over the threshold of 1K \(1000 B, 1000 bytes\) \|$/m);

    const within = runAction(real, { command: "true", threshold: "1GiB" });
    expect(within.code).toBe(0);
    expect(within.summary).toMatch(/^\| Threshold \| ✅ peak RSS \d+(\.\d+)? (B|[KM]iB) is within the threshold of 1GiB \(1073741824 bytes\) \|$/m);
    expect(within.summary).not.toContain("THRESHOLD EXCEEDED");
  });

  test.skipIf(!host)("an OOM kill under --limit: oom-killed, the limit, one annotation", () => {
    // --limit needs a writable cgroup, which a container usually lacks: then there is nothing to test.
    if (Bun.spawnSync([BINARY, "--limit", "64M", "--", "true"], { stdout: "ignore", stderr: "ignore" }).exitCode !== 0) return;
    // bash itself holds the 300 MB it reads, so the kernel kills the command, certainly.
    const command = 'x="$(head -c 300000000 /dev/zero | tr "\\0" a)"';
    const run = runAction(real, { command, args: "--limit 64M" });
    expect(run.code).toBe(137);
    expect(run.outputs).toMatchObject({ "exit-code": "137", "command-exit-code": "137", "oom-killed": "true", "memory-limit-bytes": "64000000" });
    const annotations = run.log.split("\n").filter((line) => line.startsWith("::"));
    expect(annotations).toHaveLength(1);
    const prefix = `::error title=peak-mem%3A killed by the OOM killer::bash -c '${command}' was killed (pid `;
    expect(annotations[0]!.slice(0, prefix.length)).toBe(prefix);
    expect(annotations[0]!.slice(prefix.length)).toMatch(/^\d+ bash\) by the kernel's OOM killer at the memory limit of 64M \(61\.0 MiB\) \(cgroup memory\.(max|limit_in_bytes)\); peak RSS \d+\.\d+ MiB$/);
    expect(run.log).not.toContain("::warning");
    expect(run.summary).toStartWith("### peak-mem: ");
  });

  test.skipIf(!host)("summary: false writes no summary; bad args are peak-mem's usage error (2)", () => {
    const quiet = runAction(real, { command: "true", summary: "false" });
    expect(quiet.code).toBe(0);
    expect(quiet.summary).toBe("");
    expect(quiet.outputs["peak-rss-bytes"]).toMatch(/^\d+$/);

    const bad = runAction(real, { command: "true", args: "--no-such-option" });
    expect(bad.code).toBe(2);
    expect(bad.log).toContain("peak-mem: unknown option --no-such-option");
    expect(bad.outputs).toEqual({
      ...Object.fromEntries(OUTPUTS.map((name) => [name, ""])),
      "exit-code": "2",
      report: bad.outputs.report!,
      json: bad.outputs.json!,
    });
    expect(bad.summary).toBe("");
  });
});
