import { describe, expect, test } from "bun:test";
import { attempts, runLoop, type Attempt, type Outcome } from "../../src/session/loop.ts";

const plan = (over: Partial<Parameters<typeof attempts>[0]> = {}) => ({ commands: 1, runs: 3, warmup: 0, ignoreFailure: false, ...over });
const label = (a: Attempt) => `${a.warmup ? "w" : "r"}${a.run}${"ABC"[a.command]}`;

/** A fake run: the attempt's label as its result, a status from `status`. */
function fake(status: (a: Attempt) => number = () => 0, interrupted?: (a: Attempt) => string | undefined) {
  const ran: string[] = [];
  const runOnce = async (a: Attempt): Promise<Outcome<string>> => {
    ran.push(label(a));
    const signal = interrupted?.(a);
    return { result: label(a), status: status(a), ...(signal && { interrupted: signal }) };
  };
  return { ran, runOnce };
}

const noSignal = { signalBetweenRuns: () => undefined };

describe("attempts", () => {
  test("warm-up rounds first, then counted ones; each round every command once, in order", () => {
    expect([...attempts(plan({ commands: 2, runs: 2, warmup: 1 }))].map(label)).toEqual(["w1A", "w1B", "r1A", "r1B", "r2A", "r2B"]);
  });
});

describe("runLoop", () => {
  test("counted results per command; warm-ups are run but not kept", async () => {
    const { ran, runOnce } = fake();
    const { results, stop } = await runLoop(plan({ commands: 2, runs: 2, warmup: 1 }), runOnce, noSignal);
    expect(ran).toEqual(["w1A", "w1B", "r1A", "r1B", "r2A", "r2B"]);
    expect(results).toEqual([
      ["r1A", "r2A"],
      ["r1B", "r2B"],
    ]);
    expect(stop).toBeUndefined();
  });

  test("a failing run stops the series with its status, and is kept", async () => {
    const { ran, runOnce } = fake((a) => (a.run === 3 ? 3 : 0));
    const { results, stop } = await runLoop(plan({ runs: 5 }), runOnce, noSignal);
    expect(ran).toEqual(["r1A", "r2A", "r3A"]);
    expect(results).toEqual([["r1A", "r2A", "r3A"]]);
    expect(stop).toEqual({ reason: "failed", attempt: { command: 0, run: 3, warmup: false }, status: 3 });
  });

  test("a failing warm-up stops it too; --ignore-failure goes on", async () => {
    expect((await runLoop(plan({ warmup: 1 }), fake((a) => (a.warmup ? 1 : 0)).runOnce, noSignal)).stop).toMatchObject({ reason: "failed", attempt: { warmup: true } });
    const { ran, runOnce } = fake((a) => (a.run === 2 ? 7 : 0));
    const { results, stop } = await runLoop(plan({ runs: 4, ignoreFailure: true }), runOnce, noSignal);
    expect(ran).toHaveLength(4);
    expect(results[0]).toHaveLength(4);
    expect(stop).toBeUndefined();
  });

  test("an interrupted run stops it even with --ignore-failure, and is kept (to be marked)", async () => {
    const { ran, runOnce } = fake(() => 130, (a) => (a.run === 2 ? "SIGINT" : undefined));
    const { results, stop } = await runLoop(plan({ runs: 5, ignoreFailure: true }), runOnce, noSignal);
    expect(ran).toEqual(["r1A", "r2A"]);
    expect(results[0]).toEqual(["r1A", "r2A"]);
    expect(stop).toEqual({ reason: "interrupted", signal: "SIGINT", attempt: { command: 0, run: 2, warmup: false }, status: 130 });
  });

  test("a signal between runs stops it before the next", async () => {
    const { ran, runOnce } = fake();
    let calls = 0;
    const { stop } = await runLoop(plan({ runs: 5 }), runOnce, { signalBetweenRuns: () => (++calls === 3 ? "SIGTERM" : undefined) });
    expect(ran).toEqual(["r1A", "r2A"]);
    expect(stop).toEqual({ reason: "interrupted", signal: "SIGTERM" });
  });

  test("the first run's error is thrown (nothing measured); a later one ends the series", async () => {
    const boom = new Error("no more processes");
    await expect(runLoop(plan(), async () => Promise.reject(boom), noSignal)).rejects.toBe(boom);
    let n = 0;
    const { results, stop } = await runLoop(
      plan({ runs: 3 }),
      async (a) => {
        if (++n === 2) throw boom;
        return { result: label(a), status: 0 };
      },
      noSignal,
    );
    expect(results[0]).toEqual(["r1A"]);
    expect(stop).toEqual({ reason: "error", attempt: { command: 0, run: 2, warmup: false }, error: boom });
  });
});
