// Memory by program on the compiled binary: a shell that runs 40 short `cat`s and three
// concurrent 100 MiB workers is reported as those programs, with the right counts and
// peaks. Where peak-mem may listen to the kernel's process events (root in the init pid
// namespace: CI), every `cat` is counted, though each lives well under a millisecond. A member
// killed by a signal, which only those events tell: test/system/programs.test.ts.
import { beforeAll, describe, expect, test } from "bun:test";
import { CC, MiB, cFixture, eventsHeard, peakMem, peakMemJson, tempDir } from "../helpers.ts";

const linux = process.platform === "linux";
const events = await eventsHeard();
let worker = "";

beforeAll(async () => {
  if (linux && CC) worker = await cFixture("alloc", tempDir(), { as: "worker" });
});

const script = () => `i=0; while [ $i -lt 40 ]; do cat /dev/null; i=$((i+1)); done; '${worker}' 100 1500 & '${worker}' 100 1500 & '${worker}' 100 1500 & wait`;

type Program = { name: string; processes: number; max_process_peak_bytes: number; rss_at_peak_bytes: number; peak_rss_bytes: number; process_seconds: number };

describe.if(linux && Boolean(CC))("memory by program", () => {
  test("40 short cats and three 100 MiB workers: the programs, their counts and peaks", async () => {
    const { code, report } = await peakMemJson(["--", "sh", "-c", script()]);
    expect(code).toBe(0);
    const programs = report.programs as Program[];
    const byName = new Map(programs.map((p) => [p.name, p]));
    const workers = byName.get("worker");
    expect(workers?.processes).toBe(3);
    expect(workers?.max_process_peak_bytes).toBeGreaterThan(100 * MiB);
    expect(workers?.max_process_peak_bytes).toBeLessThan(110 * MiB);
    // All three at once at the tree's peak: the program that used the most comes first.
    expect(programs[0]?.name).toBe("worker");
    expect(workers?.rss_at_peak_bytes).toBeGreaterThan(300 * MiB);
    expect(workers?.process_seconds).toBeGreaterThan(3 * 1.2);
    expect(byName.get("sh")?.processes).toBeGreaterThanOrEqual(1);
    const cats = byName.get("cat")?.processes ?? 0;
    if (events) {
      expect(report.program_counts).toBe("events");
      expect(cats).toBe(40);
      expect(report.process_events_lost).toBeUndefined();
      expect(report.event_only_processes as number).toBeGreaterThan(0);
      // Each cat's exact peak came with its exit: small, never zero.
      expect(byName.get("cat")?.max_process_peak_bytes).toBeGreaterThan(100 * 1024);
      expect(byName.get("cat")?.max_process_peak_bytes).toBeLessThan(8 * MiB);
    } else {
      expect(report.program_counts).toBe("sampled");
      expect(cats).toBeLessThanOrEqual(40);
    }
    // One process per program's count, and every process of the tree in some program.
    expect(programs.reduce((sum, p) => sum + p.processes, 0)).toBe(report.processes_seen as number);
  });

  test("-v shows the programs; Markdown has them all", async () => {
    const human = await peakMem(["-v", "--", "sh", "-c", script()]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Programs: \d+ \((counts complete|sampled)/m);
    expect(human.stdout).toMatch(/^ {2}worker +3 +10\d\.\d MiB +3\d\d\.\d MiB/m);
    const markdown = await peakMem(["--markdown", "--", "sh", "-c", script()]);
    expect(markdown.stdout).toMatch(/^\| `worker` \| 3 \| 10\d\.\d MiB \|/m);
    if (events) expect(markdown.stdout).toMatch(/^\| `cat` \| 40 \|/m);
  });
});
