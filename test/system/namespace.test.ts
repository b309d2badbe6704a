// Needs root: unshare(1) makes the pid and mount namespaces, and /proc is mounted and
// unmounted inside them.
// peak-mem in a pid namespace: measured where /proc is the namespace's own, refused before
// anything runs where it is not (its pids would name other processes: a wrong number).
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { allocate, BINARY, MiB, runArgv as run, tempDir } from "../helpers.ts";

const UNSHARE = Bun.which("unshare");
const skipped =
  process.platform !== "linux"
    ? "not Linux"
    : process.getuid?.() !== 0
      ? "needs root to make namespaces"
      : !UNSHARE
        ? "unshare(1) is not installed"
        : (await run([UNSHARE, "-pf", "--mount-proc", "true"])).code !== 0
          ? "unshare -pf --mount-proc fails here"
          : undefined;

const dir = tempDir();
const marker = join(dir, "ran");

describe.skipIf(skipped !== undefined)(`pid namespaces${skipped ? ` (skipped: ${skipped})` : ""}`, () => {
  const unshare = UNSHARE as string;

  test("a new pid namespace with the host's /proc: one line naming it, exit 2, nothing run", async () => {
    const { code, stdout, stderr } = await run([unshare, "-pf", BINARY, "--json", "--", "touch", marker]);
    expect(stderr).toMatch(
      /^peak-mem: \/proc belongs to another pid namespace \(it calls this process \d+, which is pid 1 here\): mount a \/proc for this namespace \(unshare --mount-proc, or mount -t proc proc \/proc\) or run peak-mem outside it\n$/,
    );
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
  });

  test("a new pid namespace with its own /proc: the whole tree is measured", async () => {
    // Held a second each, so the two overlap even on a loaded machine.
    const quote = (argv: string[]) => argv.map((word) => `'${word}'`).join(" ");
    const tree = `${quote(allocate(100, 1000))} & ${quote(allocate(50, 1000))} & wait`;
    const { code, stdout, stderr } = await run([unshare, "-pf", "--mount-proc", BINARY, "--json", "-v", "--", "sh", "-c", tree]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.peak_rss_bytes).toBeGreaterThanOrEqual(145 * MiB);
    expect(report.peak_vsz_bytes).toBeGreaterThan(0);
    // Only the tree: sh and the two workers, no kernel thread of the host.
    const names = (report.processes as { name: string }[]).map((process) => process.name);
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const name of names) expect(name === "sh" || name.startsWith("bun")).toBe(true);
  });

  // Bun itself (1.4.5) aborts at start-up when it cannot read /proc/self, before any of
  // peak-mem's code runs. Either way the command must not run and no number come out;
  // should Bun start, peak-mem's own refusal is what must be said.
  const refusedWithoutProc = async (argv: string[], message: RegExp) => {
    const { code, stdout, stderr } = await run(argv);
    expect(existsSync(marker)).toBe(false);
    expect(stdout).toBe("");
    if (code === 2) expect(stderr).toMatch(message);
    else expect(code).toBe(128 + 6); // SIGABRT: Bun's crash, not a report
  };

  test("/proc not mounted: refused, nothing run", async () => {
    await refusedWithoutProc(
      [unshare, "-m", "sh", "-c", 'umount -l /proc && exec "$@"', "sh", BINARY, "--", "touch", marker],
      /^peak-mem: \/proc is not mounted: peak-mem reads process memory from it\n$/,
    );
  });

  test("a /proc of a pid namespace that cannot see peak-mem: refused, nothing run", async () => {
    // The mount is made from inside a new pid namespace and seen from the host's.
    await refusedWithoutProc(
      [unshare, "-m", "sh", "-c", 'unshare -pf mount -t proc proc /proc && exec "$@"', "sh", BINARY, "--", "touch", marker],
      /^peak-mem: \/proc belongs to another pid namespace \(it has no pid for this process, which is pid \d+ here\): [^\n]+\n$/,
    );
  });
});
