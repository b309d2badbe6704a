import { memoryFile, pipe, reapChild } from "../ffi.ts";
import { EXIT_FAILED } from "../../../core/errors.ts";
import { signalName } from "../../../core/exit-code.ts";
import { helperElf } from "./elf.ts";
import { decodeEnd, decodeExecStatus, decodePid, END_RECORD_BYTES, ERRNO_NAMES, waitStatus } from "./protocol.ts";
import { commandPath, spawnError, type Environment } from "../../spawn.ts";
import { files } from "../../files.ts";
import type { CommandChild, CommandEnd } from "../../types.ts";

// The command started the way GNU time starts it: a tiny static program (the spawn helper,
// src/platform/linux/spawn-helper/) forks it, execs it and waits for it, and hands back its wait status
// and rusage. A forked child's ru_maxrss starts from the forker's own few pages, so it is
// the command's exact peak with no floor; the runtime's vfork + exec would instead leave
// peak-mem's ~37 MiB high-water mark in it (the vforked child runs in peak-mem's memory until
// exec, and exec keeps that memory's high-water mark in ru_maxrss).
//
// Why a helper and not the alternatives, as measured (issue 11): fork() from JavaScript
// crashes the forked runtime; C compiled at run time by bun:ffi's TinyCC costs ~3.6 ms per
// run and still leaves a ~4.4 MiB floor. The helper costs one more exec of a few hundred
// bytes (it lives in memory: memfd, so a full or read-only disk does not matter) and has a
// floor of a few pages. Where it cannot run (no memfd, exec of memory forbidden), the
// runtime's spawn is used and the floor rule applies again.
//
// It talks through two pipes: fd 3 carries an exec failure, or reaches end-of-file once the
// command has been exec'd, so peak-mem knows before anything runs whether it started; fd 4
// carries the command's pid at once, then its wait status and rusage when it ends.

let helperFd: number | null | undefined;

/** The helper, written once per run into an in-memory file; null where there is none. */
function helperFile(): number | null {
  if (helperFd !== undefined) return helperFd;
  helperFd = null;
  if (process.arch !== "x64" && process.arch !== "arm64") return helperFd;
  const fd = memoryFile("peak-mem-spawn");
  if (fd === undefined) return helperFd;
  try {
    const bytes = helperElf(process.arch);
    if (files().write(fd, bytes, 0, bytes.length, 0) === bytes.length) helperFd = fd;
  } catch {
    // Memory refused: the runtime's spawn it is.
  }
  if (helperFd === null) files().close(fd);
  return helperFd;
}

/** Reads up to `buffer.length` bytes, until end-of-file or the buffer is full. */
function readFull(fd: number, buffer: Uint8Array): number {
  let length = 0;
  while (length < buffer.length) {
    let n: number;
    try {
      n = files().read(fd, buffer, length, buffer.length - length);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN" || (error as NodeJS.ErrnoException).code === "EINTR") continue;
      throw error;
    }
    if (n === 0) break;
    length += n;
  }
  return length;
}

const closeAll = (...fds: (number | undefined)[]) => {
  for (const fd of fds) {
    if (fd === undefined) continue;
    try {
      files().close(fd);
    } catch {
      // Already closed.
    }
  }
};

const RESOURCE_CODES = new Set(["EAGAIN", "ENOMEM", "EMFILE", "ENFILE"]);

/** How the command ended, from its wait status's parts and its ru_maxrss. */
function ending(signal: number, exitCode: number, maxRss: number): CommandEnd {
  return signal ? { exitCode: 128 + signal, signal: signalName(signal), maxRss } : { exitCode, maxRss };
}

/**
 * Starts `argv` through the helper. Undefined when the helper cannot run here (nothing has
 * been started then). Throws a SpawnError when the command itself cannot be started.
 */
export function spawnThroughHelper(argv: string[], env?: Environment): CommandChild | undefined {
  const name = argv[0] ?? "";
  const helper = helperFile();
  if (helper === null) return undefined;
  // Resolved here, as the runtime would: the helper execs a path, it has no PATH search.
  const path = commandPath(name, env);
  if (path === undefined) throw spawnError(name, "ENOENT");
  const execPipe = pipe();
  const resultPipe = execPipe && pipe();
  if (!execPipe || !resultPipe) {
    closeAll(...(execPipe ?? []));
    return undefined;
  }
  let spawned: ReturnType<typeof Bun.spawn>;
  try {
    spawned = Bun.spawn([`/proc/${process.pid}/fd/${helper}`, path, ...argv], {
      argv0: "peak-mem-spawn",
      stdio: ["inherit", "inherit", "inherit", execPipe[1], resultPipe[1]],
      ...(env && { env }),
    });
  } catch (error) {
    closeAll(...execPipe, ...resultPipe);
    const code = (error as NodeJS.ErrnoException).code;
    // Out of processes or memory: the command could not start either. Anything else
    // (exec of memory forbidden) is the helper's problem alone.
    if (code !== undefined && RESOURCE_CODES.has(code)) throw spawnError(name, code);
    return undefined;
  } finally {
    closeAll(execPipe[1], resultPipe[1]);
  }
  // End-of-file on fd 3: the command has been exec'd. A record: it could not be.
  const record = new Uint8Array(8);
  const status = decodeExecStatus(record, readFull(execPipe[0], record));
  closeAll(execPipe[0]);
  if (status.failed) {
    closeAll(resultPipe[0]);
    const code = ERRNO_NAMES[status.errno] ?? `errno ${status.errno}`;
    // A fork that failed is the system's refusal whatever errno it gave.
    throw spawnError(name, status.stage === "fork" && !RESOURCE_CODES.has(code) ? "EAGAIN" : code);
  }
  const pid = decodePid(record, readFull(resultPipe[0], record));
  if (pid === undefined) {
    // The helper died before it could fork: nothing runs; the runtime's spawn it is.
    closeAll(resultPipe[0]);
    return undefined;
  }
  return new HelperChild(pid, spawned, resultPipe[0]);
}

class HelperChild implements CommandChild {
  readonly spawnerPid: number;
  readonly exited: Promise<unknown>;
  private ending: CommandEnd | undefined;

  constructor(
    readonly pid: number,
    helper: ReturnType<typeof Bun.spawn>,
    private readonly resultFd: number,
  ) {
    this.spawnerPid = helper.pid;
    this.exited = helper.exited.then(() => this.collect());
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.ending) process.kill(this.pid, signal);
  }

  end(): CommandEnd {
    return this.ending ?? { exitCode: EXIT_FAILED, lost: "it had not ended" };
  }

  /** After the helper exited: its report, or, if it was killed first, the command itself. */
  private async collect(): Promise<void> {
    const record = new Uint8Array(END_RECORD_BYTES);
    let end: ReturnType<typeof decodeEnd>;
    try {
      end = decodeEnd(record, readFull(this.resultFd, record));
    } finally {
      closeAll(this.resultFd);
    }
    if (end) {
      const how = waitStatus(end.status);
      this.ending = "signal" in how ? ending(how.signal, 0, end.maxRssBytes) : ending(0, how.exitCode, end.maxRssBytes);
      return;
    }
    // The helper was killed (SIGKILL) before the command ended: the command, orphaned, came
    // to peak-mem as its subreaper and is waited for here; else its status is lost.
    for (;;) {
      const done = reapChild(this.pid);
      if (done) {
        this.ending = ending(done.signal, done.exitCode, done.maxRss);
        return;
      }
      try {
        process.kill(this.pid, 0);
      } catch {
        this.ending = { exitCode: EXIT_FAILED, lost: "its spawn helper was killed, and it was not peak-mem's to wait for" };
        return;
      }
      await Bun.sleep(20);
    }
  }
}
