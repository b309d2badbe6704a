import { describe, expect, test } from "bun:test";
import { commandStatus, exitCodeFor, exitCodeWhenReportLost, signalNumber, signalName, seriesExitCode } from "../../src/core/exit-code.ts";

describe("commandStatus", () => {
  test("an exit code is passed on", () => {
    expect(commandStatus({ exitCode: 3 })).toBe(3);
    expect(commandStatus({ exitCode: 0 })).toBe(0);
    expect(commandStatus({ exitCode: 255 })).toBe(255);
  });

  test("death by signal S is 128 + S", () => {
    expect(commandStatus({ signal: "SIGKILL" })).toBe(137);
    expect(commandStatus({ signal: "SIGTERM" })).toBe(143);
    expect(commandStatus({ signal: "SIGINT" })).toBe(130);
    expect(commandStatus({ signal: "SIGSEGV" })).toBe(139);
  });
});

describe("exitCodeFor", () => {
  test("success over the threshold is 1", () => expect(exitCodeFor(0, true)).toBe(1));
  test("a failure keeps its own code over the threshold", () => {
    expect(exitCodeFor(3, true)).toBe(3);
    expect(exitCodeFor(137, true)).toBe(137);
  });
  test("otherwise the command's status", () => {
    expect(exitCodeFor(0, false)).toBe(0);
    expect(exitCodeFor(3, false)).toBe(3);
  });
});

test("signalNumber", () => {
  expect(signalNumber("SIGKILL")).toBe(9);
  expect(signalNumber("SIGNOPE")).toBeUndefined();
});

describe("exitCodeWhenReportLost", () => {
  test("a reader that went away keeps the command's status", () => {
    expect(exitCodeWhenReportLost(0, true)).toBe(0);
    expect(exitCodeWhenReportLost(3, true)).toBe(3);
  });
  test("a lost report fails a successful run, and keeps a failed one's code", () => {
    expect(exitCodeWhenReportLost(0, false)).toBe(1);
    expect(exitCodeWhenReportLost(42, false)).toBe(42);
  });
});

describe("signalName", () => {
  test("names a signal by its number, and says the number of one the platform lacks", () => {
    expect(signalName(9)).toBe("SIGKILL");
    expect(signalName(15)).toBe("SIGTERM");
    expect(signalNumber(signalName(2))).toBe(2);
    expect(signalName(200)).toBe("SIG200");
  });
});

describe("seriesExitCode", () => {
  test("what stopped the series wins; else 1 for a threshold or a regression; else 0", () => {
    expect(seriesExitCode(3, true, true)).toBe(3);
    expect(seriesExitCode(130, false)).toBe(130);
    expect(seriesExitCode(undefined, true)).toBe(1);
    expect(seriesExitCode(undefined, false, true)).toBe(1);
    expect(seriesExitCode(undefined, false, false)).toBe(0);
    // An interrupted run that still exited 0 (it caught SIGINT): as a success.
    expect(seriesExitCode(0, true)).toBe(1);
  });
});
