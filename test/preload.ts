// Isolates every test from the developer's environment: no colour settings, no login shell,
// a private HOME and cache, UTC, C locale. End-to-end tests need the compiled binary:
// `npm test` builds it first; `bun test --timeout 60000` alone after `npm run build` works too.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const home = mkdtempSync(join(tmpdir(), "peak-mem-test-home-"));
// SHELL: a CI runner may have none, and script(1) runs its command with $SHELL, else sh.
for (const name of ["NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "COLUMNS", "SHELL"]) delete process.env[name];
process.env.HOME = home;
process.env.XDG_CACHE_HOME = join(home, ".cache");
process.env.TZ = "UTC";
process.env.LC_ALL = "C";

// Bun.spawn and Bun.spawnSync without an `env` give the child the environment Bun started
// with, not process.env as changed above: make them take it, so every child is isolated too.
type Spawner = (first: unknown, options?: Record<string, unknown>) => unknown;
for (const name of ["spawn", "spawnSync"] as const) {
  const original = Bun[name] as unknown as Spawner;
  const isolated: Spawner = (first, options) =>
    Array.isArray(first) ? original(first, { env: process.env, ...options }) : original({ env: process.env, ...(first as object) });
  (Bun as unknown as Record<string, Spawner>)[name] = isolated;
}
