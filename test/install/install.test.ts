// install.sh against a release served from 127.0.0.1, laid out as GitHub serves one
// (BASE/latest/download/FILE, BASE/download/TAG/FILE). The host's file is the real
// dist/peak-mem; every other release file is a tiny script that prints its own name, so the
// choice of file can be seen without building every target. Run under sh, dash and BusyBox
// ash (with only BusyBox's tools on PATH, as on Alpine) where they are installed.
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync, chownSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { RELEASE_TARGETS } from "../../scripts/build.ts";
import { BINARY, runArgv, tempDir, type Result } from "../helpers.ts";

const SCRIPT = resolve(import.meta.dir, "../../install.sh");
const TAG = `v${pkg.version}`;
const root = tempDir();

const sha256 = (data: Uint8Array | string) => new Bun.CryptoHasher("sha256").update(data).digest("hex");

/** The release file this machine should get, by the same rules as install.sh, found independently. */
function hostFile(): string {
  const arch = process.arch === "x64" ? "x64" : process.arch === "arm64" ? "arm64" : process.arch;
  const ldd = Bun.spawnSync(["sh", "-c", "ldd --version 2>&1"], { stdout: "pipe" }).stdout.toString();
  return `peak-mem-${process.platform}-${arch}${process.platform === "linux" && /musl/i.test(ldd) ? "-musl" : ""}`;
}
const HOST = hostFile();
const fakeNames = RELEASE_TARGETS.map(([, name]) => name).filter((name) => name !== HOST && !name.endsWith(".exe"));

/** A release directory: the host's binary (linked, it is large), a script per other file, SHA256SUMS. */
function release(name: string, tamper: boolean): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const host = join(dir, HOST);
  try {
    linkSync(BINARY, host);
  } catch {
    copyFileSync(BINARY, host);
  }
  let sums = `${sha256(readFileSync(host))}  ${HOST}\n`;
  for (const file of fakeNames) {
    const text = `#!/bin/sh\necho "peak-mem ${pkg.version} (${file})"\n`;
    writeFileSync(join(dir, file), text);
    sums += `${sha256(text)}  ${file}\n`;
  }
  writeFileSync(join(dir, "SHA256SUMS"), sums);
  if (tamper) {
    // The file served is not the one SHA256SUMS names: a changed byte, as a bad mirror would serve.
    rmSync(host);
    const bytes = readFileSync(BINARY);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(host, bytes);
    for (const file of fakeNames) writeFileSync(join(dir, file), `${readFileSync(join(dir, file), "utf8")}echo tampered\n`);
  }
  return dir;
}
const releases: Record<string, string> = { good: release("good", false), tampered: release("tampered", true) };

/** Every path asked for, to see which file the script chose and that a refused system asks for none. */
const requests: string[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const path = new URL(request.url).pathname;
    requests.push(path);
    const match = /^\/(\w+)\/(?:latest\/download|download\/([^/]+))\/([^/]+)$/.exec(path);
    const dir = match && releases[match[1]!];
    if (!dir || (match[2] !== undefined && match[2] !== TAG) || !existsSync(join(dir, match[3]!))) return new Response("not found", { status: 404 });
    return new Response(Bun.file(join(dir, match[3]!)));
  },
});
afterAll(() => {
  server.stop(true);
  // Each install is a copy of a 100 MiB binary.
  rmSync(root, { recursive: true, force: true });
});
const base = (name: string) => `http://127.0.0.1:${server.port}/${name}`;

let runs = 0;
interface Run extends Result {
  dir: string;
  tmp: string;
  asked: string[];
}
/** install.sh under `shell` with `env`, into a fresh directory, its temporary files in a private TMPDIR. */
async function install(shell: string[], env: Record<string, string | undefined> = {}, args: string[] = []): Promise<Run> {
  const n = ++runs;
  const dir = join(root, `into-${n}`);
  const tmp = join(root, `tmp-${n}`);
  mkdirSync(tmp);
  const before = requests.length;
  const result = await runArgv([...shell, SCRIPT, ...args], {
    env: { PEAK_MEM_BASE_URL: base("good"), PEAK_MEM_INSTALL_DIR: dir, TMPDIR: tmp, PEAK_MEM_VERSION: undefined, ...env },
  });
  return { ...result, dir, tmp, asked: requests.slice(before) };
}

/** A directory holding only BusyBox's applets, for a PATH like Alpine's (no curl, no coreutils). */
function busyboxOnly(): string | undefined {
  const busybox = Bun.which("busybox");
  if (!busybox) return undefined;
  const dir = join(root, "busybox-bin");
  mkdirSync(dir);
  for (const applet of Bun.spawnSync([busybox, "--list"], { stdout: "pipe" }).stdout.toString().split("\n")) {
    if (applet) symlinkSync(busybox, join(dir, applet));
  }
  return dir;
}
const busyboxBin = busyboxOnly();

/** A directory of links to exactly the system tools named: what a PATH without curl (or wget, or sha256sum) sees. */
function toolsOnly(name: string, tools: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const tool of tools) {
    const path = Bun.which(tool);
    if (!path) throw new Error(`${tool} is not installed`);
    symlinkSync(path, join(dir, tool));
  }
  return dir;
}
const BASIC_TOOLS = ["uname", "mkdir", "mktemp", "rm", "cp", "chmod", "mv", "awk", "cut", "tr", "sed", "grep", "ls", "cat"];

// By path: some runs give the script a PATH without the shell's directory.
const SH = Bun.which("sh")!;
const shells: [string, string[], Record<string, string>][] = [["sh", [SH], {}]];
if (Bun.which("dash")) shells.push(["dash", [Bun.which("dash")!], {}]);
if (busyboxBin) shells.push(["busybox ash, BusyBox tools only", [join(busyboxBin, "ash")], { PATH: busyboxBin }]);

describe("install.sh", () => {
  const missing = ["dash", "busybox"].filter((name) => !Bun.which(name));
  if (missing.length > 0) test.skip(`under ${missing.join(" and ")}: not installed (.ci/run installs them)`, () => {});

  for (const [name, shell, env] of shells) {
    test(`under ${name}: detects this system, verifies and installs the release, which runs`, async () => {
      const run = await install(shell, env);
      expect(run.stderr).not.toContain("error");
      expect(run.code).toBe(0);
      expect(run.asked).toEqual(["/good/latest/download/SHA256SUMS", `/good/latest/download/${HOST}`]);
      // The file installed is the release's, executable, alone in the directory.
      expect(readdirSync(run.dir)).toEqual(["peak-mem"]);
      const installed = join(run.dir, "peak-mem");
      expect(sha256(readFileSync(installed))).toBe(sha256(readFileSync(BINARY)));
      const version = await runArgv([installed, "--version"]);
      expect(version.stdout).toBe(`peak-mem ${pkg.version}\n`);
      expect(run.stderr).toContain(`installed peak-mem ${pkg.version} to ${installed}`);
      // Not on PATH: said, with the line to add.
      expect(run.stderr).toContain(`${run.dir} is not on your PATH`);
      expect(readdirSync(run.tmp)).toEqual([]);
    });

    test(`under ${name}: a tampered file is refused and nothing is installed`, async () => {
      const run = await install(shell, { ...env, PEAK_MEM_BASE_URL: base("tampered") });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^peak-mem install: downloading .*\\npeak-mem install: error: checksum mismatch for ${HOST} \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\): refusing to install it\\n$`));
      expect(existsSync(join(run.dir, "peak-mem"))).toBe(false);
      expect(readdirSync(run.dir)).toEqual([]);
      expect(readdirSync(run.tmp)).toEqual([]);
    });

    test(`under ${name}: an unsupported architecture or system is one line, before any download`, async () => {
      const arch = await install(shell, { ...env, PEAK_MEM_INSTALL_OS: "Linux", PEAK_MEM_INSTALL_ARCH: "riscv64" });
      expect(arch.code).toBe(1);
      expect(arch.stderr).toBe("peak-mem install: error: unsupported architecture 'riscv64' on linux: releases exist for x86-64 and arm64\n");
      const os = await install(shell, { ...env, PEAK_MEM_INSTALL_OS: "SunOS" });
      expect(os.code).toBe(1);
      expect(os.stderr).toBe("peak-mem install: error: unsupported operating system 'SunOS': releases exist for Linux and macOS\n");
      for (const run of [arch, os]) {
        expect(run.asked).toEqual([]);
        expect(existsSync(run.dir)).toBe(false);
      }
    });
  }

  const shellcheck = Bun.which("shellcheck");
  test.skipIf(!shellcheck)(shellcheck ? "shellcheck -s sh finds nothing" : "shellcheck: skipped, not installed", async () => {
    const result = await runArgv([shellcheck!, "-s", "sh", SCRIPT]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });

  test("picks each release file as scripts/build.ts names it", async () => {
    const systems: Record<string, Record<string, string>> = {
      "bun-linux-x64": { PEAK_MEM_INSTALL_OS: "Linux", PEAK_MEM_INSTALL_ARCH: "x86_64", PEAK_MEM_INSTALL_LIBC: "glibc" },
      "bun-linux-arm64": { PEAK_MEM_INSTALL_OS: "Linux", PEAK_MEM_INSTALL_ARCH: "aarch64", PEAK_MEM_INSTALL_LIBC: "glibc" },
      "bun-linux-x64-musl": { PEAK_MEM_INSTALL_OS: "Linux", PEAK_MEM_INSTALL_ARCH: "x86_64", PEAK_MEM_INSTALL_LIBC: "musl" },
      "bun-linux-arm64-musl": { PEAK_MEM_INSTALL_OS: "Linux", PEAK_MEM_INSTALL_ARCH: "arm64", PEAK_MEM_INSTALL_LIBC: "musl" },
      "bun-darwin-x64": { PEAK_MEM_INSTALL_OS: "Darwin", PEAK_MEM_INSTALL_ARCH: "x86_64" },
      "bun-darwin-arm64": { PEAK_MEM_INSTALL_OS: "Darwin", PEAK_MEM_INSTALL_ARCH: "arm64" },
    };
    for (const [target, file] of RELEASE_TARGETS) {
      if (target.includes("windows")) continue;
      // Every release target but Windows' has a system here (a target added to the build needs one).
      expect(Object.keys(systems)).toContain(target);
      if (file === HOST) continue;
      const run = await install([SH], systems[target]);
      expect(run.code).toBe(0);
      expect(run.asked.at(-1)).toBe(`/good/latest/download/${file}`);
      expect((await runArgv([join(run.dir, "peak-mem")])).stdout).toBe(`peak-mem ${pkg.version} (${file})\n`);
    }
    const windows = await install([SH], { PEAK_MEM_INSTALL_OS: "MINGW64_NT-10.0" });
    expect(windows.code).toBe(1);
    expect(windows.stderr).toContain("download peak-mem-windows-x64.exe");
  });

  test("PEAK_MEM_VERSION pins a release (with or without the v)", async () => {
    for (const version of [TAG, pkg.version]) {
      const run = await install([SH], { PEAK_MEM_VERSION: version, PEAK_MEM_INSTALL_ARCH: "arm64", PEAK_MEM_INSTALL_LIBC: "musl" });
      expect(run.code).toBe(0);
      expect(run.asked).toEqual([`/good/download/${TAG}/SHA256SUMS`, `/good/download/${TAG}/peak-mem-linux-arm64-musl`]);
    }
    const bad = await install([SH], { PEAK_MEM_VERSION: "latest;rm" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("peak-mem install: error: invalid PEAK_MEM_VERSION 'latest;rm': expected a release tag such as v0.2.0\n");
  });

  test("a network failure is one line naming the URL, and nothing is installed", async () => {
    // A release that does not exist (HTTP 404), and a port where nothing listens.
    const missing = await install([SH], { PEAK_MEM_VERSION: "v99.0.0" });
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = closed.port;
    closed.stop(true);
    const refused = await install([SH], { PEAK_MEM_BASE_URL: `http://127.0.0.1:${port}/good` });
    for (const [run, url] of [
      [missing, `${base("good")}/download/v99.0.0/SHA256SUMS`],
      [refused, `http://127.0.0.1:${port}/good/latest/download/SHA256SUMS`],
    ] as const) {
      expect(run.code).toBe(1);
      expect(run.stderr.split("\n").filter((line) => line.includes("error"))).toEqual([
        `peak-mem install: error: cannot download ${url} (curl exit ${run === missing ? 22 : 7}): check the version, the URL and your network`,
      ]);
      expect(readdirSync(run.dir)).toEqual([]);
      expect(readdirSync(run.tmp)).toEqual([]);
    }
  });

  const absent = ["curl", "wget", "shasum", "perl"].filter((tool) => !Bun.which(tool));
  const tools = "wget where curl is missing, shasum where sha256sum is (macOS), and neither download tool is an error";
  test.skipIf(absent.length > 0)(absent.length ? `${tools}: skipped, ${absent.join(", ")} not installed` : tools, async () => {
    const darwin = { PEAK_MEM_INSTALL_OS: "Darwin", PEAK_MEM_INSTALL_ARCH: "arm64" };
    const wgetShasum = toolsOnly("tools-wget-shasum", [...BASIC_TOOLS, "wget", "shasum", "perl"]);
    const run = await install([SH], { ...darwin, PATH: wgetShasum });
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    expect((await runArgv([join(run.dir, "peak-mem")])).stdout).toBe(`peak-mem ${pkg.version} (peak-mem-darwin-arm64)\n`);
    // The tampered release through the same tools: refused too.
    const tampered = await install([SH], { ...darwin, PEAK_MEM_BASE_URL: base("tampered"), PATH: wgetShasum });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain("checksum mismatch");
    const none = await install([SH], { ...darwin, PATH: toolsOnly("tools-none", BASIC_TOOLS) });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("peak-mem install: error: neither curl nor wget is installed: install one of them and run this again\n");
    expect(none.asked).toEqual([]);
    const noHash = await install([SH], { ...darwin, PATH: toolsOnly("tools-no-hash", [...BASIC_TOOLS, "curl"]) });
    expect(noHash.code).toBe(1);
    expect(noHash.stderr).toBe("peak-mem install: error: no sha256sum, shasum or openssl to check the download with: install one of them\n");
    expect(noHash.asked).toEqual([]);
  });

  test("an install directory on PATH is not remarked on; an unknown argument is usage", async () => {
    const dir = join(root, "on-path");
    const run = await install([SH], { PEAK_MEM_INSTALL_DIR: dir, PATH: `${dir}:${process.env.PATH}`, PEAK_MEM_INSTALL_ARCH: "arm64" });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("PATH");
    const usage = await install([SH], {}, ["--prefix=/opt"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("peak-mem install: error: unknown argument --prefix=/opt (settings are environment variables: see --help)\n");
  });

  // Without PEAK_MEM_INSTALL_DIR the script prefers /usr/local/bin, which root can write: a user
  // who cannot gets ~/.local/bin. Run as nobody, through setpriv, so /usr/local/bin is left alone.
  const asNobody = process.getuid?.() === 0 && Bun.which("setpriv") !== null;
  test.skipIf(!asNobody)(asNobody ? "a user who cannot write /usr/local/bin gets ~/.local/bin" : "~/.local/bin: skipped, needs root and setpriv", async () => {
    const home = join(root, "nobody-home");
    mkdirSync(join(home, "tmp"), { recursive: true });
    chownSync(home, 65534, 65534);
    chownSync(join(home, "tmp"), 65534, 65534);
    chmodSync(root, 0o755);
    const script = join(home, "install.sh");
    copyFileSync(SCRIPT, script);
    const run = await runArgv(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", script], {
      env: { HOME: home, TMPDIR: join(home, "tmp"), PEAK_MEM_BASE_URL: base("good"), PEAK_MEM_INSTALL_DIR: undefined, PEAK_MEM_INSTALL_ARCH: "arm64", PEAK_MEM_INSTALL_LIBC: "musl" },
    });
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    expect(existsSync(join(home, ".local/bin/peak-mem"))).toBe(true);
    expect(run.stderr).toContain(`${home}/.local/bin is not on your PATH`);
  });
});
