// The npm packages: `peak-mem` (the command, a small Node shim: npm/bin/peak-mem.js) and one
// package per platform holding that platform's binary, which npm picks through the main
// package's optionalDependencies and their os, cpu and libc fields (as esbuild and Biome do:
// no install script, nothing downloaded but by npm itself).
//   bun run npm/packages.ts          every package, from the release files `npm run build:all` left in dist/
//   bun run npm/packages.ts --host   the main package and this host's, from dist/peak-mem
// Packages are written to dist/npm/<name>/, ready for `npm pack` or `npm publish`.
import { copyFileSync, existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { RELEASE_TARGETS } from "../scripts/build.ts";

const ROOT = resolve(import.meta.dir, "..");

export interface PlatformPackage {
  /** The release file in dist/ (scripts/build.ts RELEASE_TARGETS). */
  file: string;
  name: string;
  /** npm's names: process.platform and process.arch. */
  os: string;
  cpu: string;
  libc?: "glibc" | "musl";
  /** Its path inside the package, where the shim looks for it. */
  binary: string;
}

/** One package per release target, named as the shim looks for it: @peak-mem/<platform>-<arch>[-musl]. */
export const PLATFORM_PACKAGES: readonly PlatformPackage[] = RELEASE_TARGETS.map(([target, file]) => {
  const match = /^bun-(linux|darwin|windows)-(x64|arm64)(-musl)?$/.exec(target);
  if (!match) throw new Error(`no npm package is defined for the release target ${target}`);
  const os = match[1] === "windows" ? "win32" : match[1]!;
  const cpu = match[2]!;
  const musl = match[3] !== undefined;
  return {
    file,
    name: `@peak-mem/${os}-${cpu}${musl ? "-musl" : ""}`,
    os,
    cpu,
    ...(os === "linux" && { libc: musl ? ("musl" as const) : ("glibc" as const) }),
    binary: os === "win32" ? "bin/peak-mem.exe" : "bin/peak-mem",
  };
});

const repository = { type: "git", url: "git+https://github.com/peak-mem/peak-mem.git" };

export function mainManifest(version: string = pkg.version): Record<string, unknown> {
  return {
    name: "peak-mem",
    version,
    description: pkg.description,
    license: pkg.license,
    repository,
    homepage: "https://github.com/peak-mem/peak-mem#readme",
    bin: { "peak-mem": "bin/peak-mem.js" },
    man: ["./peak-mem.1"],
    files: ["bin/peak-mem.js", "peak-mem.1"],
    engines: { node: ">=16" },
    // Exact versions: the shim and the binary come from one release.
    optionalDependencies: Object.fromEntries(PLATFORM_PACKAGES.map((platform) => [platform.name, version])),
  };
}

export function platformManifest(platform: PlatformPackage, version: string = pkg.version): Record<string, unknown> {
  return {
    name: platform.name,
    version,
    description: `The ${platform.os}-${platform.cpu}${platform.libc === "musl" ? " (musl)" : ""} binary of peak-mem; install the peak-mem package, which uses it`,
    license: pkg.license,
    repository,
    os: [platform.os],
    cpu: [platform.cpu],
    ...(platform.libc && { libc: [platform.libc] }),
    files: [platform.binary],
    // Yarn PnP: a binary must be on disk to be executed.
    preferUnplugged: true,
  };
}

/** The binary is large: linked where the file system allows it. */
function place(from: string, to: string): void {
  mkdirSync(resolve(to, ".."), { recursive: true });
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

const README = `# peak-mem

Run any command and report the most memory it and everything it started ever used.

\`\`\`sh
npx peak-mem -- npm test
npm install -g peak-mem && peak-mem make -j8
\`\`\`

This package installs the native peak-mem binary for your platform (one of the
\`@peak-mem/*\` packages, chosen by npm) and a small \`peak-mem\` command that starts it.
Documentation: https://github.com/peak-mem/peak-mem#readme
`;

/** Writes the main package and the given platforms' packages into `out`; returns their directories. */
export function writePackages(out: string, platforms: ReadonlyArray<{ platform: PlatformPackage; binary: string }>): string[] {
  const dirs: string[] = [];
  const main = join(out, "peak-mem");
  rmSync(main, { recursive: true, force: true });
  mkdirSync(join(main, "bin"), { recursive: true });
  copyFileSync(join(ROOT, "npm/bin/peak-mem.js"), join(main, "bin/peak-mem.js"));
  copyFileSync(join(ROOT, "peak-mem.1"), join(main, "peak-mem.1"));
  copyFileSync(join(ROOT, "LICENSE"), join(main, "LICENSE"));
  writeFileSync(join(main, "README.md"), README);
  writeFileSync(join(main, "package.json"), `${JSON.stringify(mainManifest(), null, 2)}\n`);
  dirs.push(main);
  for (const { platform, binary } of platforms) {
    const dir = join(out, platform.name.replace("@peak-mem/", "peak-mem-"));
    rmSync(dir, { recursive: true, force: true });
    place(binary, join(dir, platform.binary));
    copyFileSync(join(ROOT, "LICENSE"), join(dir, "LICENSE"));
    writeFileSync(join(dir, "README.md"), `# ${platform.name}\n\n${platformManifest(platform).description}.\nSee https://github.com/peak-mem/peak-mem#readme\n`);
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(platformManifest(platform), null, 2)}\n`);
    dirs.push(dir);
  }
  return dirs;
}

/** This host's package (the shim's first choice here), or undefined where there is none. */
export function hostPlatform(): PlatformPackage | undefined {
  const { packageNames, isMusl } = require("./bin/peak-mem.js") as { packageNames: (p: string, a: string, m: boolean) => string[]; isMusl: (a: string) => boolean };
  const [first] = packageNames(process.platform, process.arch, process.platform === "linux" && isMusl(process.arch));
  return PLATFORM_PACKAGES.find((platform) => platform.name === first);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { host: { type: "boolean", default: false }, out: { type: "string", default: "dist/npm" } } });
  let platforms: { platform: PlatformPackage; binary: string }[];
  if (values.host) {
    const platform = hostPlatform();
    if (!platform) throw new Error(`no npm package is defined for ${process.platform}-${process.arch}`);
    platforms = [{ platform, binary: join(ROOT, process.platform === "win32" ? "dist/peak-mem.exe" : "dist/peak-mem") }];
  } else {
    platforms = PLATFORM_PACKAGES.map((platform) => ({ platform, binary: join(ROOT, "dist", platform.file) }));
  }
  const missing = platforms.filter(({ binary }) => !existsSync(binary));
  if (missing.length > 0) {
    console.error(`missing ${missing.map(({ binary }) => binary).join(", ")}: run ${values.host ? "npm run build" : "npm run build:all"} first`);
    process.exit(1);
  }
  for (const dir of writePackages(resolve(values.out), platforms)) console.log(`wrote ${dir}`);
}
