// peak-mem runs a command as time(1) and every shell do: a script without #! (which the kernel
// refuses with ENOEXEC) runs under /bin/sh, as execvp runs it, with the same output and exit code.
import { expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, peakMemJson, runArgv, tempDir } from "../helpers.ts";

const dir = tempDir();
const script = join(dir, "no-shebang");
writeFileSync(script, 'echo "ran: $0 [$1] [$2]"\nexit 7\n');
chmodSync(script, 0o755);

test.skipIf(process.platform === "win32")("a script without #!: run by /bin/sh, its output and exit code as a shell's", async () => {
  const shell = await runArgv(["sh", "-c", `"$0" one "two words"`, script]);
  expect(shell.code).toBe(7);
  const { code, stdout, stderr, report } = await peakMemJson(["--", script, "one", "two words"]);
  expect(stderr).toBe("");
  expect(code).toBe(7);
  expect(stdout.startsWith(shell.stdout)).toBe(true);
  expect(stdout.startsWith(`ran: ${script} [one] [two words]\n`)).toBe(true);
  expect(report.exit_code).toBe(7);
  expect(report.peak_rss_bytes as number).toBeGreaterThan(0);
});

test.skipIf(process.platform === "win32")("found on PATH, the same", async () => {
  const { code, stdout } = await runArgv(["env", `PATH=${dir}:${process.env.PATH}`, BINARY, "-q", "--", "no-shebang", "x"]);
  expect(code).toBe(7);
  expect(stdout.split("\n")[0]).toBe(`ran: ${script} [x] []`);
});
