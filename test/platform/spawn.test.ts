import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandPath, spawnCommand, spawnError } from "../../src/platform/spawn.ts";
import type { ProcessReader } from "../../src/platform/types.ts";
import { EXIT_FAILED, EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, SpawnError } from "../../src/core/errors.ts";

const root = mkdtempSync(join(tmpdir(), "peak-mem-spawn-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A command name no PATH holds. */
const NOWHERE = "peak-mem-test-no-such-command";

describe("spawnError", () => {
  test("EAGAIN: the system refused a new process, peak-mem's failure (125), not the command's", () => {
    const error = spawnError("make", "EAGAIN");
    expect(error).toBeInstanceOf(SpawnError);
    expect(error.exitCode).toBe(EXIT_FAILED);
    expect(error.exitCode).toBe(125);
    expect(error.message).toStartWith("cannot start make: ");
    expect(error.message).toContain("refused a new process");
    expect(error.message).toContain("ulimit -u");
    expect(error.message).toContain("pids.max");
    expect(error.message).toEndWith("(EAGAIN)");
  });

  test("the other resource failures are 125 too, each in its own words", () => {
    const noMemory = spawnError("make", "ENOMEM");
    expect(noMemory.exitCode).toBe(125);
    expect(noMemory.message).toBe("cannot start make: not enough memory to start it (ENOMEM)");
    expect(spawnError("make", "EMFILE").exitCode).toBe(125);
    expect(spawnError("make", "EMFILE").message).toContain("too many open files in peak-mem (EMFILE)");
    expect(spawnError("make", "ENFILE").exitCode).toBe(125);
    expect(spawnError("make", "ENFILE").message).toContain("too many open files in the system (ENFILE)");
  });

  test("not found keeps 127", () => {
    const bare = spawnError(NOWHERE, "ENOENT");
    expect(bare.exitCode).toBe(EXIT_NOT_FOUND);
    expect(bare.exitCode).toBe(127);
    expect(bare.message).toBe(`command not found: ${NOWHERE}`);
    const withPath = spawnError("./build/run", "ENOENT");
    expect(withPath.exitCode).toBe(127);
    expect(withPath.message).toBe("./build/run: no such file or directory");
  });

  test("not executable keeps 126", () => {
    const denied = spawnError(join(root, "script.sh"), "EACCES");
    expect(denied.exitCode).toBe(EXIT_NOT_EXECUTABLE);
    expect(denied.exitCode).toBe(126);
    expect(denied.message).toBe(`${join(root, "script.sh")}: permission denied (not executable?)`);
    const directory = spawnError(root, "EACCES");
    expect(directory.exitCode).toBe(126);
    expect(directory.message).toBe(`${root}: is a directory`);
    expect(spawnError("./a.out", "ENOEXEC").exitCode).toBe(126);
  });

  test("a file of that name on PATH that cannot be executed: 126, as a shell says", () => {
    const dir = join(root, "bin");
    mkdirSync(dir);
    writeFileSync(join(dir, NOWHERE), "#!/bin/sh\n");
    chmodSync(join(dir, NOWHERE), 0o644);
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      const error = spawnError(NOWHERE, "ENOENT");
      expect(error.exitCode).toBe(126);
      expect(error.message).toBe(`${NOWHERE}: permission denied`);
    } finally {
      process.env.PATH = saved;
    }
  });

  test("an unknown code, or none: 126 with the code named", () => {
    expect(spawnError("make", "EWHATEVER").exitCode).toBe(126);
    expect(spawnError("make", "EWHATEVER").message).toBe("make: cannot start it (EWHATEVER)");
    expect(spawnError("make", undefined).message).toBe("make: cannot start it (unknown error)");
  });
});

describe("spawnCommand", () => {
  // The runtime's own spawn: a reader with no exact spawn (the Linux one is tested end to end).
  const runtimeOnly = { exitCode: () => undefined } as unknown as ProcessReader;

  test("a command that does not exist is a SpawnError with 127", () => {
    let error: unknown;
    try {
      spawnCommand([join(root, "no-such-program")], runtimeOnly);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as SpawnError).exitCode).toBe(127);
    expect((error as SpawnError).message).toBe(`${join(root, "no-such-program")}: no such file or directory`);
  });

  test.skipIf(process.platform === "win32")("a script without #! runs under /bin/sh, as execvp runs it, with its arguments and exit code", async () => {
    const script = join(root, "no-shebang");
    const out = join(root, "no-shebang.out");
    writeFileSync(script, `echo "$0 $*" > '${out}'\nexit 7\n`);
    chmodSync(script, 0o755);
    const child = spawnCommand([script, "a", "b c"], runtimeOnly);
    await child.exited;
    expect(child.end().exitCode).toBe(7);
    expect(readFileSync(out, "utf8")).toBe(`${script} a b c\n`);
  });

  test("through the runtime's spawn, the end is its exit code and no ru_maxrss at or below the floor", async () => {
    const reader = { rusageFloor: () => 1e12 } as unknown as ProcessReader;
    const child = spawnCommand(["sh", "-c", "exit 5"], reader);
    await child.exited;
    expect(child.spawnerPid).toBe(child.pid);
    expect(child.end()).toEqual({ exitCode: 5 });
  });

  test("through the runtime's spawn, a signal is named and ru_maxrss above the floor kept", async () => {
    const reader = { rusageFloor: () => 0 } as unknown as ProcessReader;
    const child = spawnCommand(["sh", "-c", "kill -9 $$"], reader);
    await child.exited;
    expect(child.end()).toEqual({ exitCode: expect.any(Number), signal: "SIGKILL", maxRss: expect.any(Number) });
  });

  test("the reader's exact spawn is used when it gives a child", () => {
    const fake = { pid: 1, spawnerPid: 2, exited: Promise.resolve(), kill() {}, end: () => ({ exitCode: 0 }) };
    const reader = { spawnExact: () => fake } as unknown as ProcessReader;
    expect(spawnCommand(["anything"], reader)).toBe(fake);
  });
});

describe("commandPath", () => {
  test("a name with a slash is taken as it is", () => {
    expect(commandPath("./x")).toBe("./x");
    expect(commandPath("/no/such")).toBe("/no/such");
  });

  test("a bare name is found on the command's PATH, not peak-mem's", () => {
    const bin = join(root, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "only-here"), "#!/bin/sh\n", { mode: 0o755 });
    expect(commandPath("only-here", { PATH: bin })).toBe(join(bin, "only-here"));
    expect(commandPath("only-here", { PATH: "/nonexistent" })).toBeUndefined();
  });
});
