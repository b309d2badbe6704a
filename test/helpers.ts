// Shared by the end-to-end tests: the compiled binary, real workloads, and a runner.
import { chmodSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const BINARY = resolve(import.meta.dir, "../dist/peak-mem");
/** The Bun running the tests: workloads are Bun one-liners, as portable as Bun is. */
export const BUN = process.execPath;
export const MiB = 1024 * 1024;

if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` (npm test does it)`);

/**
 * Reads `reader` until what was read (after `before`) contains `text`, or the stream ends; all of
 * it is returned. For a test that waits for a line before it signals the process; without
 * `text`, to the end.
 */
export async function readUntil(reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> }, text?: string, before = ""): Promise<string> {
  const decoder = new TextDecoder();
  let read = before;
  while (text === undefined || !read.includes(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    read += decoder.decode(value, { stream: true });
  }
  return read;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function peakMem(args: string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Result> {
  const child = Bun.spawn([BINARY, ...args], {
    stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

/** Runs any argv (a wrapper such as prlimit or setpriv around the binary) and collects its output. */
export async function runArgv(argv: string[], options: { env?: Record<string, string | undefined>; stdin?: "ignore" | "inherit" } = {}): Promise<Result> {
  const child = Bun.spawn(argv, { stdin: options.stdin ?? "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...options.env } });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** Runs with --json and parses the report (the JSON object is the end of stdout). */
export async function peakMemJson(args: string[]): Promise<Result & { report: Record<string, unknown> }> {
  const result = await peakMem(["--json", ...args]);
  const start = result.stdout.lastIndexOf("\n{\n");
  return { ...result, report: JSON.parse(result.stdout.slice(start + 1)) };
}

/** A Bun one-liner that allocates and touches `mib` MiB, holds it `holdMs`, then exits. */
export function allocate(mib: number, holdMs: number): string[] {
  return [BUN, "-e", `const b = Buffer.alloc(${mib} * 1048576, 1); await Bun.sleep(${holdMs}); if (b[0] !== 1) process.exit(9)`];
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "peak-mem-e2e-"));
}

/** The system's C compiler, for the C workloads of test/fixtures/c (absent: those tests skip). */
export const CC = Bun.which("cc") ?? Bun.which("gcc") ?? undefined;
const builtFixtures = new Set<string>();

/** test/fixtures/c/NAME.c compiled once per test process into `dir`, as `as` (default NAME), with `flags`. */
export async function cFixture(name: string, dir: string, options: { flags?: string[]; as?: string } = {}): Promise<string> {
  const out = join(dir, options.as ?? name);
  if (builtFixtures.has(out)) return out;
  if (!CC) throw new Error("no C compiler (cc)");
  const result = await runArgv([CC, "-O2", ...(options.flags ?? []), "-o", out, join(import.meta.dir, "fixtures/c", `${name}.c`)]);
  if (result.code !== 0) throw new Error(`cc ${name}.c failed: ${result.stderr}`);
  builtFixtures.add(out);
  return out;
}

/** GNU time, where it is installed (.ci/run installs it). */
export const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/**
 * GNU time's figure for the same command, in bytes: ru_maxrss of what it reaped, the smallest of
 * 5. Part of any RSS is file pages (libc, the program) mapped around a fault, as many as the page
 * cache holds then: the same process reads a few hundred KiB apart from run to run (a run 3.4% under
 * the median was seen in CI), so the reference is what GNU time itself can report, not its middle.
 */
export async function gnuTimeBytes(argv: string[]): Promise<number> {
  const figures: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { stderr, code } = await runArgv([GNU_TIME as string, "-f", "%M", ...argv]);
    if (code !== 0) throw new Error(`time ${argv.join(" ")} exited ${code}`);
    figures.push(Number(stderr.trim().split("\n").at(-1)) * 1024);
  }
  return Math.min(...figures);
}

/**
 * Whether this machine lets a process hear the kernel's process events with exit statistics
 * (root, in the initial pid namespace, which a container's own /proc cannot tell: the kernel's
 * silence does). Asked the way peak-mem asks, then closed again; loaded only on Linux.
 */
export async function eventsHeard(): Promise<boolean> {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  const { openProcessEvents } = await import("../src/platform/linux/proc-events.ts");
  const source = openProcessEvents();
  source?.close();
  return source?.taskStats ?? false;
}

/** The binary with no HOME or XDG_CACHE_HOME at all (unless given in `env`), maybe as another user (setpriv, root only). */
export async function peakMemBare(args: string[], env: Record<string, string> = {}, user?: number): Promise<Result> {
  const { HOME: _home, XDG_CACHE_HOME: _cache, ...rest } = process.env;
  const setpriv = user === undefined ? [] : ["/usr/bin/setpriv", `--reuid=${user}`, `--regid=${user}`, "--clear-groups"];
  const child = Bun.spawn([...setpriv, BINARY, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...rest, ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** A directory anyone may write in, and a marker path in it that a command run as another user would leave. */
export function openPlace(): { root: string; marker: string } {
  const root = tempDir();
  chmodSync(root, 0o777);
  return { root, marker: join(root, "ran") };
}

