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

  test("a command with quotes and newlines survives", () => {
    const command = `sh -c 'echo "hi"\nexit 3'`;
    expect(parse(render(makeReport({ command }))).command).toBe(command);
  });
});

test("rfc3339 is UTC to the second", () => {
  expect(rfc3339(new Date(Date.UTC(2025, 4, 24, 10, 30, 45, 678)))).toBe("2025-05-24T10:30:45Z");
});
