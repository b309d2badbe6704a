// Needs root: it runs peak-mem as nobody (setpriv) over a setuid-root process of the tree,
// whose smaps_rollup nobody may not read.
// --pss on the compiled binary when a process of the tree is another user's: it is counted by
// its RSS, and the report says so. The rest of --pss is in test/e2e/pss.test.ts.
import { describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, CC, cFixture, MiB, runArgv } from "../helpers.ts";

const linux = process.platform === "linux";

describe.if(linux && Boolean(CC))("--pss", () => {
  test.if(process.getuid?.() === 0 && Boolean(Bun.which("setpriv")))("as nobody, a root process of the tree is counted by its RSS and said to be", async () => {
    // A setuid-root copy of alloc becomes root through and through: nobody may not read its smaps_rollup.
    const shared = mkdtempSync(join(tmpdir(), "peak-mem-pss-"));
    chmodSync(shared, 0o755);
    const hold = await cFixture("alloc", shared, { flags: ["-DBECOME_ROOT"], as: "hold" });
    chownSync(hold, 0, 0);
    chmodSync(hold, 0o4755);
    const nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    const { code, stdout } = await runArgv([...nobody, BINARY, "--json", "--pss", "--interval", "50", "--", "sh", "-c", `'${hold}' 40 1000`]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect((report.pss_sampling as Record<string, number>).unreadable_processes).toBe(1);
    // Its RSS stands in for its PSS: the sum is at least the 40 MiB it holds.
    expect(report.peak_pss_bytes as number).toBeGreaterThan(40 * MiB);
    const human = await runArgv([...nobody, BINARY, "--pss", "--", "sh", "-c", `'${hold}' 40 1000`]);
    expect(human.stdout).toContain("PSS unreadable: 1 process not peak-mem's to read (another user's): counted by RSS");
  });
});
