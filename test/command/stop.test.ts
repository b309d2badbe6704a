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
      throw errno("ESRCH");
    });
    expect(() => stopper.check(0, true, [{ pid: 1, alive: true }])).not.toThrow();
    expect(stopper.failure(1)).toBeUndefined();
  });

  describe("failure(pid): why a signal could not be sent", () => {
    /** Kill throws an error with the code given for a pid (as process.kill does), and sends to the rest. */
    const setUpRefusing = (codes: Record<number, string>) => {
      const sent: string[] = [];
      const stopper = new TreeStopper((pid, signal) => {
        const code = codes[pid];
        if (code) throw errno(code);
        sent.push(`${signal} ${pid}`);
      }, 1000);
      return { sent, stopper };
    };

    test("EPERM (another user's process) is recorded as permission denied; ESRCH as nothing", () => {
      const { sent, stopper } = setUpRefusing({ 2: "EPERM", 3: "ESRCH" });
      const members = [1, 2, 3].map((pid) => ({ pid, alive: true }));
      expect(() => stopper.check(100, true, members)).not.toThrow();
      expect(sent).toEqual(["SIGTERM 1"]);
      expect(stopper.failure(2)).toBe("permission denied");
      expect(stopper.failure(3)).toBeUndefined();
      expect(stopper.failure(1)).toBeUndefined();
      expect(stopper.failure(99)).toBeUndefined(); // never a member
    });

    test("a refusal at SIGKILL is recorded too, and signalling goes on for the others", () => {
      const codes: Record<number, string> = {};
      const { sent, stopper } = setUpRefusing(codes);
      const members = [1, 2].map((pid) => ({ pid, alive: true }));
      stopper.check(0, true, members);
      expect(stopper.failure(1)).toBeUndefined();
      codes[1] = "EPERM";
      stopper.check(1000, true, members);
      expect(sent).toEqual(["SIGTERM 1", "SIGTERM 2", "SIGKILL 2"]);
      expect(stopper.failure(1)).toBe("permission denied");
      expect(stopper.failure(2)).toBeUndefined();
    });

    test("another code is recorded as itself; an error without one by its text", () => {
      const { stopper } = setUpRefusing({ 4: "EINVAL" });
      stopper.check(0, true, [{ pid: 4, alive: true }]);
      expect(stopper.failure(4)).toBe("EINVAL");
      const plain = new TreeStopper(() => {
        throw new Error("no such thing");
      });
      plain.check(0, true, [{ pid: 5, alive: true }]);
      expect(plain.failure(5)).toBe("Error: no such thing");
    });
  });
});

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`kill ${code}`), { code });
}
