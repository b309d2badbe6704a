#!/usr/bin/env node
// The `peak-mem` command of the npm package. npm installs one platform package with the
// native binary (optionalDependencies, chosen by their os, cpu and libc fields, as esbuild
// and Biome do; no install script). This starts it with stdio untouched, passes signals on,
// and leaves with its exit status, or dies of the signal it died of. Node cannot exec(), so
// this process stays in between: as the native peak-mem's parent it is never measured (peak-mem
// measures its own child, the command). The cost is Node's start-up (docs/install.md, "With npm").
"use strict";

const { spawn } = require("child_process");
const { existsSync } = require("fs");
const { constants } = require("os");

/** The platform packages that can run here, the likelier first: @peak-mem/linux-x64, … */
function packageNames(platform, arch, musl) {
  const key = `@peak-mem/${platform}-${arch}`;
  if (platform !== "linux") return [key];
  // Both may be installed (npm before 9.4 and lockfiles without libc ignore the field).
  return musl ? [`${key}-musl`, key] : [key, `${key}-musl`];
}

/** musl's loader without glibc's: Alpine. (process.report says it too, but costs milliseconds.) */
function isMusl(arch) {
  const machine = arch === "x64" ? "x86_64" : arch === "arm64" ? "aarch64" : arch;
  const glibcLoader = arch === "x64" ? "/lib64/ld-linux-x86-64.so.2" : `/lib/ld-linux-${machine}.so.1`;
  return existsSync(`/lib/ld-musl-${machine}.so.1`) && !existsSync(glibcLoader);
}

function findBinary() {
  const names = packageNames(process.platform, process.arch, process.platform === "linux" && isMusl(process.arch));
  const file = process.platform === "win32" ? "bin/peak-mem.exe" : "bin/peak-mem";
  for (const name of names) {
    try {
      return require.resolve(`${name}/${file}`);
    } catch {
      // Not installed: the next one, or the message below.
    }
  }
  process.stderr.write(
    `peak-mem: the native binary for ${process.platform}-${process.arch} is not installed (npm package ${names[0]}): ` +
      "reinstall peak-mem without --omit=optional / --no-optional, or see https://github.com/peak-mem/peak-mem#install\n",
  );
  process.exit(125);
}

function main() {
  const binary = findBinary();
  // On Windows a console's Ctrl-C and Ctrl-Break reach every process on it, and Node's kill()
  // there is TerminateProcess: nothing is forwarded, the shim only outlives them.
  const windows = process.platform === "win32";
  const signals = windows ? ["SIGINT", "SIGBREAK", "SIGHUP"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
  // Every one is passed on, also a terminal's Ctrl-C that peak-mem received too: peak-mem
  // itself does not send a signal from the terminal to a command in its group a second time.
  const handlers = signals.map((signal) => {
    const handler = () => {
      if (windows) return;
      try {
        child.kill(signal);
      } catch {
        // Already gone: its exit is on its way.
      }
    };
    process.on(signal, handler);
    return [signal, handler];
  });
  child.on("error", (error) => {
    process.stderr.write(`peak-mem: cannot start ${binary}: ${error.message}\n`);
    process.exit(125);
  });
  child.on("exit", (code, signal) => {
    if (signal === null) process.exit(code === null ? 125 : code);
    // Dies of the same signal, so a shell sees what it would have seen without the shim.
    for (const [name, handler] of handlers) process.removeListener(name, handler);
    try {
      process.kill(process.pid, signal);
    } catch {
      // A signal this platform cannot send: the status a shell would report.
    }
    // Still here (a signal Node ignores, such as SIGPIPE): the shell's number for it.
    setTimeout(() => process.exit(128 + (constants.signals[signal] || 0)), 100);
  });
}

if (require.main === module) main();
else module.exports = { packageNames, isMusl };
