// Benchmark, not a test: `npm run bench` (builds dist/peak-mem first). Prints peak-mem's
// cost as ratios against baselines measured in this same run, each next to its target.
// Always exits 0 once it has measured: a missed target is a finding, not a failure.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

const PEAK_MEM = resolve(import.meta.dir, "../../dist/peak-mem");
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const CLK_TCK = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString()) || 100;
/** The CPU rows' window: 20 s from the spawn, start-up included. */
const CPU_WINDOW_MS = 20_000;
/** 101 processes that outlive the window by a second, so every reading is taken while it runs. */
const TREE_101 = `i=0; while [ $i -lt 100 ]; do sleep ${CPU_WINDOW_MS / 1000 + 1} & i=$((i+1)); done; wait`;
const KIB_PER_MIB = 1024;

// ---- what the run collects, and what it must undo --------------------------------------

interface Row {
  metric: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  ok?: boolean;
}
const rows: Row[] = [];
const notes: string[] = [];
const cleanups: (() => void)[] = [];
const cleanup = () => {
  for (const c of cleanups.splice(0)) c();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => (cleanup(), process.exit(signal === "SIGINT" ? 130 : 143)));

// ---- reading /proc about one process --------------------------------------------------

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return undefined; // gone: the caller treats it as "no reading"
  }
}

/** utime + stime (fields 14 and 15 of /proc/PID/stat) in seconds: the process's own CPU, all threads, no children. */
function cpuSeconds(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The name (field 2) may hold spaces: count fields from the last ')', where field 3 starts.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** VmHWM, and RSS now split into anonymous and file-backed pages, in KiB, of this process alone. */
function ownMemoryKiB(pid: number): { hwm: number; anon: number; file: number } {
  const status = readProc(`/proc/${pid}/status`) ?? "";
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { hwm: field("VmHWM"), anon: field("RssAnon"), file: field("RssFile") };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const quiet: { stdio: ["ignore", "ignore", "ignore"] } = { stdio: ["ignore", "ignore", "ignore"] };

function spawnWatched(argv: string[]): { child: Subprocess<"ignore", "pipe", "ignore">; exited: () => boolean; stdout: Promise<string> } {
  const child = Bun.spawn(argv, { stdio: ["ignore", "pipe", "ignore"] });
  let done = false;
  void child.exited.then(() => (done = true));
  return { child, exited: () => done, stdout: new Response(child.stdout).text() };
}

/**
 * The process's own CPU (all its threads, exited ones included; not its children) from its
 * start to `toMs` after the spawn, start-up included: /proc/PID/stat read just before the
 * command it watches ends. Not the rusage of its exit, which would add the CPU of every
 * descendant it (or the shell) waited for: the whole tree's forks and execs. Waits for it to exit.
 */
async function cpuFromStart(argv: string[], toMs: number) {
  const t0 = performance.now();
  const run = spawnWatched(argv);
  await Bun.sleep(t0 + toMs - performance.now());
  const cpu = cpuSeconds(run.child.pid);
  const wall = (performance.now() - t0) / 1000;
  const stdout = await run.stdout;
  await run.child.exited;
  if (cpu === undefined) throw new Error(`${argv.join(" ")} ended before ${toMs} ms`);
  return { cpu, wall, stdout };
}

/**
 * The process's own CPU between `fromMs` and `toMs` after it started (so start-up is left out),
 * as seconds and the wall seconds between the two readings. Waits for it to exit.
 */
async function cpuWindow(argv: string[], fromMs: number, toMs: number) {
  const t0 = performance.now();
  const run = spawnWatched(argv);
  const at = async (ms: number) => {
    await Bun.sleep(t0 + ms - performance.now());
    return { cpu: cpuSeconds(run.child.pid), t: performance.now() };
  };
  const a = await at(fromMs);
  const b = await at(toMs);
  const stdout = await run.stdout;
  await run.child.exited;
  if (a.cpu === undefined || b.cpu === undefined) throw new Error(`${argv.join(" ")} ended before ${toMs} ms`);
  return { cpu: b.cpu - a.cpu, wall: (b.t - a.t) / 1000, stdout };
}

/**
 * The process's own CPU in seconds, all its threads, at each of `atMs` after its start: every
 * thread's run time from schedstat (nanoseconds; /proc/PID/stat counts whole clock ticks, 10 ms
 * each), read every 50 ms and kept at its last reading, so that threads that ended still count.
 * Waits for it to exit.
 */
async function threadCpu(argv: string[], atMs: number[]): Promise<number[]> {
  const t0 = performance.now();
  const run = spawnWatched(argv);
  const last = new Map<string, number>();
  const read = () => {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${run.child.pid}/task`);
    } catch {}
    for (const tid of tids) {
      const ns = Number(readProc(`/proc/${run.child.pid}/task/${tid}/schedstat`)?.split(" ")[0]);
      if (Number.isFinite(ns)) last.set(tid, ns);
    }
    let total = 0;
    for (const ns of last.values()) total += ns;
    return total / 1e9;
  };
  const readings: number[] = [];
  for (const at of atMs) {
    while (performance.now() - t0 < at - 50 && !run.exited()) {
      read();
      await Bun.sleep(50);
    }
    await Bun.sleep(Math.max(0, t0 + at - performance.now()));
    if (run.exited()) throw new Error(`${argv.join(" ")} ended before ${at} ms`);
    readings.push(read());
  }
  await run.child.exited;
  return readings;
}

function jsonReport(stdout: string): { samples: number; duration_ms: number; processes_seen: number } {
  return JSON.parse(stdout.slice(stdout.lastIndexOf("\n{\n") + 1));
}

// ---- the baselines ----------------------------------------------------------------------

/**
 * Compiles floor.ts or hello.ts with this Bun and peak-mem's build settings (scripts/build.ts),
 * so only the code differs. They are also the fastest a program that small gets: bytecode saves
 * it a little (0.93× to 0.95×), while the .env and bunfig.toml lookups a compiled program makes
 * unless told not to would cost it about 3 ms.
 */
function buildBaseline(dir: string, name: "floor" | "hello" | "quiet-sampler"): string {
  const out = join(dir, name);
  const build = Bun.spawnSync(
    [process.execPath, "build", "--compile", "--minify", "--bytecode", "--format", "esm", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
      join(import.meta.dir, `${name}.ts`), "--outfile", out],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (build.exitCode !== 0) throw new Error(`could not compile test/bench/${name}.ts`);
  return out;
}

/** Process groups of sleepers started, so the end of the bench can wait until they are gone. */
const sleeperGroups: number[] = [];

/** `count` × `sleep 120` in their own process group, outside any measured tree; kill() ends them all. */
async function startSleepers(count: number): Promise<{ kill: () => void }> {
  const script = `i=0; while [ $i -lt ${count} ]; do sleep 120 >/dev/null & i=$((i+1)); done; echo ready; wait`;
  // detached: its own process group, so one kill(-pgid) reaches the shell and every sleep.
  const holder = Bun.spawn(["sh", "-c", script], { stdio: ["ignore", "pipe", "ignore"], detached: true });
  const kill = () => {
    try {
      process.kill(-holder.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  cleanups.push(kill);
  sleeperGroups.push(holder.pid);
  // The shell says "ready" once it has forked them all; the pipe stays open while it waits.
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of holder.stdout) {
    text += decoder.decode(chunk);
    if (text.includes("ready")) break;
  }
  await Bun.sleep(300); // let the last forks reach exec
  return { kill };
}

// ---- the measurements -------------------------------------------------------------------

async function wallTime(floor: string, hello: string) {
  const cases: Record<string, string[]> = { peak: [PEAK_MEM, "--", "true"], floor: [floor, "true"], version: [PEAK_MEM, "--version"], hello: [hello] };
  if (GNU_TIME) cases.gnu = [GNU_TIME, "-f", "%M", "true"];
  const times: Record<string, number[]> = {};
  // Warm-up (page cache, first-exec costs), then interleaved so drift hits every case alike.
  for (let round = -5; round < 40; round++) {
    for (const [name, argv] of Object.entries(cases)) {
      const t = performance.now();
      const { exitCode } = Bun.spawnSync(argv, quiet);
      const ms = performance.now() - t;
      if (exitCode !== 0) throw new Error(`${argv.join(" ")} exited with ${exitCode}`);
      if (round >= 0) (times[name] ??= []).push(ms);
    }
  }
  const peak = median(times.peak ?? []);
  const base = median(times.floor ?? []);
  rows.push({ metric: "wall `-- true` (median of 40)", value: ms(peak), baseline: `floor ${ms(base)}`, ratio: x(peak / base), target: "≤ 1.5× (goal 1.25×)", ok: peak / base <= 1.5 });
  const version = median(times.version ?? []);
  const hi = median(times.hello ?? []);
  rows.push({ metric: "wall `--version` (median of 40)", value: ms(version), baseline: `hello-world ${ms(hi)}`, ratio: x(version / hi), target: "≤ 1.15×", ok: version / hi <= 1.15 });
  if (times.gnu) {
    const gnu = median(times.gnu);
    rows.push({ metric: "wall `-- true` vs GNU time", value: ms(peak), baseline: `time ${ms(gnu)}`, ratio: x(peak / gnu), target: "(info)" });
  } else notes.push("/usr/bin/time is missing: the GNU time baseline is skipped");
}

/** The process's own memory, polled every 20 ms while it runs `sleep 0.3`: its VmHWM, and its largest anonymous and file-backed RSS. */
async function ownPeakKiB(argv: string[]): Promise<{ hwm: number; anon: number; file: number }> {
  const run = spawnWatched(argv);
  const max = { hwm: 0, anon: 0, file: 0 };
  while (!run.exited()) {
    const now = ownMemoryKiB(run.child.pid);
    max.hwm = Math.max(max.hwm, now.hwm);
    max.anon = Math.max(max.anon, now.anon);
    max.file = Math.max(max.file, now.file);
    await Bun.sleep(20);
  }
  return max;
}

async function ownRss(floor: string) {
  const peak: { hwm: number; anon: number; file: number }[] = [];
  const base: { hwm: number; anon: number; file: number }[] = [];
  // Pages of a binary just written are still in the page cache in a way the others' are
  // not (measured: about 5 MiB more file-backed RSS): both are run once first.
  Bun.spawnSync([PEAK_MEM, "--", "true"], quiet);
  Bun.spawnSync([floor, "true"], quiet);
  for (let i = 0; i < 5; i++) {
    peak.push(await ownPeakKiB([PEAK_MEM, "--", "sleep", "0.3"]));
    base.push(await ownPeakKiB([floor, "sleep", "0.3"]));
  }
  const of = (runs: typeof peak, key: "hwm" | "anon" | "file") => median(runs.map((r) => r[key])) / KIB_PER_MIB;
  const [p, b] = [of(peak, "hwm"), of(base, "hwm")];
  rows.push({ metric: "own peak RSS (VmHWM, median of 5)", value: mib(p), baseline: `floor ${mib(b)}`, ratio: `+${mib(p - b)}`, target: "≤ +8 MiB", ok: p - b <= 8 });
  const [pa, ba] = [of(peak, "anon"), of(base, "anon")];
  rows.push({ metric: "  of it anonymous (RssAnon, largest)", value: mib(pa), baseline: `floor ${mib(ba)}`, ratio: `+${mib(pa - ba)}`, target: "≤ +4 MiB", ok: pa - ba <= 4 });
  const [pf, bf] = [of(peak, "file"), of(base, "file")];
  rows.push({ metric: "  of it file-backed (RssFile, largest)", value: mib(pf), baseline: `floor ${mib(bf)}`, ratio: `+${mib(pf - bf)}`, target: "(info)" });
}

/**
 * status-reader.c compiled with the system's cc: the kernel's own cost of reading each
 * member's status on held fds, the physical limit of a sampler. Undefined, with a
 * note, where there is no cc.
 */
function buildStatusReader(dir: string): string | undefined {
  const cc = Bun.which("cc") ?? Bun.which("gcc");
  if (!cc) {
    notes.push("no C compiler (cc): the held-fd C baseline is skipped");
    return undefined;
  }
  const out = join(dir, "status-reader");
  const build = Bun.spawnSync([cc, "-O2", "-o", out, join(import.meta.dir, "status-reader.c")], { stdio: ["ignore", "ignore", "inherit"] });
  if (build.exitCode !== 0) {
    notes.push("status-reader.c did not compile: the held-fd C baseline is skipped");
    return undefined;
  }
  return out;
}

async function treeCpu(floor: string, statusReader: string | undefined) {
  // Each reading covers the first 20 s of the process, start-up included, and is taken while
  // its tree (sleep 21) still runs. peak-mem and the C reader run side by side, each with its
  // own tree, so both see the same 20 s of this machine (a shared one drifts by more than the
  // difference between them); the floor runs beside the first pair.
  const watched = (argv: string[]) => cpuFromStart([...argv, "sh", "-c", TREE_101], CPU_WINDOW_MS);
  const pct = (r: { cpu: number; wall: number }) => (100 * r.cpu) / r.wall;
  let basePct: number | undefined;
  for (const interval of [100, 10]) {
    const [r, c, base] = await Promise.all([
      watched([PEAK_MEM, "--json", "--interval", String(interval), "--"]),
      statusReader ? watched([statusReader, String(interval)]) : undefined,
      basePct === undefined ? watched([floor]) : undefined,
    ]);
    if (base) basePct = pct(base);
    const peakPct = pct(r);
    const seen = jsonReport(r.stdout).processes_seen;
    if (seen < 101) notes.push(`at --interval ${interval} peak-mem saw only ${seen} of 101 processes`);
    rows.push({
      metric: `CPU, 101-process tree, ${interval} ms`,
      value: pct1(peakPct),
      baseline: `floor ${pct1(basePct ?? NaN)}`,
      ratio: basePct ? x(peakPct / basePct) : "—",
      // The target is the ratio to the C reader below (≤ 1.5×); this row is the absolute cost.
      target: "(info)",
    });
    if (!c) continue;
    const cPct = pct(c);
    rows.push({
      metric: `CPU vs held-fd C reader, ${interval} ms`,
      value: pct1(peakPct),
      baseline: `C ${pct1(cPct)}`,
      ratio: cPct > 0 ? x(peakPct / cPct) : "—",
      target: "≤ 1.5×",
      ...(cPct > 0 && { ok: peakPct / cPct <= 1.5 }),
    });
  }
  notes.push(`CPU over the first ${CPU_WINDOW_MS / 1000} s, start-up included, from /proc/PID/stat ticks: ±1 tick = ±${pct1(100 / CLK_TCK / (CPU_WINDOW_MS / 1000))}`);
}

/**
 * peak-mem's own CPU per sample at --interval 10 over `sleep 3`, readings at 0.5 s and 2.8 s.
 * Pooled over 3 runs: one run holds only ~7 clock ticks of CPU, too coarse to compare alone.
 */
async function perSampleUs(): Promise<number> {
  let cpu = 0;
  let samples = 0;
  for (let i = 0; i < 3; i++) {
    const r = await cpuWindow([PEAK_MEM, "--json", "--interval", "10", "--", "sleep", "3"], 500, 2800);
    const report = jsonReport(r.stdout);
    cpu += r.cpu;
    // Samples are evenly spaced over the run, so the window held its share of them.
    samples += (report.samples * r.wall * 1000) / report.duration_ms;
  }
  return (cpu * 1e6) / samples;
}

/**
 * A quiet single process at the default interval: peak-mem against the quiet sampler (the least
 * a Bun sampler does), on `sleep 21`, over its first 10 s (start-up included) and from 10 s to
 * 20 s (the steady cost). One after the other, never side by side: two copies of a program
 * running at once keep each other's code warm in the caches, and each costs less (measured:
 * 70 to 85 ms over 10 s side by side, 90 to 110 apart). Medians of three pairs.
 */
async function quietCpu(quietSampler: string) {
  const runs: Record<"peak" | "base", number[][]> = { peak: [], base: [] };
  for (let i = 0; i < 3; i++) {
    runs.peak.push(await threadCpu([PEAK_MEM, "--json", "--", "sleep", "21"], [10_000, 20_000]));
    runs.base.push(await threadCpu([quietSampler, "sleep", "21"], [10_000, 20_000]));
  }
  const first = (r: number[][]) => median(r.map(([a]) => (100 * (a ?? NaN)) / 10));
  const steady = (r: number[][]) => median(r.map(([a, b]) => (100 * ((b ?? NaN) - (a ?? NaN))) / 10));
  const [p1, b1, p2, b2] = [first(runs.peak), first(runs.base), steady(runs.peak), steady(runs.base)];
  rows.push({ metric: "CPU, quiet `sleep`, first 10 s", value: pct1(p1), baseline: `quiet sampler ${pct1(b1)}`, ratio: x(p1 / b1), target: "≤ 1%", ok: p1 <= 1 });
  rows.push({ metric: "CPU, quiet `sleep`, 10 s to 20 s", value: pct1(p2), baseline: `quiet sampler ${pct1(b2)}`, ratio: x(p2 / b2), target: "≤ 1%", ok: p2 <= 1 });
  notes.push("quiet rows: every thread's schedstat (nanoseconds), medians of three runs of each, one after the other");
}

/** Creates an unrelated process 50 times a second, moving the kernel's last-pid mark. */
function churn(): () => void {
  const timer = setInterval(() => Bun.spawn(["true"], quiet), 20);
  return () => clearInterval(timer);
}

async function unrelated() {
  const quietUs = await perSampleUs();
  let stop = churn();
  cleanups.push(stop);
  const churnUs = await perSampleUs();
  stop();
  const sleepers = await startSleepers(1500);
  const running = Number(Bun.spawnSync(["pgrep", "-c", "-f", "^sleep 120$"]).stdout.toString().trim());
  notes.push(`unrelated idle processes running: ${running} \`sleep 120\``);
  const idleUs = await perSampleUs();
  stop = churn();
  cleanups.push(stop);
  const bothUs = await perSampleUs();
  stop();
  sleepers.kill();
  const row = (metric: string, cost: number): Row => ({
    metric,
    value: us(cost),
    baseline: `quiet ${us(quietUs)}`,
    ratio: x(cost / quietUs),
    target: "≤ 2×",
    ok: cost / quietUs <= 2,
  });
  rows.push(row("per sample @10 ms, +1500 idle procs", idleUs));
  rows.push(row("per sample @10 ms, 50 new procs/s", churnUs));
  rows.push(row("per sample @10 ms, 1500 idle + 50 new/s", bothUs));
  notes.push(`per-sample costs pool 3 runs of ~230 samples each: ±1 tick = ±${us(1e6 / CLK_TCK / 690)}`);
}

// ---- output -------------------------------------------------------------------------------

function ms(v: number) {
  return `${v.toFixed(1)} ms`;
}
function x(v: number) {
  return `${v.toFixed(2)}×`;
}
function mib(v: number) {
  return `${v.toFixed(1)} MiB`;
}
function pct1(v: number) {
  return `${v.toFixed(2)}%`;
}
function us(v: number) {
  return `${v.toFixed(0)} µs`;
}

function machineLine(): string {
  const model = /^model name\s*:\s*(.*)$/m.exec(readProc("/proc/cpuinfo") ?? "")?.[1] ?? "unknown CPU";
  return `${model}, ${cpus().length} cores, Linux ${release()}, ${new Date().toISOString()}, bun ${Bun.version}`;
}

function printTable() {
  const header: Row = { metric: "metric", value: "value", baseline: "baseline", ratio: "ratio", target: "target" };
  const cells = (r: Row) => [r.metric, r.value, r.baseline, r.ratio, r.target, r.ok === undefined ? "" : r.ok ? "ok" : "MISSED"];
  const all = [header, ...rows].map(cells);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  for (const c of all) console.log(c.map((s, i) => s.padEnd(widths[i]!)).join("  ").trimEnd());
}

if (!existsSync(PEAK_MEM)) throw new Error(`${PEAK_MEM} is missing: run \`npm run bench\`, which builds it`);
const dir = mkdtempSync(join(tmpdir(), "peak-mem-bench-"));
cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
try {
  console.log(machineLine());
  const floor = buildBaseline(dir, "floor");
  const hello = buildBaseline(dir, "hello");
  await wallTime(floor, hello);
  await ownRss(floor);
  await treeCpu(floor, buildStatusReader(dir));
  await quietCpu(buildBaseline(dir, "quiet-sampler"));
  await unrelated();
} finally {
  cleanup();
  // SIGKILL is delivered asynchronously: wait (up to 5 s) until no sleeper is left.
  for (const group of sleeperGroups) {
    for (let i = 0; i < 250 && Bun.spawnSync(["pgrep", "-g", String(group)]).exitCode === 0; i++) await Bun.sleep(20);
  }
}
printTable();
for (const note of notes) console.log(`note: ${note}`);
