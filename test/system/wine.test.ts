// peak-mem.exe, Bun's Windows build, end to end under Wine: the Windows reader (kernel32
// through bun:ffi), exit codes and usage errors, on a real Windows process tree.
//
// Needs Wine and a prefix made by test/system/wine/setup.sh (which .ci/run calls). Without wine
// the file is skipped with a message, except under CI, where a missing wine fails.
// dist/peak-mem-windows-x64.exe is built here when missing or older than the sources.
// Wine's output always goes to files, stdin is /dev/null, and wineserver is stopped at the
// end: a pipe on wine's output can stay open until wineserver exits.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const EXE = join(ROOT, "dist/peak-mem-windows-x64.exe");
const PREFIX = process.env.PEAK_MEM_WINEPREFIX ?? `/tmp/peak-mem-wine-${process.getuid?.() ?? 0}`;
const WINE = Bun.which("wine");
const IN_CI = Boolean(process.env.CI);
const MiB = 1024 * 1024;
/** Wine starts slowly, the first time after boot most of all. */
const TIMEOUT = 180_000;

const WINE_ENV = {
  ...process.env,
  WINEPREFIX: PREFIX,
  WINEDEBUG: "-all",
  WINEDLLOVERRIDES: "mscoree,mshtml=",
};

if (!WINE && !IN_CI) {
  console.warn("test/system/wine.test.ts: skipped, wine is not installed (bash test/system/wine/setup.sh installs it, as root)");
}

test.skipIf(Boolean(WINE) || !IN_CI)("under CI, wine is there (test/system/wine/setup.sh installs it)", () => {
  throw new Error("wine is not installed: .ci/run must run `bash test/system/wine/setup.sh` before the tests");
});

/** A Linux path as Wine's Windows programs see it (drive Z: is /). */
function windowsPath(path: string): string {
  return `Z:${path.replaceAll("/", "\\")}`;
}

/** Scratch files: under /tmp, not TMPDIR, as a Windows path with spaces would need quoting through cmd. */
let work = "";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let runs = 0;

/** Runs a Windows program under Wine, its output in files. */
async function wine(program: string, args: string[]): Promise<Result> {
  const run = ++runs;
  const stdoutPath = join(work, `run-${run}.stdout`);
  const stderrPath = join(work, `run-${run}.stderr`);
  const child = Bun.spawn([WINE as string, program, ...args], {
    stdin: "ignore",
    stdout: Bun.file(stdoutPath),
    stderr: Bun.file(stderrPath),
    env: WINE_ENV,
    cwd: work,
  });
  const code = await child.exited;
  const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");
  return { code, stdout: read(stdoutPath), stderr: read(stderrPath) };
}

const peakMem = (args: string[]) => wine(EXE, args);

/** With --json: the report is the last thing on stdout, from a line that is just "{". */
async function peakMemJson(args: string[]): Promise<Result & { report: Record<string, unknown> }> {
  const result = await peakMem(["--json", ...args]);
  const start = result.stdout.startsWith("{\n") ? 0 : result.stdout.lastIndexOf("\n{\n") + 1;
  if (start < 0 || result.stdout[start] !== "{") throw new Error(`no JSON report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return { ...result, report: JSON.parse(result.stdout.slice(start)) };
}

/** A batch file in the work directory (CRLF, as cmd likes), by its Windows path. */
function batch(name: string, lines: string[]): string {
  const path = join(work, name);
  writeFileSync(path, `${["@echo off", ...lines].join("\r\n")}\r\n`);
  return windowsPath(path);
}

/**
 * A batch file `name` that runs peak-mem.exe itself as Bun (BUN_BE_BUN), allocating and
 * touching 64 MiB for 1.5 s: the program of a tree on Windows.
 */
function allocatingBatch(name: string): string {
  writeFileSync(join(work, "alloc.js"), "const b = Buffer.alloc(64 * 1048576, 1); await Bun.sleep(1500); if (b[0] !== 1) process.exit(9);\n");
  return batch(name, ["set BUN_BE_BUN=1", `"${windowsPath(EXE)}" "${windowsPath(join(work, "alloc.js"))}"`]);
}

/** The newest modification time under the sources the binary is built from. */
function newestSource(): number {
  let newest = statSync(join(ROOT, "package.json")).mtimeMs;
  for (const entry of readdirSync(join(ROOT, "src"), { recursive: true }) as string[]) {
    newest = Math.max(newest, statSync(join(ROOT, "src", entry)).mtimeMs);
  }
  return newest;
}

function spawnChecked(argv: string[], what: string): void {
  const result = Bun.spawnSync(argv, { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${what} failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
}

describe.skipIf(!WINE)("peak-mem.exe under Wine", () => {
  beforeAll(() => {
    work = mkdtempSync("/tmp/peak-mem-wine-e2e-");
    // Makes the prefix and the ProcessPrng stub if needed; installs nothing.
    spawnChecked(["bash", join(ROOT, "test/system/wine/setup.sh"), "--no-install"], "test/system/wine/setup.sh --no-install");
    if (!existsSync(EXE) || statSync(EXE).mtimeMs < newestSource()) {
      spawnChecked([process.execPath, "run", "scripts/build.ts", "--target", "bun-windows-x64", "--outfile", EXE], `building ${EXE}`);
    }
  }, 600_000);

  afterAll(() => {
    Bun.spawnSync(["wineserver", "-k"], { env: WINE_ENV, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    Bun.spawnSync(["wineserver", "-w"], { env: WINE_ENV, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test(
    "--json -- cmd /c exit 3: exits 3 with a positive peak",
    async () => {
      const { code, report, stderr } = await peakMemJson(["--", "cmd", "/c", "exit 3"]);
      expect(stderr).toBe("");
      expect(code).toBe(3);
      expect(report.exit_code).toBe(3);
      expect(report.command).toContain("exit 3");
      expect(report.peak_rss_bytes as number).toBeGreaterThan(0);
      expect(report.peak_vsz_bytes as number).toBeGreaterThan(0);
      expect(report.processes_seen as number).toBeGreaterThanOrEqual(1);
      expect(report.platform).toBe("win32-x64");
      expect(report.signal).toBeUndefined();
      // GlobalMemoryStatusEx through kernel32; Wine keeps no job memory limits, so no job one.
      expect(report.memory_limit_source).toBe("physical memory, GlobalMemoryStatusEx");
      expect(report.memory_limit_bytes as number).toBeGreaterThan(0);
      // The tree by program, sampled: Windows has no process events.
      expect(report.program_counts).toBe("sampled");
      expect((report.programs as { name: string }[]).length).toBeGreaterThanOrEqual(1);
    },
    TIMEOUT,
  );

  test(
    "a tree (cmd starting cmd starting a program) is found and summed",
    async () => {
      const tree = allocatingBatch("tree.cmd");
      const command = ["--", "cmd", "/c", "cmd", "/c", tree];

      const { code, report } = await peakMemJson(["--verbose", ...command]);
      expect(code).toBe(0);
      expect(report.processes_seen as number).toBeGreaterThanOrEqual(3);
      const processes = report.processes as { pid: number; ppid: number; name: string; depth: number; peak_rss_bytes: number }[];
      expect(processes.map((p) => p.name.toLowerCase())).toEqual(["cmd.exe", "cmd.exe", "peak-mem-windows-x64.exe"]);
      expect(processes.map((p) => p.depth)).toEqual([0, 1, 2]);
      expect(processes[1]?.ppid).toBe(processes[0]?.pid as number);
      expect(processes[2]?.ppid).toBe(processes[1]?.pid as number);
      const largest = Math.max(...processes.map((p) => p.peak_rss_bytes));
      expect(largest).toBeGreaterThan(64 * MiB);
      // The sum over the tree is at least its largest member, and more than the root alone.
      expect(report.peak_rss_bytes as number).toBeGreaterThanOrEqual(largest);
      const alone = await peakMemJson(["--no-children", ...command]);
      expect(alone.code).toBe(0);
      expect(alone.report.processes_seen).toBe(1);
      expect(report.peak_rss_bytes as number).toBeGreaterThan((alone.report.peak_rss_bytes as number) + 64 * MiB);
    },
    TIMEOUT,
  );

  test(
    "--pss on Windows: private bytes, named so, at least the 64 MiB the program committed",
    async () => {
      const tree = allocatingBatch("pss.cmd");
      const { code, report } = await peakMemJson(["--pss", "--", "cmd", "/c", tree]);
      expect(code).toBe(0);
      const sampling = report.pss_sampling as Record<string, unknown>;
      expect(sampling.source).toBe("private bytes");
      expect(sampling.readings as number).toBeGreaterThanOrEqual(1);
      expect(report.peak_pss_bytes as number).toBeGreaterThan(64 * MiB);
      expect(report.uss_at_pss_peak_bytes).toBe(report.peak_pss_bytes);
    },
    TIMEOUT,
  );

  test(
    "a bad option: exit 2, one line on stderr, nothing run",
    async () => {
      const { code, stdout, stderr } = await peakMem(["--no-such-option", "--", "cmd", "/c", "echo ran"]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/^peak-mem: [^\n]*--no-such-option[^\n]*\n$/);
    },
    TIMEOUT,
  );

  test(
    "a command that is not found: exit 127, one line",
    async () => {
      const { code, stdout, stderr } = await peakMem(["--", "no-such-program-peak-mem"]);
      expect(code).toBe(127);
      expect(stdout).toBe("");
      expect(stderr).toBe("peak-mem: command not found: no-such-program-peak-mem\n");
    },
    TIMEOUT,
  );

  test(
    "--quiet prints the peak in bytes and passes the code on",
    async () => {
      const { code, stdout } = await peakMem(["--quiet", "--", "cmd", "/c", "exit 0"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^[1-9]\d*\n$/);
    },
    TIMEOUT,
  );

  test(
    "exit codes past 255 pass through whole, as cmd's %ERRORLEVEL% shows",
    async () => {
      // Wine hands Linux only the low 8 bits of a Windows exit code: cmd reads all 32.
      const exe = windowsPath(EXE);
      for (const status of [300, -1073741819]) {
        const check = batch(`exit-${status}.cmd`, [`"${exe}" --json -- cmd /c exit ${status}`, "echo ERRORLEVEL=%ERRORLEVEL%"]);
        const { stdout } = await wine("cmd", ["/c", check]);
        expect(stdout).toContain(`"exit_code": ${status},`);
        expect(stdout).toContain(`ERRORLEVEL=${status}`);
      }
    },
    TIMEOUT,
  );
});
