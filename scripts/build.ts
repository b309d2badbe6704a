// Compiles peak-mem into standalone executables.
//   bun run scripts/build.ts [--target T] [--outfile F]   one binary (default: this host, dist/peak-mem)
//   bun run scripts/build.ts --all                        every release target into dist/, plus SHA256SUMS
// The version comes from package.json; bunfig.toml and .env autoloading are off so the
// binary acts the same in any directory.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };

/** Release targets: Bun's name → the file users download. */
export const RELEASE_TARGETS: ReadonlyArray<[Bun.Build.CompileTarget, string]> = [
  ["bun-linux-x64", "peak-mem-linux-x64"],
  ["bun-linux-arm64", "peak-mem-linux-arm64"],
  ["bun-linux-x64-musl", "peak-mem-linux-x64-musl"],
  ["bun-linux-arm64-musl", "peak-mem-linux-arm64-musl"],
  ["bun-darwin-x64", "peak-mem-darwin-x64"],
  ["bun-darwin-arm64", "peak-mem-darwin-arm64"],
  ["bun-windows-x64", "peak-mem-windows-x64.exe"],
];

async function compile(outfile: string, target?: Bun.Build.CompileTarget): Promise<void> {
  const result = await Bun.build({
    entrypoints: [new URL("../src/main.ts", import.meta.url).pathname],
    minify: true,
    // Precompiled bytecode: a few ms less start-up, which every measured run pays.
    bytecode: true,
    // Chunks for what only some runs load (baselines, charts, colour, Windows' exit): their
    // imports, node:fs among them, are not loaded at every start.
    splitting: true,
    format: "esm",
    define: { PEAK_MEM_VERSION: JSON.stringify(pkg.version) },
    compile: {
      ...(target && { target }),
      outfile,
      autoloadDotenv: false,
      autoloadBunfig: false,
      autoloadTsconfig: false,
      autoloadPackageJson: false,
    },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    process.exit(1);
  }
}

/** `sha256sum -c` format: the hex digest, two spaces, the file name. */
function checksumLine(path: string): string {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(readFileSync(path));
  return `${hasher.digest("hex")}  ${basename(path)}\n`;
}

// Only when run as a script: tests import RELEASE_TARGETS without building anything.
/** The first bytes each target's file must start with: ELF, Mach-O (64-bit), PE. */
function formatOf(target: string): { name: string; magic: number[] } {
  if (target.includes("darwin")) return { name: "Mach-O", magic: [0xcf, 0xfa, 0xed, 0xfe] };
  if (target.includes("windows")) return { name: "PE", magic: [0x4d, 0x5a] };
  return { name: "ELF", magic: [0x7f, 0x45, 0x4c, 0x46] };
}

/**
 * Checks what --all produced: SHA256SUMS as `sha256sum -c` reads it, each file's format,
 * and, for the target this machine runs, that the binary starts and knows its version.
 */
function verify(dir: string): boolean {
  let ok = true;
  const check = (pass: boolean, what: string) => {
    console.log(`${pass ? "ok  " : "FAIL"} ${what}`);
    ok &&= pass;
  };
  const sums = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (sums.exitCode === null || sums.stderr.toString().includes("not found")) console.log("skip sha256sum -c: no sha256sum here");
  else check(sums.exitCode === 0, "sha256sum -c SHA256SUMS");
  const host = `bun-${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  for (const [target, name] of RELEASE_TARGETS) {
    const path = join(dir, name);
    const { name: format, magic } = formatOf(target);
    const head = readFileSync(path).subarray(0, magic.length);
    check(magic.every((byte, i) => head[i] === byte), `${name} is ${format}`);
    if (target === host) {
      const run = Bun.spawnSync([path, "--version"], { stdout: "pipe" });
      check(run.stdout.toString() === `peak-mem ${pkg.version}\n`, `${name} --version prints peak-mem ${pkg.version}`);
    }
  }
  return ok;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      target: { type: "string" },
      outfile: { type: "string", default: "dist/peak-mem" },
      all: { type: "boolean", default: false },
    },
  });

  if (values.all) {
    const dir = dirname(values.outfile);
    let sums = "";
    for (const [target, name] of RELEASE_TARGETS) {
      const path = join(dir, name);
      await compile(path, target);
      sums += checksumLine(path);
      console.log(`built ${path.padEnd(34)} ${(statSync(path).size / 2 ** 20).toFixed(1).padStart(6)} MiB  (${target})`);
    }
    writeFileSync(join(dir, "SHA256SUMS"), sums);
    console.log(`wrote ${join(dir, "SHA256SUMS")}`);
    if (!verify(dir)) process.exit(1);
  } else {
    await compile(values.outfile, values.target as Bun.Build.CompileTarget | undefined);
    console.log(`built ${values.outfile} (peak-mem ${pkg.version}${values.target ? `, ${values.target}` : ""})`);
  }
}
