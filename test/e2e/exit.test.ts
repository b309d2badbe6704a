// Exit codes, signals and stdio pass through the compiled binary untouched.
import { expect, test } from "bun:test";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, BUN, peakMem, peakMemJson, tempDir } from "../helpers.ts";

test.each([0, 1, 3, 42, 255])("exit code %d is passed through", async (status) => {
  const { code, report } = await peakMemJson(["--", "sh", "-c", `exit ${status}`]);
  expect(code).toBe(status);
  expect(report.exit_code).toBe(status);
  expect(report.signal).toBeUndefined();
});

test.each([
  ["SIGKILL", 9],
  ["SIGTERM", 15],
  ["SIGSEGV", 11],
])("death by %s gives 128+%d and names the signal", async (signal, number) => {
  const { code, report } = await peakMemJson(["--", BUN, "-e", `process.kill(process.pid, "${signal}")`]);
  expect(code).toBe(128 + number);
  expect(report.exit_code).toBe(128 + number);
  expect(report.signal).toBe(signal);
});

test("the human report names the signal too", async () => {
  const { code, stdout } = await peakMem(["--", "sh", "-c", "kill -KILL $$"]);
  expect(code).toBe(137);
  expect(stdout).toContain("Exit code: 137 (SIGKILL)");
});

test("a command that is not found exits 127 with one line", async () => {
  const { code, stdout, stderr } = await peakMem(["--", "no-such-command-peak-mem"]);
  expect(code).toBe(127);
  expect(stdout).toBe("");
  expect(stderr).toBe("peak-mem: command not found: no-such-command-peak-mem\n");
});

test("a missing path exits 127", async () => {
  const { code, stderr } = await peakMem(["--", "./definitely/not/here"]);
  expect(code).toBe(127);
  expect(stderr.trim().split("\n")).toHaveLength(1);
});

test("a file that is not executable exits 126, and so does a directory", async () => {
  const dir = tempDir();
  const file = join(dir, "script.sh");
  writeFileSync(file, "#!/bin/sh\necho hi\n");
  chmodSync(file, 0o644);
  for (const target of [file, dir]) {
    const { code, stdout, stderr } = await peakMem(["--", target]);
    expect(code).toBe(126);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^peak-mem: .+\n$/);
  }
});

test("SIGTERM, SIGINT, SIGHUP and SIGQUIT are forwarded to the command and the report is still printed", async () => {
  for (const [signal, number] of [
    ["SIGTERM", 15],
    ["SIGINT", 2],
    ["SIGHUP", 1],
    ["SIGQUIT", 3],
  ] as const) {
    const ready = join(tempDir(), "ready");
    // detached: a session of its own, so no terminal is involved even when tests run in one.
    const child = Bun.spawn([BINARY, "--json", "--", "sh", "-c", `echo > ${ready}; exec sleep 30`], {
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
    while (!existsSync(ready)) await Bun.sleep(10);
    await Bun.sleep(50); // let sh reach exec
    child.kill(signal);
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(128 + number);
    const report = JSON.parse(stdout);
    expect(report.exit_code).toBe(128 + number);
    expect(report.signal).toBe(signal);
  }
});

test("a command that handles the forwarded signal decides the exit code", async () => {
  const ready = join(tempDir(), "ready");
  const script = `process.on("SIGTERM", () => process.exit(7)); require("fs").writeFileSync(${JSON.stringify(ready)}, ""); setInterval(() => {}, 1000);`;
  const child = Bun.spawn([BINARY, "-q", "--", BUN, "-e", script], { stdout: "pipe", detached: true });
  while (!existsSync(ready)) await Bun.sleep(10);
  child.kill("SIGTERM");
  const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  expect(code).toBe(7);
  expect(stdout).toMatch(/^\d+\n$/);
});

test("stdin, stdout and stderr belong to the command", async () => {
  const { code, stdout, stderr } = await peakMem(["-q", "--", "sh", "-c", "cat; echo to-stderr >&2"], { stdin: "hello\nworld\n" });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^hello\nworld\n\d+\n$/);
  expect(stderr).toBe("to-stderr\n");
});

test("argv goes to the command as given, with no shell", async () => {
  const { stdout } = await peakMem(["-q", "--", "printf", "%s|", "a b", "$HOME", "*", "-la"]);
  expect(stdout).toMatch(/^a b\|\$HOME\|\*\|-la\|\d+\n$/);
});

test("option parsing stops at the first non-option", async () => {
  const { code, stdout } = await peakMem(["-q", "printf", "%s", "-j"]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^-j\d+\n$/);
});

test("threshold crossed: exit 1 when the command succeeded, its own code otherwise", async () => {
  const ok = await peakMem(["-t", "1M", "--", BUN, "-e", "Buffer.alloc(50e6, 1)"]);
  expect(ok.code).toBe(1);
  expect(ok.stdout).toContain("THRESHOLD EXCEEDED");
  const failed = await peakMemJson(["-t", "1M", "--", BUN, "-e", "Buffer.alloc(50e6, 1); process.exit(4)"]);
  expect(failed.code).toBe(4);
  expect(failed.report.threshold_exceeded).toBe(true);
  expect(failed.report.threshold_bytes).toBe(1_000_000);
  const under = await peakMemJson(["-t", "1GiB", "--", "true"]);
  expect(under.code).toBe(0);
  expect(under.report.threshold_exceeded).toBe(false);
});

test("peak-mem returns when the command exits, not at the next tick", async () => {
  // At a 60 s interval, waiting out the tick would blow the test's 10 s limit.
  const { code, report } = await peakMemJson(["--interval", "60000", "--", "sleep", "0.2"]);
  expect(code).toBe(0);
  expect(report.samples).toBeLessThanOrEqual(2);
}, 10_000);

test("a report nobody reads any more (| head) keeps the command's status, silently", async () => {
  const { BINARY } = await import("../helpers.ts");
  // stdout is a pipe whose reader has gone: the report meets EPIPE.
  const direct = Bun.spawn(["bash", "-c", `'${BINARY}' -- sh -c 'sleep 0.2; exit 5' | true; exit \${PIPESTATUS[0]}`], { stderr: "pipe" });
  const [err, code] = await Promise.all([new Response(direct.stderr).text(), direct.exited]);
  expect(err).toBe("");
  expect(code).toBe(5);
});

test("a report that cannot be written fails the run with one line", async () => {
  const { code, stderr } = await peakMem(["-o", "/dev/full", "--", "true"]);
  expect(code).toBe(1);
  expect(stderr).toMatch(/^peak-mem: cannot write the report: [^\n]+\n$/);
});
