// Needs root: the binary runs as nobody and as a user with no passwd entry (setpriv), to see
// the default baseline directory refused where that user has no usable home.
// Regression baselines on the compiled binary, for another user: the rest is in
// test/e2e/baseline.test.ts.
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { BINARY, openPlace, peakMemBare, type Result, tempDir } from "../helpers.ts";

describe("when the default directory cannot be used, it is named as the default", () => {
  const DEFAULT_HINT = "(set --baseline-dir or XDG_CACHE_HOME)";
  const bare = peakMemBare;

  const asRoot = process.getuid?.() === 0 && existsSync("/usr/bin/setpriv") ? test : test.skip;

  asRoot("as nobody with HOME unset: its passwd home, named as the default, never as --baseline-dir", async () => {
    const { marker } = openPlace();
    const { code, stdout, stderr } = await bare(["--save-baseline", "x", "touch", marker], {}, 65534);
    expect(stderr).toMatch(/^peak-mem: cannot save baselines in the default baseline directory '[^']+': [^\n]+ \(set --baseline-dir or XDG_CACHE_HOME\)\n$/);
    expect(stderr).not.toContain("in --baseline-dir");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
  });

  asRoot("as nobody with an unwritable HOME: permission denied, in the default directory", async () => {
    const { code, stderr } = await bare(["--save-baseline", "x", "true"], { HOME: "/" }, 65534);
    expect(stderr).toBe(`peak-mem: cannot save baselines in the default baseline directory '/.cache/peak-mem/baselines': permission denied ${DEFAULT_HINT}\n`);
    expect(code).toBe(2);
  });

  asRoot("a user with no passwd entry and no HOME: no default directory, exit 2 (not an internal error)", async () => {
    for (const args of [["--save-baseline", "x", "true"], ["--list-baselines"], ["--delete-baseline", "x"]]) {
      const { code, stderr } = await bare(args, {}, 54321);
      expect(stderr).toBe(`peak-mem: no default baseline directory: HOME is not set and this user has no home directory ${DEFAULT_HINT}\n`);
      expect(code).toBe(2);
    }
  });
});
