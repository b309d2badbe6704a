import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, BINARY, MiB, peakMem, runArgv, tempDir } from "../helpers.ts";

// PEAK_MEM_NO_WORKAROUNDS=1 turns off every workaround for the Bun runtime
// (src/runtime/workarounds.ts), for bisecting an upgrade of it: peak-mem must then measure the
// same things, only at its runtime's plain cost.

const OFF = { PEAK_MEM_NO_WORKAROUNDS: "1" };

test("with the workarounds off: the same exit code, the peak of a 60 MiB allocation, a whole report", async () => {
  const { code, stdout } = await peakMem(["--json", "--interval", "10", "--", ...allocate(60, 400)], { env: OFF });
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as Record<string, number>;
  expect(report.peak_rss_bytes).toBeGreaterThan(60 * MiB);
  expect(report.samples).toBeGreaterThan(5);
  const failing = await peakMem(["-q", "--", "sh", "-c", "exit 7"], { env: OFF });
  expect(failing.code).toBe(7);
});

// The idle waits are the one workaround a system call shows: between samples peak-mem sleeps
// in ppoll(2) on the event loop's descriptors, instead of the event loop's own timers.
const STRACE = Bun.which("strace");
test.skipIf(!STRACE || process.platform !== "linux")(`the idle waits are used by default and not with the switch${STRACE ? "" : " (skipped: no strace)"}`, async () => {
  const ppolls = async (env: Record<string, string>) => {
    const out = join(tempDir(), "strace");
    const run = await runArgv([STRACE as string, "-f", "-e", "trace=ppoll", "-o", out, BINARY, "-q", "--interval", "20", "--", "sleep", "0.6"], { env: { ...process.env, ...env } });
    expect(run.code).toBe(0);
    return readFileSync(out, "utf8").split("\n").filter((line) => line.includes("ppoll(")).length;
  };
  expect(await ppolls({})).toBeGreaterThan(5);
  expect(await ppolls(OFF)).toBe(0);
});
