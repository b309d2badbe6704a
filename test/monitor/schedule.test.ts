import { describe, expect, test } from "bun:test";
import { BURST_GAP_MS, BURST_MS, Schedule } from "../../src/monitor/schedule.ts";

describe("Schedule.due", () => {
  test("the first sample at t=0, then one per interval tick, missed ticks skipped without a backlog", () => {
    const schedule = new Schedule(100);
    const calls: [number, boolean][] = [
      [0, true],
      [50, false],
      [98.9, false],
      [99.2, true], // a timer that wakes a little early is still on time
      [100, false], // ...and that tick is not taken twice
      [100, false], // the same tick is recorded once
      [150, false],
      [350, true], // ticks 200 and 300 were missed: one sample, not three
      [351, false],
      [398, false],
      [400, true],
      [401, false],
      [498.99, false],
      [500.5, true],
    ];
    expect(calls.map(([now]) => [now, schedule.due(now)])).toEqual(calls);
  });

  test("a first sample late past several ticks still counts once, on the grid fixed at 0", () => {
    const schedule = new Schedule(100);
    expect(schedule.due(230)).toBe(true);
    expect(schedule.due(298)).toBe(false);
    expect(schedule.due(300)).toBe(true);
  });

  test("the grid does not drift with late samples", () => {
    const schedule = new Schedule(100);
    const recorded = [0, 1, 97, 108, 198, 203, 290, 310, 402].filter((now) => schedule.due(now));
    expect(recorded).toEqual([0, 108, 203, 310, 402]);
  });
});

describe("Schedule.inBurst", () => {
  test("only while the command is alive and before BURST_MS", () => {
    const schedule = new Schedule(100);
    expect(schedule.inBurst(0, true)).toBe(true);
    expect(schedule.inBurst(BURST_MS - 0.01, true)).toBe(true);
    expect(schedule.inBurst(BURST_MS, true)).toBe(false);
    expect(schedule.inBurst(BURST_MS + 1, true)).toBe(false);
    expect(schedule.inBurst(0, false)).toBe(false);
    expect(schedule.inBurst(1, false)).toBe(false);
  });
});

// The brief this was written to said "0 within the burst"; src now reads every
// BURST_GAP_MS within it instead (never past the next tick). Tested as src has it.
describe("Schedule.delay", () => {
  test("the burst gap is shorter than the ramp's first step", () => {
    expect(BURST_GAP_MS).toBeGreaterThanOrEqual(0);
    expect(BURST_GAP_MS).toBeLessThan(1);
  });

  test("within the burst while the command is alive: the burst gap, whatever the interval", () => {
    for (const interval of [100, 1000]) {
      const schedule = new Schedule(interval);
      schedule.due(0);
      for (const now of [0, 0.5, 1, 5, BURST_MS / 2, BURST_MS - 0.01]) expect(schedule.delay(now, true)).toBe(BURST_GAP_MS);
    }
  });

  test("within the burst, never past the next tick", () => {
    const schedule = new Schedule(10); // an interval shorter than the burst
    schedule.due(0);
    expect(schedule.delay(10 - BURST_GAP_MS / 2, true)).toBeCloseTo(BURST_GAP_MS / 2, 10);
    expect(schedule.delay(10, true)).toBe(0);
  });

  test("a command no longer alive ends the burst: the ramp's 1 ms, even within it", () => {
    const schedule = new Schedule(1000);
    schedule.due(0);
    expect(schedule.delay(1, true)).toBe(BURST_GAP_MS);
    const wait = schedule.delay(2, false);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBe(1);
    expect(schedule.delay(3, false)).toBe(2);
  });

  test("not alive within the burst, but the next tick is now: no wait", () => {
    const schedule = new Schedule(10);
    schedule.due(0);
    expect(schedule.delay(10, false)).toBe(0);
  });

  test("after the burst the waits double from 1 ms, capped at the next tick", () => {
    const schedule = new Schedule(1000);
    schedule.due(0);
    const now = BURST_MS + 10; // the next tick (1000) is 1000 - now ms away
    const waits = Array.from({ length: 13 }, () => schedule.delay(now, true));
    const cap = 1000 - now;
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096].map((w) => Math.min(w, cap)));
    expect(waits.at(-1)).toBe(cap);
  });

  test("burst waits do not use up the ramp, and once at the interval each wait reaches the next tick", () => {
    const schedule = new Schedule(200);
    schedule.due(0);
    for (let i = 0; i < 12; i++) schedule.delay((i * BURST_MS) / 12, true); // twelve waits, all within the burst
    expect(BURST_MS).toBeLessThan(300); // so that 300 is after the burst
    let now = 300;
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      schedule.due(now);
      const wait = schedule.delay(now, true);
      waits.push(wait);
      now += wait;
    }
    // 300 → 301 → 303 → 307 → 315 → 331 → 363 → 400 (capped at the tick) → 528 → 600
    // (capped) → 800 → 1000 → 1200: the ramp went on doubling from 1, the burst took none of it.
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 37, 128, 72, 200, 200, 200]);
    expect(now).toBe(1200);
  });

  test("never past the next tick, never negative, in a long simulated run", () => {
    for (const interval of [1, 7, 20, 100, 250]) {
      const schedule = new Schedule(interval);
      let seed = interval;
      const jitter = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return (seed / 2147483648) * 3; // 0–3 ms spent sampling
      };
      let now = 0;
      let recorded = 0;
      while (now < 5000) {
        if (schedule.due(now)) recorded++;
        // A sample within the slack of a tick (min(1 ms, interval/4)) counts as that tick.
        const nextTick = (Math.floor((now + Math.min(1, interval / 4)) / interval) + 1) * interval;
        const wait = schedule.delay(now, now < 3000);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(now + wait).toBeLessThanOrEqual(nextTick);
        now += wait + jitter();
      }
      // At most one recorded sample per tick; once the ramp has caught up, every wait
      // reaches a tick, so at least one per interval plus sampling cost.
      expect(recorded).toBeLessThanOrEqual(Math.floor(now / interval) + 1);
      expect(recorded).toBeGreaterThanOrEqual(Math.floor((5000 - 2 * interval - BURST_MS) / (interval + 3)));
    }
  });

  test("a sample overdue past its tick: no wait, never a negative one", () => {
    const schedule = new Schedule(100);
    schedule.due(0);
    expect(schedule.delay(250, false)).toBe(0);
    expect(schedule.delay(250, true)).toBe(0);
    expect(schedule.delay(100, false)).toBe(0);
    const inBurst = new Schedule(10);
    inBurst.due(0);
    expect(inBurst.delay(25, true)).toBe(0); // overdue within the burst too
  });
});
