// Needs root: the kernel's process events with exit statistics (root, in the initial pid
// namespace) are what an upper bound of the tree's peak is made of, and setpriv to run as
// nobody, who hears none of them on this kernel.
// The tree's peak RSS on the compiled binary: exact where the most the tree can have held meets
// what was found, else a lower bound with an upper bound that holds. The workloads hold known
// amounts at once, so the assertions hold at any machine speed: no figure is ever compared with
// a time.
import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync } from "node:fs";
import { BINARY, CC, MiB, cFixture, eventsHeard, peakMem, peakMemJson, runArgv, tempDir } from "../helpers.ts";

const linux = process.platform === "linux";
const events = await eventsHeard();
const SETPRIV = Bun.which("setpriv");
const dir = tempDir();
let alloc = "";

beforeAll(async () => {
  if (linux && CC) alloc = await cFixture("alloc", dir);
  chmodSync(dir, 0o755); // nobody runs it too
});

interface Bound {
  peak_rss_bytes: number;
  peak_rss_exact: boolean;
  peak_rss_upper_bytes: number | null;
  peak_rss_no_upper?: string;
}

describe.if(events && Boolean(CC))("the tree's peak: exact, or bounded on both sides", () => {
  test("one process: exact, and the upper bound is the peak", async () => {
    const { code, report } = await peakMemJson(["--", alloc, "30", "100"]);
    expect(code).toBe(0);
    const bound = report as unknown as Bound;
    expect(bound.peak_rss_exact).toBe(true);
    expect(bound.peak_rss_upper_bytes).toBe(bound.peak_rss_bytes);
    expect(bound.peak_rss_bytes).toBeGreaterThanOrEqual(30 * MiB);
  });

  test("two processes that hold 40 MiB each at once: the upper bound holds both", async () => {
    const { code, report } = await peakMemJson(["--", "sh", "-c", `'${alloc}' 40 400 & '${alloc}' 40 400; wait`]);
    expect(code).toBe(0);
    const bound = report as unknown as Bound;
    expect(bound.peak_rss_upper_bytes).not.toBeNull();
    expect(bound.peak_rss_upper_bytes as number).toBeGreaterThanOrEqual(80 * MiB);
    expect(bound.peak_rss_bytes).toBeLessThanOrEqual(bound.peak_rss_upper_bytes as number);
    if (bound.peak_rss_exact) expect(bound.peak_rss_bytes).toBe(bound.peak_rss_upper_bytes as number);
  });

  test("bursts of short processes, maybe never sampled together: never a silent low figure", async () => {
    const burst = `'${alloc}' 30 0 & '${alloc}' 30 0; wait`;
    const { code, report } = await peakMemJson(["--", "sh", "-c", `${burst}; ${burst}; ${burst}`]);
    expect(code).toBe(0);
    const bound = report as unknown as Bound;
    // Both of a burst lived at once (the second started before the first could end): the most the
    // tree can have held is two of them.
    expect(bound.peak_rss_upper_bytes as number).toBeGreaterThanOrEqual(60 * MiB);
    expect(bound.peak_rss_exact ? bound.peak_rss_bytes : (bound.peak_rss_upper_bytes as number)).toBeGreaterThanOrEqual(60 * MiB);
  });

  test("the terminal says a lower bound in words, with both figures", async () => {
    const { stdout, stderr, code } = await peakMem(["--", "sh", "-c", `'${alloc}' 30 0 & '${alloc}' 30 0; wait`]);
    expect(code).toBe(0);
    const line = `${stdout}${stderr}`.split("\n").find((l) => l.startsWith("Peak RSS bound: "));
    // Exact only if a sample caught both at their peaks; otherwise both figures, in order.
    if (line && !line.includes("exact")) expect(line).toMatch(/^Peak RSS bound: at least [\d.]+ MiB, at most [\d.]+ MiB \(processes came and went/);
  });
});

describe.if(events && Boolean(CC) && Boolean(SETPRIV))("as nobody, who hears no process events here", () => {
  test("a tree's peak is a lower bound, and the report says why there is no upper bound", async () => {
    const { code, stdout } = await runArgv([SETPRIV as string, "--reuid=65534", "--regid=65534", "--clear-groups", BINARY, "--json", "--", "sh", "-c", `'${alloc}' 20 100 & '${alloc}' 20 100 && wait $!`]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout.slice(stdout.lastIndexOf("\n{\n") + 1)) as Bound & { program_counts: string };
    if (report.program_counts === "events") return; // this kernel lets anyone listen: covered above
    expect(report.peak_rss_exact).toBe(false);
    expect(report.peak_rss_upper_bytes).toBeNull();
    expect(report.peak_rss_no_upper).toContain("process events were not heard");
    expect(report.peak_rss_bytes).toBeGreaterThanOrEqual(20 * MiB); // they ran
  });
});
