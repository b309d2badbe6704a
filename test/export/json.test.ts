import { describe, expect, test } from "bun:test";
import { render } from "../../src/export/json.ts";
import { rfc3339 } from "../../src/model/report.ts";
import { makeReport } from "./fixture.ts";

const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("JSON report", () => {
  test("the original report fields, with their names and types", () => {
    const object = parse(render(makeReport()));
    expect(object.command).toBe("cargo build --release");
    expect(object.peak_rss_bytes).toBe(Math.round(487.3 * 2 ** 20));
    expect(object.peak_vsz_bytes).toBe(Math.round(892.1 * 2 ** 20));
    expect(object.duration_ms).toBe(14_200);
    expect(object.exit_code).toBe(0);
    expect(object.threshold_exceeded).toBe(false);
    expect(object.timestamp).toBe("2025-05-24T10:30:45Z");
    for (const key of ["peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code"]) {
      expect(Number.isInteger(object[key])).toBe(true);
    }
    expect(typeof object.command).toBe("string");
    expect(typeof object.threshold_exceeded).toBe("boolean");
    expect(object.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("one object, newline-terminated", () => {
    const text = render(makeReport());
    expect(text.endsWith("}\n")).toBe(true);
    expect(Array.isArray(JSON.parse(text))).toBe(false);
  });

  test("signal only when the command was killed by one", () => {
    expect("signal" in parse(render(makeReport()))).toBe(false);
    const killed = parse(render(makeReport({ exitCode: 137, signal: "SIGKILL" })));
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.exit_code).toBe(137);
  });

  test("threshold_bytes only when a threshold was given", () => {
    expect("threshold_bytes" in parse(render(makeReport()))).toBe(false);
    const over = parse(render(makeReport({ threshold: { bytes: 1e9, exceeded: true } })));
    expect(over.threshold_bytes).toBe(1e9);
    expect(over.threshold_exceeded).toBe(true);
  });

  test("stop_survivors: each process a stop could not end, exactly, reason only when known", () => {
    const base = { bytes: 1, exceeded: true, stop: { atMs: 1500, escalated: true } };
    expect("stop_survivors" in parse(render(makeReport({ threshold: base })))).toBe(false);
    expect("stop_survivors" in parse(render(makeReport()))).toBe(false);
    const object = parse(
      render(makeReport({ threshold: { ...base, stop: { ...base.stop, survivors: [{ pid: 4242, name: "sudo", reason: "permission denied" }, { pid: 4243, name: "e\x1b[2Jvil" }] } } })),
    );
    expect(object.stop_survivors).toEqual([
      { pid: 4242, name: "sudo", reason: "permission denied" },
      { pid: 4243, name: "e\x1b[2Jvil" }, // JSON carries the name exactly, not escaped for a terminal
    ]);
    expect("reason" in (object.stop_survivors as object[])[1]!).toBe(false);
    expect(object.stopped_by_threshold).toBe(true);
    expect(object.stop_escalated).toBe(true);
  });

  test("measurement_error: the fault's message and when, only when there was one", () => {
    expect("measurement_error" in parse(render(makeReport()))).toBe(false);
    const object = parse(render(makeReport({ sampling: { fault: { message: "reading /proc: EMFILE: too many open files", atMs: 2100 } } })));
    expect(object.measurement_error).toEqual({ message: "reading /proc: EMFILE: too many open files", at_ms: 2100 });
  });

  test("keys grouped by view, after the original seven: peaks, processes (-v), sampling, then the build", () => {
    const original = ["command", "peak_rss_bytes", "peak_vsz_bytes", "duration_ms", "exit_code", "threshold_exceeded", "timestamp"];
    const sampling = ["samples", "interval_ms", "processes_seen", "children_tracked"];
    expect(Object.keys(parse(render(makeReport())))).toEqual([...original, "peak_rss_source", "peak_vsz_source", ...sampling, "version", "platform"]);
    // The signal is the outcome's, right after the original fields; -v's processes before the sampling.
    const killed = parse(render(makeReport({ exitCode: 137, signal: "SIGKILL" }), { verbose: true }));
    expect(Object.keys(killed)).toEqual([...original, "signal", "peak_rss_source", "peak_vsz_source", "processes", ...sampling, "version", "platform"]);
    // Measuring's faults with the sampling, before the comparison.
    const change = { baseline: 1, current: 1, changePercent: 0 };
    const comparison = { baselineName: "main", baselineTimestamp: "t", peakRss: change, peakVsz: change, duration: change, thresholdPercent: 10, regression: false };
    const faulty = parse(render(makeReport({ comparison, sampling: { fault: { message: "x", atMs: 1 }, monitorFaults: [{ monitor: "m", message: "y", atMs: 2 }] } })));
    expect(Object.keys(faulty).slice(-6)).toEqual(["children_tracked", "measurement_error", "monitor_errors", "comparison", "version", "platform"]);
  });

  test("a command with quotes and newlines survives", () => {
    const command = `sh -c 'echo "hi"\nexit 3'`;
    expect(parse(render(makeReport({ command }))).command).toBe(command);
  });
});

test("rfc3339 is UTC to the second", () => {
  expect(rfc3339(new Date(Date.UTC(2025, 4, 24, 10, 30, 45, 678)))).toBe("2025-05-24T10:30:45Z");
});
