// The npm packages, as users get them: the main package and this host's platform package are
// written (npm/packages.ts), packed with `npm pack`, and installed with no network: the
// tarballs with --offline, globally and into a project, and `peak-mem` by name from a registry
// served on 127.0.0.1, so that npm itself picks the platform package by os, cpu and libc.
// The installed `peak-mem` (a Node shim) must start the binary and pass stdio, signals and
// exit statuses through exactly, and the measured command must be the binary's, not Node's.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { RELEASE_TARGETS } from "../../scripts/build.ts";
import { hostPlatform, mainManifest, PLATFORM_PACKAGES, platformManifest, writePackages } from "../../npm/packages.ts";
import { BINARY, MiB, allocate, runArgv, tempDir } from "../helpers.ts";

const shim = require("../../npm/bin/peak-mem.js") as { packageNames: (platform: string, arch: string, musl: boolean) => string[] };

describe("the packages", () => {
  test("one per release target, named as the shim looks for it", () => {
    expect(PLATFORM_PACKAGES.map((platform) => platform.file)).toEqual(RELEASE_TARGETS.map(([, file]) => file));
    for (const platform of PLATFORM_PACKAGES) {
      expect(shim.packageNames(platform.os, platform.cpu, platform.libc === "musl")[0]).toBe(platform.name);
      const manifest = platformManifest(platform);
      expect(manifest.os).toEqual([platform.os]);
      expect(manifest.cpu).toEqual([platform.cpu]);
      // Every Linux package names its libc: npm 9.4+ skips one without it when another in the group has one.
      expect(manifest.libc).toEqual(platform.os === "linux" ? [platform.libc] : undefined);
      expect(manifest.files).toEqual([platform.binary]);
      expect(manifest.scripts).toBeUndefined();
    }
    expect(shim.packageNames("linux", "x64", false)).toEqual(["@peak-mem/linux-x64", "@peak-mem/linux-x64-musl"]);
    expect(shim.packageNames("linux", "arm64", true)).toEqual(["@peak-mem/linux-arm64-musl", "@peak-mem/linux-arm64"]);
    expect(shim.packageNames("win32", "x64", false)).toEqual(["@peak-mem/win32-x64"]);
  });

  test("the main package depends on each at exactly its own version, with no install script", () => {
    const manifest = mainManifest();
    expect(manifest.name).toBe("peak-mem");
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.optionalDependencies).toEqual(Object.fromEntries(PLATFORM_PACKAGES.map((platform) => [platform.name, pkg.version])));
    expect(manifest.bin).toEqual({ "peak-mem": "bin/peak-mem.js" });
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.dependencies).toBeUndefined();
  });
});

const npm = Bun.which("npm");
const host = hostPlatform();
const ready = npm !== null && host !== undefined && process.platform !== "win32";

const dir = tempDir();
// Three installed copies of a 100 MiB binary: removed at the end.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const npmrc = join(dir, "npmrc");
writeFileSync(npmrc, "");
/** npm isolated from the user's configuration and cache. */
const npmArgs = (...args: string[]) => [npm!, ...args, "--userconfig", npmrc, "--no-audit", "--no-fund", "--loglevel", "error"];

async function must(argv: string[], what: string): Promise<string> {
  const result = await runArgv(argv);
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

let mainTarball = "";
let hostTarball = "";
if (ready) {
  const [mainDir, hostDir] = writePackages(join(dir, "packages"), [{ platform: host!, binary: BINARY }]);
  const packed = join(dir, "tarballs");
  mkdirSync(packed);
  await must(npmArgs("pack", mainDir!, hostDir!, "--pack-destination", packed, "--cache", join(dir, "cache")), "npm pack");
  const tarballs = readdirSync(packed);
  mainTarball = join(packed, `peak-mem-${pkg.version}.tgz`);
  hostTarball = join(packed, `${host!.name.slice(1).replace("/", "-")}-${pkg.version}.tgz`);
  expect(tarballs.sort()).toEqual([mainTarball, hostTarball].map((path) => path.slice(packed.length + 1)).sort());
}

/** `npm install` into a fresh prefix, offline: the tarballs only. */
async function installOffline(name: string, global: boolean, tarballs: string[]): Promise<string> {
  const prefix = join(dir, name);
  mkdirSync(prefix);
  await must(npmArgs("install", "--offline", ...(global ? ["--global"] : []), "--prefix", prefix, "--cache", join(dir, "cache"), ...tarballs), `npm install ${name}`);
  return prefix;
}

const prefixes = ready
  ? {
      global: await installOffline("global", true, [mainTarball, hostTarball]),
      local: await installOffline("local", false, [mainTarball, hostTarball]),
      mainOnly: await installOffline("main-only", false, [mainTarball]),
    }
  : undefined;
const globalBin = prefixes ? join(prefixes.global, "bin/peak-mem") : "";

/** The pids whose parent is `pid`: from /proc on Linux, else pgrep -P (macOS). */
function childrenOf(pid: number): number[] {
  if (process.platform !== "linux") {
    return Bun.spawnSync(["pgrep", "-P", String(pid)], { stdout: "pipe" }).stdout.toString().split("\n").filter(Boolean).map(Number);
  }
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await Bun.sleep(10);
}

describe.skipIf(!ready)(ready ? "installed from the packed tarballs" : "installed: skipped (needs npm and a platform with a package)", () => {
  test("globally: the bin starts the binary, and the man page is installed", async () => {
    const result = await runArgv([globalBin, "--version"]);
    expect(result).toEqual({ code: 0, stdout: `peak-mem ${pkg.version}\n`, stderr: "" });
    const binary = join(prefixes!.global, "lib/node_modules", host!.name, host!.binary);
    expect(statSync(binary).mode & 0o111).toBe(0o111);
    expect(existsSync(join(prefixes!.global, "share/man/man1/peak-mem.1"))).toBe(true);
  });

  test("into a project: node_modules/.bin/peak-mem", async () => {
    const result = await runArgv([join(prefixes!.local, "node_modules/.bin/peak-mem"), "--version"]);
    expect(result).toEqual({ code: 0, stdout: `peak-mem ${pkg.version}\n`, stderr: "" });
  });

  test("a measurement through the bin: the command is the binary's child, Node is not measured", async () => {
    const result = await runArgv([globalBin, "--json", "-v", "--", ...allocate(64, 300)]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.exit_code).toBe(0);
    expect(report.peak_rss_bytes).toBeGreaterThanOrEqual(64 * MiB);
    const names = (report.processes as { name: string }[]).map((process) => process.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names).not.toContain("node");
  });

  test("stdin and stdout pass through; exit code 3 comes out as 3", async () => {
    const child = Bun.spawn([globalBin, "-q", "--", "sh", "-c", "cat; exit 3"], { stdin: new Blob(["hello\n"]), stdout: "pipe", stderr: "pipe" });
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(3);
    expect(stdout).toMatch(/^hello\n\d+\n$/);
  });

  for (const [signal, number] of [["SIGTERM", 15], ["SIGINT", 2], ["SIGHUP", 1], ["SIGQUIT", 3]] as const) {
    test(`${signal} to the bin reaches the command, which the report shows; the status is ${128 + number}`, async () => {
      const marker = join(dir, `started-${signal}`);
      // detached: a session of its own, so that no terminal is involved even when the tests run
      // in one (peak-mem leaves a terminal's SIGINT to the terminal).
      const child = Bun.spawn([globalBin, "--", "sh", "-c", `echo > ${marker}; exec sleep 30`], { stdout: "pipe", stderr: "pipe", detached: true });
      await until(() => existsSync(marker));
      child.kill(signal);
      const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      expect(code).toBe(128 + number);
      expect(stdout).toContain(`Exit code: ${128 + number} (${signal})`);
    });
  }

  // A terminal's Ctrl-C reaches the whole foreground group: the shim and peak-mem both pass
  // their copies on, and peak-mem must still deliver the command only the terminal's one.
  const script = Bun.which("script");
  const ctrlC = "Ctrl-C in a terminal reaches the command once, and the bin waits for the report";
  test.skipIf(process.platform !== "linux" || !script)(script ? ctrlC : `${ctrlC}: skipped, no script(1)`, async () => {
    const stop = join(dir, "ctrl-c-stop");
    const log = join(dir, "ctrl-c-log");
    const report = join(dir, "ctrl-c-report");
    // What the command saw and the report go to files: what script(1) copies from the terminal
    // is read by a process racing the command's exit, and its last bytes can be missed.
    const command = `n=0; trap 'n=$((n+1)); echo got INT $n >> ${log}' INT; echo ready >> ${log}; while [ $n -lt 2 ] && [ ! -e ${stop} ]; do sleep 0.05; done; echo done n=$n >> ${log}; exit 5`;
    for (const file of [stop, log, report]) rmSync(file, { force: true });
    const seen = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
    // script(1) runs it on a new pseudo-terminal and copies its own stdin there: a \x03 is Ctrl-C.
    // `exec`: script's shell ($SHELL, else sh) does not stay in between, in the foreground group;
    // dash would die of that Ctrl-C itself once its child exits (130), whatever peak-mem did.
    const child = Bun.spawn([script!, "-qec", `exec ${globalBin} -q -o ${report} -- sh -c '${command.replaceAll("'", `'\\''`)}'`, "/dev/null"], { stdin: "pipe", stdout: "pipe", detached: true });
    const terminal = new Response(child.stdout).text();
    await until(() => seen().includes("ready"));
    child.stdin.write("\x03");
    child.stdin.flush();
    await until(() => seen().includes("got INT 1"));
    // Room for a second copy to arrive, were one sent.
    await Bun.sleep(300);
    writeFileSync(stop, "");
    const code = await child.exited;
    child.stdin.end();
    const context = `terminal: ${JSON.stringify(await terminal)}`;
    expect(seen(), context).toBe("ready\ngot INT 1\ndone n=1\n");
    // The bin left only once peak-mem had written the report.
    expect(readFileSync(report, "utf8"), context).toMatch(/^\d+\n$/);
    expect(code, context).toBe(5);
  });

  test("when the binary dies of a signal, the bin dies of the same one", async () => {
    const pidFile = join(dir, "command-pid");
    const child = Bun.spawn([globalBin, "--", "sh", "-c", `echo $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; exec sleep 30`], { stdout: "pipe", stderr: "pipe", detached: true });
    await until(() => existsSync(pidFile));
    const native = childrenOf(child.pid);
    expect(native.length).toBe(1);
    process.kill(native[0]!, "SIGKILL");
    await child.exited;
    expect(child.signalCode).toBe("SIGKILL");
    // The command outlives a SIGKILLed peak-mem, as under time(1): ended here.
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
  });

  test("without its platform package: one line on stderr and 125", async () => {
    const result = await runArgv([join(prefixes!.mainOnly, "node_modules/.bin/peak-mem"), "--version"]);
    expect(result.code).toBe(125);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(new RegExp(`^peak-mem: the native binary for ${process.platform}-${process.arch} is not installed \\(npm package ${host!.name}\\): [^\\n]+\\n$`));
  });
});

// A registry on 127.0.0.1 with every package's metadata but only two tarballs: npm must pick
// this host's package by os, cpu and libc and fetch no other, with no install script.
describe.skipIf(!ready)(ready ? "installed by name from a registry" : "registry: skipped", () => {
  const fetched: string[] = [];
  const tarballs = new Map<string, string>();
  const sha = (algorithm: "sha512" | "sha1", data: Uint8Array, encoding: "base64" | "hex") => new Bun.CryptoHasher(algorithm).update(data).digest(encoding);
  const server: ReturnType<typeof Bun.serve> | undefined = ready
    ? Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch(request): Response {
          const path = decodeURIComponent(new URL(request.url).pathname);
          fetched.push(path);
          const tarball = tarballs.get(path);
          if (tarball) return new Response(Bun.file(tarball));
          const manifests = [mainManifest(), ...PLATFORM_PACKAGES.map((platform) => platformManifest(platform))];
          const manifest = manifests.find((candidate) => path === `/${candidate.name}`);
          if (!manifest) return new Response("{}", { status: 404 });
          const name = String(manifest.name);
          const file = name === "peak-mem" ? mainTarball : name === host!.name ? hostTarball : undefined;
          const data = file ? readFileSync(file) : new Uint8Array([0]);
          const url = `/${name}/-/${name.split("/").pop()}-${pkg.version}.tgz`;
          if (file) tarballs.set(url, file);
          const dist: Record<string, string> = { tarball: `http://127.0.0.1:${server!.port}${url}`, integrity: `sha512-${sha("sha512", data, "base64")}`, shasum: sha("sha1", data, "hex") };
          return Response.json({ name, "dist-tags": { latest: pkg.version }, versions: { [pkg.version]: { ...manifest, dist } } });
        },
      })
    : undefined;
  afterAll(() => server?.stop(true));

  test("npm install -g peak-mem fetches the main package and this host's, and it runs", async () => {
    const prefix = join(dir, "from-registry");
    mkdirSync(prefix);
    // A cache of its own: the offline installs above put both tarballs in theirs.
    await must(npmArgs("install", "--global", "--prefix", prefix, "--cache", join(dir, "registry-cache"), "--registry", `http://127.0.0.1:${server!.port}/`, "peak-mem"), "npm install from the registry");
    const downloads = fetched.filter((path) => path.endsWith(".tgz")).sort();
    expect(downloads).toEqual([`/${host!.name}/-/${host!.name.split("/")[1]}-${pkg.version}.tgz`, `/peak-mem/-/peak-mem-${pkg.version}.tgz`].sort());
    // Nested under the main package, as a global install from a registry lays it out.
    expect(existsSync(join(prefix, "lib/node_modules/peak-mem/node_modules", host!.name, host!.binary))).toBe(true);
    const others = PLATFORM_PACKAGES.filter((platform) => platform.name !== host!.name);
    for (const other of others) expect(existsSync(join(prefix, "lib/node_modules/peak-mem/node_modules", other.name))).toBe(false);
    const result = await runArgv([join(prefix, "bin/peak-mem"), "-q", "--", "sh", "-c", "exit 0"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\n$/);
  });
});
