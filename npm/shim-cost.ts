// What the npm package's Node shim costs: `peak-mem --version` through the installed bin
// against the binary itself (wall time, medians of many runs), and the shim's own peak RSS
// (measured by peak-mem with --no-children: Node alone). The figures in docs/install.md come from this.
//   npm run build && bun run npm/shim-cost.ts [RUNS]
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hostPlatform, writePackages } from "./packages.ts";

const runs = Number(process.argv[2] ?? 40);
const binary = resolve(import.meta.dir, "../dist/peak-mem");
const host = hostPlatform();
if (!host) throw new Error(`no npm package for ${process.platform}-${process.arch}`);
const dir = mkdtempSync(join(tmpdir(), "peak-mem-shim-cost-"));

function must(argv: string[]): string {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

const packages = writePackages(join(dir, "packages"), [{ platform: host, binary }]);
mkdirSync(join(dir, "tarballs"));
must(["npm", "pack", ...packages, "--pack-destination", join(dir, "tarballs"), "--cache", join(dir, "cache"), "--loglevel", "error"]);
const tarballs = readdirSync(join(dir, "tarballs")).map((name) => join(dir, "tarballs", name));
must(["npm", "install", "--offline", "--global", "--prefix", join(dir, "prefix"), "--cache", join(dir, "cache"), "--no-audit", "--no-fund", "--loglevel", "error", ...tarballs]);
const shim = join(dir, "prefix/bin/peak-mem");

function wallMs(argv: string[]): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = Bun.nanoseconds();
    const result = Bun.spawnSync(argv, { stdout: "ignore", stderr: "inherit" });
    if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${result.exitCode}`);
    times.push((Bun.nanoseconds() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}
const median = (times: number[]) => times[times.length >> 1]!;

// Interleaved rounds, so that a slow moment of the machine falls on both.
const direct: number[] = [];
const through: number[] = [];
for (let round = 0; round < 4; round++) {
  direct.push(...wallMs([binary, "--version"]));
  through.push(...wallMs([shim, "--version"]));
}
direct.sort((a, b) => a - b);
through.sort((a, b) => a - b);
const peak = JSON.parse(must([binary, "--json", "--no-children", "--", shim, "--version"]).replace(/^peak-mem .*\n/, "")).peak_rss_bytes as number;
console.log(`peak-mem --version, ${direct.length} runs each (${process.platform}-${process.arch}, node ${must(["node", "--version"]).trim()})`);
console.log(`  the binary:         median ${median(direct).toFixed(1)} ms`);
console.log(`  through the shim:   median ${median(through).toFixed(1)} ms  (+${(median(through) - median(direct)).toFixed(1)} ms)`);
console.log(`  the shim's own peak RSS (Node, not in any report): ${(peak / 2 ** 20).toFixed(1)} MiB`);
rmSync(dir, { recursive: true, force: true });
