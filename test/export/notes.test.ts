import { describe, expect, test } from "bun:test";
import { faultSentence, stopSentence } from "../../src/export/notes.ts";
import type { StopSurvivor, ThresholdFacts } from "../../src/model/report.ts";
import { makeReport } from "./fixture.ts";

const stopped = { exceeded: true, bytes: 100 * 2 ** 20 };
/** The threshold of a run stopped at 1.50s with SIGTERM alone, unless `stop` says otherwise. */
const stoppedAt = (stop: Partial<NonNullable<ThresholdFacts["stop"]>> = {}) => ({ threshold: { ...stopped, stop: { atMs: 1500, escalated: false, ...stop } } });

describe("stopSentence", () => {
  test("no stop, no sentence", () => {
    expect(stopSentence(makeReport())).toBeUndefined();
    expect(stopSentence(makeReport({ threshold: { bytes: 1, exceeded: true } }))).toBeUndefined();
    // Survivors without a stop cannot be: nothing is claimed either way. (The model can no
    // longer hold them, survivors being part of the stop: forced here, a stop with no time.)
    const survivorsAlone = { survivors: [{ pid: 7, name: "x" }] as StopSurvivor[] } as NonNullable<ThresholdFacts["stop"]>;
    expect(stopSentence(makeReport({ threshold: { bytes: 1, exceeded: true, stop: survivorsAlone } }))).toBeUndefined();
  });

  test("a stop that ended every process: stopped, with the time and the signals used", () => {
    expect(stopSentence(makeReport(stoppedAt({ escalated: false })))).toEqual({
      stopped: true,
      text: "the process tree was stopped at 1.50s (SIGTERM)",
    });
    expect(stopSentence(makeReport(stoppedAt({ escalated: true })))).toEqual({
      stopped: true,
      text: "the process tree was stopped at 1.50s (SIGTERM, then SIGKILL)",
    });
    expect(stopSentence(makeReport(stoppedAt({ survivors: [] })))?.stopped).toBe(true);
  });

  test("survivors: not stopped, each named with its pid and why", () => {
    const sentence = stopSentence(
      makeReport(
        stoppedAt({
          atMs: 2000,
          escalated: true,
          survivors: [
            { pid: 4242, name: "sudo", reason: "permission denied" },
            { pid: 4243, name: "stuck" },
          ],
        }),
      ),
    );
    expect(sentence).toEqual({
      stopped: false,
      text:
        "stopping the process tree began at 2.00s (SIGTERM, then SIGKILL), but 2 processes could not be stopped " +
        "and still ran when peak-mem gave up: 4242 sudo (permission denied), 4243 stuck",
    });
  });

  test("one survivor is one process", () => {
    const sentence = stopSentence(makeReport(stoppedAt({ survivors: [{ pid: 9, name: "d", reason: "EINVAL" }] })));
    expect(sentence?.stopped).toBe(false);
    expect(sentence?.text).toContain("(SIGTERM), but 1 process could not be stopped");
    expect(sentence?.text).toEndWith(": 9 d (EINVAL)");
  });

  test("a survivor's name is shown as ps shows it: hidden characters become ?", () => {
    const sentence = stopSentence(makeReport(stoppedAt({ survivors: [{ pid: 5, name: "ev\x1b[2Jil\nname\u202e" }] })));
    expect(sentence?.text).toEndWith(": 5 ev?[2Jil?name?");
    expect(sentence?.text).not.toMatch(/[\x1b\n\u202e]/);
  });
});

describe("faultSentence", () => {
  test("no fault, no sentence", () => {
    expect(faultSentence(makeReport())).toBeUndefined();
  });

  test("when measuring stopped, why, and that the peaks may be low", () => {
    const fault = { message: "reading /proc: EMFILE: too many open files", atMs: 2100 };
    expect(faultSentence(makeReport({ sampling: { fault } }))).toBe(
      "measuring stopped at 2.10s after an internal error (reading /proc: EMFILE: too many open files); the peaks are those seen until then and may be low",
    );
    expect(faultSentence(makeReport({ sampling: { fault: { message: "x", atMs: 125_300 } } }))).toStartWith("measuring stopped at 2m 5.3s after");
  });
});
