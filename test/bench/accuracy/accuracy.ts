// Benchmark, not a test: `npm run bench:accuracy` (builds dist/peak-mem first). Runs peak-mem
// at its default settings on real workloads, each inside a ground truth that sums the whole
// tree's RSS every millisecond (truth.c, compiled here), and prints for every run the ratio of
// peak-mem's peak to the truth, its upper bound and whether the truth lies within it, and
// peak-mem's own CPU. A run passes when it is within 3% of the truth, or when peak-mem said
// its figure is a lower bound and gave an upper bound that holds the truth.
//
//   npm run bench:accuracy [-- --runs N] [-- --only NAME]
//
// The C code base of the build is brotli's, from the npm package iltorb (fetched once with
// `npm pack` into node_modules/.cache). Always exits 0 once it has measured.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dir, "../../..");
const PEAK_MEM = join(ROOT, "dist/peak-mem");
const CACHE = join(ROOT, "node_modules/.cache/peak-mem-accuracy");
const WITHIN = 0.03;
/**
 * The kernel keeps RSS in per-CPU counters and reads them approximately (a few hundred KiB
 * per process on a small machine), the truth's sums and each process's exit peak alike: an
 * upper bound short of the truth by less than this share is said to hold, and the ratio shown.
 */
const COUNTER_SLACK = 0.005;

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "3" }, only: { type: "string" } } });
const RUNS = Number(args.runs);

function sh(argv: string[], cwd?: string): string {
  const result = Bun.spawnSync(argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${result.stderr.toString().trim().slice(-400)}`);
  return result.stdout.toString();
}

mkdirSync(CACHE, { recursive: true });
const CC = Bun.which("cc") ?? Bun.which("gcc");
if (!CC) {
  console.log("bench:accuracy needs a C compiler (cc): none here");
  process.exit(0);
}
const TRUTH = join(CACHE, "truth");
sh([CC, "-O2", "-o", TRUTH, join(import.meta.dir, "truth.c")]);

/** brotli's C sources (24 files), from the npm package iltorb, with a Makefile that builds them into a static library. */
function brotli(): string | undefined {
  const dir = join(CACHE, "iltorb");
  const source = join(dir, "package/brotli/c");
  if (!existsSync(source)) {
    mkdirSync(dir, { recursive: true });
    try {
      sh(["npm", "pack", "--silent", "iltorb@2.4.5"], dir);
      const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
      if (!tarball) return undefined;
      sh(["tar", "xzf", tarball], dir);
    } catch (error) {
      console.log(`note: no C code base to build (${(error as Error).message.split("\n")[0]})`);
      return undefined;
    }
  }
  writeFileSync(
    join(dir, "Makefile"),
    [
      `B := ${source}`,
      "SRC := $(wildcard $(B)/common/*.c $(B)/dec/*.c $(B)/enc/*.c)",
      "OBJ := $(patsubst $(B)/%.c,obj/%.o,$(SRC))",
      "libbrotli.a: $(OBJ)",
      "\tar rcs $@ $^",
      "obj/%.o: $(B)/%.c",
      "\t@mkdir -p $(dir $@)",
      "\tcc -O2 -I$(B)/include -c $< -o $@",
      "",
    ].join("\n"),
  );
  return dir;
}

interface Workload {
  name: string;
  argv: string[];
  cwd?: string;
  before?: () => void;
}

const workloads: Workload[] = [];
const build = brotli();
if (build) {
  workloads.push({
    name: "make -j2: brotli, 24 C files at -O2",
    argv: ["make", "-s", "-j2"],
    cwd: build,
    before: () => rmSync(join(build, "obj"), { recursive: true, force: true }),
  });
  const source = join(build, "package/brotli/c");
  workloads.push({
    name: "xargs -P2 cc -fsyntax-only, 24 files",
    argv: ["sh", "-c", `find ${source} -name '*.c' | xargs -P2 -n1 cc -fsyntax-only -I${source}/include`],
  });
}
const PYTHON = Bun.which("python3");
const burst = PYTHON ? `${PYTHON} -c "b = b'x' * (150 << 20)"` : `${process.execPath} -e "Buffer.alloc(150 << 20, 1)"`;
workloads.push({
  name: `bursts: 5 × two ${PYTHON ? "python3" : "bun"} of 150 MB at once`,
  argv: ["sh", "-c", `for i in 1 2 3 4 5; do ${burst} & ${burst}; wait; done`],
});
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const NODE = Bun.which("node");
if (NODE && existsSync(TSC)) workloads.push({ name: "launcher: node runs the native tsc on this repo", argv: [NODE, TSC, "--noEmit", "-p", ROOT] });
workloads.push({ name: "one process: xz -9 of 48 MiB", argv: ["sh", "-c", "head -c 50331648 /dev/urandom | xz -9 -T1 > /dev/null"] });
workloads.push({ name: "quiet: sleep 10", argv: ["sleep", "10"] });

interface Run {
  truth: number;
  peak: number;
  upper?: number;
  exact: boolean;
  cpuPercent: number;
  ok: boolean;
}

function once(workload: Workload): Run {
  workload.before?.();
  const out = join(CACHE, "truth.out");
  const result = Bun.spawnSync([TRUTH, out, "--", PEAK_MEM, "--json", "--", ...workload.argv], { cwd: workload.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const stdout = result.stdout.toString();
  const report = JSON.parse(stdout.slice(stdout.lastIndexOf("\n{\n") + 1)) as Record<string, unknown>;
  const [truth, , spannedMs, cpuMs] = readFileSync(out, "utf8").trim().split(" ").map(Number) as [number, number, number, number];
  const peak = report.peak_rss_bytes as number;
  const upper = typeof report.peak_rss_upper_bytes === "number" ? report.peak_rss_upper_bytes : undefined;
  const exact = report.peak_rss_exact === true;
  const within = Math.abs(peak / truth - 1) <= WITHIN;
  const holds = !exact && upper !== undefined && peak <= truth * (1 + COUNTER_SLACK) && truth <= upper * (1 + COUNTER_SLACK);
  return { truth, peak, ...(upper !== undefined && { upper }), exact, cpuPercent: (cpuMs / spannedMs) * 100, ok: within || holds };
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)}`;
const cells: string[][] = [["workload", "run", "truth MiB", "peak-mem MiB", "ratio", "exact", "at most MiB", "truth/at most", "CPU", "verdict"]];
let failures = 0;
for (const workload of workloads) {
  if (args.only && !workload.name.includes(args.only)) continue;
  for (let i = 1; i <= RUNS; i++) {
    let run: Run;
    try {
      run = once(workload);
    } catch (error) {
      cells.push([workload.name, String(i), "-", "-", "-", "-", "-", "-", "-", `error: ${(error as Error).message.split("\n")[0]}`]);
      failures++;
      continue;
    }
    if (!run.ok) failures++;
    cells.push([
      workload.name,
      String(i),
      mib(run.truth),
      mib(run.peak),
      (run.peak / run.truth).toFixed(3),
      run.exact ? "yes" : "no",
      run.upper === undefined ? "-" : mib(run.upper),
      run.upper === undefined ? "-" : (run.truth / run.upper).toFixed(3),
      `${run.cpuPercent.toFixed(1)}%`,
      run.ok ? (Math.abs(run.peak / run.truth - 1) <= WITHIN ? "within 3%" : "bound holds") : "MISSED",
    ]);
  }
}

const widths = cells[0]!.map((_, col) => Math.max(...cells.map((row) => row[col]!.length)));
console.log(`${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Linux ${release()}, ${new Date().toISOString()}, ${sh([PEAK_MEM, "--version"]).trim()}`);
for (const row of cells) console.log(row.map((cell, col) => cell.padEnd(widths[col]!)).join("  ").trimEnd());
console.log(`note: truth = the tree's summed RSS every 1 ms (test/bench/accuracy/truth.c); CPU = peak-mem's own (every thread's schedstat), start-up included, over the run`);
console.log(`note: "bound holds": peak-mem said its figure is a lower bound, and truth <= its upper bound (within ${COUNTER_SLACK * 100}%: the kernel's per-CPU RSS counters)`);
console.log(failures === 0 ? "every run within 3% or within its stated bound" : `${failures} run(s) missed`);
