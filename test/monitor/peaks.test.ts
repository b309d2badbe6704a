import { describe, expect, test } from "bun:test";
import { PeakTracker } from "../../src/monitor/peaks.ts";

describe("PeakTracker", () => {
  test("starts at zero", () => {
    const peaks = new PeakTracker();
    expect(peaks.rss.bytes).toBe(0);
    expect(peaks.vsz.bytes).toBe(0);
  });

  test("a strictly greater value replaces the peak and its source", () => {
    const peaks = new PeakTracker();
    peaks.offer("rss", 100, "sampled-sum");
    peaks.offer("rss", 150, "process-hwm");
    expect(peaks.rss).toEqual({ bytes: 150, source: "process-hwm" });
  });

  test("a smaller value changes nothing", () => {
    const peaks = new PeakTracker();
    peaks.offer("rss", 150, "process-hwm");
    peaks.offer("rss", 149, "rusage");
    expect(peaks.rss).toEqual({ bytes: 150, source: "process-hwm" });
  });

  test("a tie keeps the earlier source", () => {
    const peaks = new PeakTracker();
    peaks.offer("rss", 150, "sampled-sum");
    peaks.offer("rss", 150, "rusage");
    expect(peaks.rss).toEqual({ bytes: 150, source: "sampled-sum" });
  });

  test("rss and vsz are independent", () => {
    const peaks = new PeakTracker();
    peaks.offer("vsz", 900, "cgroup");
    peaks.offer("rss", 10, "rusage");
    expect(peaks.rss).toEqual({ bytes: 10, source: "rusage" });
    expect(peaks.vsz).toEqual({ bytes: 900, source: "cgroup" });
  });
});
