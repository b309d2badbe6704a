import { describe, expect, test } from "bun:test";
import { TreeStopper } from "../../src/command/stop.ts";

describe("TreeStopper", () => {
  const setUp = () => {
    const sent: string[] = [];
    const stopper = new TreeStopper((pid, signal) => void sent.push(`${signal} ${pid}`), 1000);
    return { sent, stopper };
  };

  test("nothing happens below the threshold", () => {
    const { sent, stopper } = setUp();
    stopper.check(0, false, [{ pid: 1, alive: true }]);
    expect(sent).toEqual([]);
    expect(stopper.stopping).toBe(false);
  });

  test("SIGTERM once to every live member, newcomers too, then SIGKILL after the grace period", () => {
    const { sent, stopper } = setUp();
    const a = { pid: 1, alive: true };
    const b = { pid: 2, alive: true };
    const dead = { pid: 3, alive: false };
    stopper.check(100, true, [a, b, dead]);
    expect(sent).toEqual(["SIGTERM 1", "SIGTERM 2"]);
    const late = { pid: 4, alive: true };
    stopper.check(300, false, [a, b, late]); // stopping goes on even if the sum fell back
    expect(sent).toEqual(["SIGTERM 1", "SIGTERM 2", "SIGTERM 4"]);
    b.alive = false;
    stopper.check(1100, false, [a, b, late]);
    expect(sent.slice(3)).toEqual(["SIGKILL 1", "SIGKILL 4"]);
    expect(stopper.escalated).toBe(true);
    expect(stopper.stoppedAtMs).toBe(100);
  });

  test("a process already gone is not an error", () => {
    const stopper = new TreeStopper(() => {
      throw new Error("ESRCH");
    });
    expect(() => stopper.check(0, true, [{ pid: 1, alive: true }])).not.toThrow();
  });
});
