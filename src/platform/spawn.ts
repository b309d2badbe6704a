import { EXIT_FAILED, EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, SpawnError } from "../core/errors.ts";
import type { Subprocess } from "bun";
import type { CommandChild, ProcessReader } from "./types.ts";

// Starts the command with the terminal and stdio untouched and no shell: argv goes to the
// kernel as given (a file it cannot run, a script without #!, goes to /bin/sh, as execvp does). Failures to start become the shell's codes: 127 not found, 126 found
// but not executable; a system that refuses a new process (a process limit, no memory) is
// not the command's fault: 125, peak-mem's own failure code. node:fs and node:path are
// loaded only to explain a command that did not start.
//
// Where the platform has a spawn that hands back the command's exact rusage (Linux: the
// spawn helper, src/platform/linux/spawn-helper/spawn.ts) it is used; else the runtime's.

export type Environment = Record<string, string | undefined>;

/** `env`: only when it differs from peak-mem's own (Bun.spawn otherwise passes that one). */
export function spawnCommand(argv: string[], reader: ProcessReader, env?: Environment): CommandChild {
  const exact = reader.spawnExact?.(argv, env);
  if (exact) return exact;
  const spawn = (args: string[]) => runtimeChild(Bun.spawn(args, { stdio: ["inherit", "inherit", "inherit"], ...(env && { env }) }), reader);
  try {
    return spawn(argv);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A file the kernel cannot run (a script without #!) is run by /bin/sh, as execvp and
    // every shell do (the runtime's spawn does not); if that fails too, the command's own
    // error is the one reported.
    const path = code === "ENOEXEC" && process.platform !== "win32" ? commandPath(argv[0] ?? "", env) : undefined;
    if (path !== undefined) {
      try {
        return spawn(["/bin/sh", path, ...argv.slice(1)]);
      } catch {
        // reported as the command's ENOEXEC below
      }
    }
    throw spawnError(argv[0] ?? "", code);
  }
}

/**
 * The file `name` runs, found as the runtime's spawn finds it: a name with a slash as it
 * is, else the first executable of that name on the command's PATH; undefined if none.
 */
export function commandPath(name: string, env?: Environment): string | undefined {
  if (name.includes("/")) return name;
  const path = (env ?? process.env).PATH;
  return Bun.which(name, path === undefined ? undefined : { PATH: path }) ?? undefined;
}

export function spawnError(name: string, code: string | undefined): SpawnError {
  const hasPath = name.includes("/") || (process.platform === "win32" && name.includes("\\"));
  if (code === "ENOENT") {
    if (!hasPath && nonExecutableOnPath(name)) return notExecutable(name, "permission denied");
    return new SpawnError(hasPath ? `${name}: no such file or directory` : `command not found: ${name}`, EXIT_NOT_FOUND);
  }
  if (code === "EACCES" || code === "EISDIR") {
    return notExecutable(name, isDirectory(name) ? "is a directory" : "permission denied (not executable?)");
  }
  if (code === "ENOEXEC") return notExecutable(name, "exec format error (not a binary for this machine, and /bin/sh could not run it)");
  const resource = code === undefined ? undefined : RESOURCE_FAILURES[code];
  if (resource) return new SpawnError(`cannot start ${name}: ${resource} (${code})`, EXIT_FAILED);
  return notExecutable(name, `cannot start it (${code ?? "unknown error"})`);
}

/** The system, not the command, said no. */
const RESOURCE_FAILURES: Record<string, string> = {
  EAGAIN: "the system refused a new process (a process limit is reached: ulimit -u, or the cgroup's pids.max)",
  ENOMEM: "not enough memory to start it",
  EMFILE: "too many open files in peak-mem",
  ENFILE: "too many open files in the system",
};

function notExecutable(name: string, why: string): SpawnError {
  return new SpawnError(`${name}: ${why}`, EXIT_NOT_EXECUTABLE);
}

function isDirectory(path: string): boolean {
  try {
    return process.getBuiltinModule("node:fs").statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Like a shell: a file of that name on PATH that cannot be executed means 126, not 127. */
function nonExecutableOnPath(name: string): boolean {
  const { accessSync, constants, statSync } = process.getBuiltinModule("node:fs");
  const { delimiter, join } = process.getBuiltinModule("node:path");
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(path, constants.X_OK);
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * The command as the runtime spawned it (vfork + exec). Its ru_maxrss is exact only above
 * the platform's floor (Linux: peak-mem's own peak, since the vforked child shares peak-mem's
 * memory until exec, and exec keeps that memory's high-water mark in ru_maxrss).
 */
export function runtimeChild(subprocess: Subprocess<"inherit", "inherit", "inherit">, reader: ProcessReader): CommandChild {
  return {
    pid: subprocess.pid,
    spawnerPid: subprocess.pid,
    exited: subprocess.exited,
    kill: (signal) => subprocess.kill(signal),
    end() {
      const signal = typeof subprocess.signalCode === "string" ? subprocess.signalCode : undefined;
      const exitCode = reader.exitCode?.(subprocess.pid) ?? subprocess.exitCode ?? 0;
      const maxRss = subprocess.resourceUsage()?.maxRSS;
      const floor = reader.rusageFloor?.();
      const useful = maxRss !== undefined && floor !== undefined && maxRss > floor;
      return { exitCode, ...(signal && { signal }), ...(useful && { maxRss }) };
    },
  };
}
