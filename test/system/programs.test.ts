// Needs root: the kernel's process events with exit statistics, which only root in the initial
// pid namespace may hear, tell how each process of the tree ended.
// Memory by program on the compiled binary: a member of the tree killed by a signal is heard
// exiting, with the signal. The rest is in test/e2e/programs.test.ts.
import { beforeAll, describe, expect, test } from "bun:test";
import { CC, cFixture, eventsHeard, peakMem, peakMemJson, tempDir } from "../helpers.ts";

const linux = process.platform === "linux";
const events = await eventsHeard();
let worker = "";

beforeAll(async () => {
  if (linux && CC) worker = await cFixture("alloc", tempDir(), { as: "worker" });
});

type Program = { name: string; processes: number; max_process_peak_bytes: number; rss_at_peak_bytes: number; peak_rss_bytes: number; process_seconds: number };

describe.if(linux && Boolean(CC))("memory by program", () => {
  test.if(events)("a member killed by a signal: its exit is heard with the signal", async () => {
    const { code, report } = await peakMemJson(["-v", "--", "sh", "-c", `'${worker}' 20 5000 & sleep 0.3; kill -9 $!; wait; exit 0`]);
    expect(code).toBe(0);
    expect(report.program_counts).toBe("events");
    const programs = report.programs as Program[];
    const killed = programs.find((p) => p.name === "worker");
    expect(killed?.processes).toBe(1);
    // It lived about 0.3 s: fork to exit, as the kernel timed them.
    expect(killed?.process_seconds).toBeGreaterThan(0.25);
    expect(killed?.process_seconds).toBeLessThan(2);
    const processes = report.processes as { name: string; signal?: string; exit_code?: number }[];
    expect(processes.find((p) => p.name === "worker")?.signal).toBe("SIGKILL");
    const human = await peakMem(["-v", "--", "sh", "-c", `'${worker}' 20 5000 & sleep 0.3; kill -9 $!; wait; exit 0`]);
    expect(human.stdout).toMatch(/^Killed by a signal: 1 process of the tree: \d+ worker \(SIGKILL\)$/m);
  });
});
