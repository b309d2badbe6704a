import { describe, expect, test } from "bun:test";
import { OptionalOutput, optionalTimeline } from "../../src/output/optional.ts";
import { failureReason } from "../../src/io/sink.ts";
import type { TimelineSample } from "../../src/model/chart-data.ts";
import type { TimelineHeader, TimelineSummary, TimelineWriter } from "../../src/timeline/writers.ts";
import { captureStderr } from "./capture-stderr.ts";

const errno = (code: string, message = `${code}: something, write`) => Object.assign(new Error(message), { code });

/** A clock that counts its reads: OptionalOutput reads it once, when it fails. */
function countingClock(ms: number) {
  const clock = () => {
    clock.reads++;
    return ms;
  };
  clock.reads = 0;
  return clock;
}

describe("failureReason", () => {
  test("the codes an output meets in the field, in words", () => {
    expect(failureReason(errno("ENOSPC"))).toBe("no space left on device");
    expect(failureReason(errno("EPIPE"))).toBe("the reader went away");
    expect(failureReason(errno("EDQUOT"))).toBe("disk quota exceeded");
    expect(failureReason(errno("EFBIG"))).toBe("file too large");
    expect(failureReason(errno("EIO"))).toBe("input/output error");
    expect(failureReason(errno("EBADF"))).toBe("the file is closed");
    expect(failureReason(errno("EROFS"))).toBe("read-only file system");
  });

  test("anything else: the error's own message", () => {
    expect(failureReason(errno("EWEIRD", "EWEIRD: a strange thing, write"))).toBe("EWEIRD: a strange thing, write");
    expect(failureReason(new Error("no code at all"))).toBe("no code at all");
    expect(failureReason("a thrown string")).toBe("a thrown string");
    expect(failureReason(undefined)).toBe("undefined");
  });
});

describe("OptionalOutput", () => {
  test("writes go through while nothing failed", () => {
    const output = new OptionalOutput("--timeline 'run.jsonl'");
    const ran: number[] = [];
    const { stderr } = captureStderr(() => {
      output.attempt(() => ran.push(1));
      output.attempt(() => ran.push(2));
    });
    expect(ran).toEqual([1, 2]);
    expect(output.failed).toBe(false);
    expect(stderr).toBe("");
  });

  test("the first failure: one warning saying what and when; nothing more runs or is said", () => {
    const clock = countingClock(1500);
    const output = new OptionalOutput("--timeline 'run.jsonl'", clock);
    const ran: string[] = [];
    const { stderr } = captureStderr(() => {
      output.attempt(() => ran.push("before"));
      output.attempt(() => {
        ran.push("failing");
        throw errno("ENOSPC");
      });
      output.attempt(() => ran.push("after"));
      output.attempt(() => {
        throw errno("EIO");
      });
      output.fail(errno("EPIPE"));
    });
    expect(ran).toEqual(["before", "failing"]);
    expect(output.failed).toBe(true);
    expect(clock.reads).toBe(1);
    expect(stderr).toBe(
      "peak-mem: warning: cannot write --timeline 'run.jsonl' (no space left on device) after 1.50s; it stops there, the measurement goes on\n",
    );
  });

  test("attempt never throws, whatever is thrown", () => {
    const output = new OptionalOutput("--watch (stderr)", () => 0);
    const { stderr } = captureStderr(() => {
      expect(() =>
        output.attempt(() => {
          throw "not even an Error";
        }),
      ).not.toThrow();
      expect(() =>
        output.attempt(() => {
          throw errno("EPIPE");
        }),
      ).not.toThrow();
    });
    expect(output.failed).toBe(true);
    expect(stderr).toBe("peak-mem: warning: cannot write --watch (stderr) (not even an Error) after 0.00s; it stops there, the measurement goes on\n");
  });

  test("fail() alone marks it failed, once", () => {
    const clock = countingClock(250);
    const output = new OptionalOutput("--save-baseline 'main'", clock);
    const { stderr } = captureStderr(() => {
      output.fail(errno("EROFS"));
      output.fail(errno("ENOSPC"));
    });
    expect(output.failed).toBe(true);
    expect(clock.reads).toBe(1);
    expect(stderr.split("\n")).toEqual([
      "peak-mem: warning: cannot write --save-baseline 'main' (read-only file system) after 0.25s; it stops there, the measurement goes on",
      "",
    ]);
  });

  test("a file name with a line break cannot forge a second line", () => {
    const output = new OptionalOutput("--timeline 'a\nb.jsonl'", () => 1000);
    const { stderr } = captureStderr(() => output.fail(errno("EIO")));
    expect(stderr).toBe("peak-mem: warning: cannot write --timeline 'a\\nb.jsonl' (input/output error) after 1.00s; it stops there, the measurement goes on\n");
  });
});

const HEADER: TimelineHeader = { command: "make", intervalMs: 100, startedAt: "2025-05-24T10:30:45Z" };
const SUMMARY: TimelineSummary = { peakRssBytes: 300, peakVszBytes: 600 };
const sample = (tMs: number): TimelineSample => ({ tMs, rss: tMs + 1, vsz: 2 * tMs + 2, processCount: 1 });

/** A writer that records its calls; `add` throws ENOSPC from call number `failAt` (1-based). */
function fakeWriter(failAt = Number.POSITIVE_INFINITY) {
  const calls: string[] = [];
  let adds = 0;
  const writer: TimelineWriter = {
    start: (header) => void calls.push(`start ${header.command}`),
    add: (s) => {
      if (++adds >= failAt) {
        calls.push(`add ${s.tMs} failed`);
        throw errno("ENOSPC");
      }
      calls.push(`add ${s.tMs}`);
    },
    finish: (summary) => void calls.push(`finish ${summary.peakRssBytes}`),
  };
  return { writer, calls };
}

describe("optionalTimeline", () => {
  test("without failures, every call reaches the writer as it was made", () => {
    const { writer, calls } = fakeWriter();
    const output = new OptionalOutput("--timeline 'run.jsonl'", () => 0);
    const timeline = optionalTimeline(writer, output);
    const { stderr } = captureStderr(() => {
      timeline.start(HEADER);
      for (const t of [0, 100, 200]) timeline.add(sample(t));
      timeline.finish(SUMMARY);
    });
    expect(calls).toEqual(["start make", "add 0", "add 100", "add 200", "finish 300"]);
    expect(output.failed).toBe(false);
    expect(stderr).toBe("");
  });

  test("a failing add: the writer is called no more, nothing throws, one warning", () => {
    const { writer, calls } = fakeWriter(3);
    const output = new OptionalOutput("--timeline 'run.jsonl'", () => 2300);
    const timeline = optionalTimeline(writer, output);
    const { stderr } = captureStderr(() => {
      expect(() => {
        timeline.start(HEADER);
        for (const t of [0, 100, 200, 300, 400]) timeline.add(sample(t));
        timeline.finish(SUMMARY);
      }).not.toThrow();
    });
    expect(calls).toEqual(["start make", "add 0", "add 100", "add 200 failed"]);
    expect(output.failed).toBe(true);
    expect(stderr).toBe(
      "peak-mem: warning: cannot write --timeline 'run.jsonl' (no space left on device) after 2.30s; it stops there, the measurement goes on\n",
    );
  });

  test("a failing start: no sample and no summary are written", () => {
    const { writer, calls } = fakeWriter();
    const failingStart: TimelineWriter = {
      ...writer,
      start: () => {
        calls.push("start failed");
        throw errno("EFBIG");
      },
    };
    const output = new OptionalOutput("--timeline 'run.csv'", () => 0);
    const timeline = optionalTimeline(failingStart, output);
    const { stderr } = captureStderr(() => {
      timeline.start(HEADER);
      timeline.add(sample(0));
      timeline.finish(SUMMARY);
    });
    expect(calls).toEqual(["start failed"]);
    expect(stderr).toContain("(file too large)");
  });

  test("a failing finish is told, not thrown", () => {
    const { writer, calls } = fakeWriter();
    const failingFinish: TimelineWriter = {
      ...writer,
      finish: () => {
        calls.push("finish failed");
        throw errno("EDQUOT");
      },
    };
    const output = new OptionalOutput("--timeline 'run.html'", () => 0);
    const timeline = optionalTimeline(failingFinish, output);
    const { stderr } = captureStderr(() => {
      timeline.start(HEADER);
      timeline.add(sample(0));
      expect(() => timeline.finish(SUMMARY)).not.toThrow();
    });
    expect(calls).toEqual(["start make", "add 0", "finish failed"]);
    expect(output.failed).toBe(true);
    expect(stderr).toContain("(disk quota exceeded)");
  });

  test("an output that failed elsewhere (the same OptionalOutput) stops the timeline too", () => {
    const { writer, calls } = fakeWriter();
    const output = new OptionalOutput("--timeline 'run.jsonl'", () => 0);
    const timeline = optionalTimeline(writer, output);
    captureStderr(() => {
      timeline.start(HEADER);
      output.fail(errno("EIO"));
      timeline.add(sample(0));
      timeline.finish(SUMMARY);
    });
    expect(calls).toEqual(["start make"]);
  });
});
