// Isolates every test from the developer's environment: no colour settings, a private
// HOME and cache, UTC, C locale. End-to-end tests need the compiled binary: `npm test`
// builds it first; running `bun test` alone after `npm run build` works too.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const home = mkdtempSync(join(tmpdir(), "peak-mem-test-home-"));
for (const name of ["NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "COLUMNS"]) delete process.env[name];
process.env.HOME = home;
process.env.XDG_CACHE_HOME = join(home, ".cache");
process.env.TZ = "UTC";
process.env.LC_ALL = "C";
