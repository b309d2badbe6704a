// The helper's records decoded from fixed bytes, laid out as spawn-*.S writes them.
import { describe, expect, test } from "bun:test";
import {
  decodeEnd,
  decodeExecStatus,
  decodePid,
  END_RECORD_BYTES,
  ERRNO_NAMES,
  errnoName,
  EXEC_STATUS_BYTES,
  PID_RECORD_BYTES,
  waitStatus,
} from "../../../../src/platform/linux/spawn-helper/protocol.ts";

/** Little-endian bytes from [kind, value] fields, in a buffer larger than they are. */
function bytes(fields: ([32, number] | [64, number])[], spare = 32): { buffer: Uint8Array; length: number } {
  const length = fields.reduce((sum, [bits]) => sum + bits / 8, 0);
  const buffer = new Uint8Array(length + spare).fill(0xee); // junk past `length`
  const view = new DataView(buffer.buffer);
  let at = 0;
  for (const [bits, value] of fields) {
    if (bits === 32) view.setInt32(at, value, true);
    else view.setBigInt64(at, BigInt(value), true);
    at += bits / 8;
  }
  return { buffer, length };
}

describe("decodeExecStatus", () => {
  test("nothing before EOF: the command was exec'd", () => {
    expect(decodeExecStatus(new Uint8Array(8).fill(0xee), 0)).toEqual({ failed: false });
  });

  test("stage 1 is fork, 2 is exec, with the errno as written", () => {
    const fork = bytes([[32, 1], [32, 11]]);
    expect(decodeExecStatus(fork.buffer, fork.length)).toEqual({ failed: true, stage: "fork", errno: 11 });
    const exec = bytes([[32, 2], [32, 2]]);
    expect(decodeExecStatus(exec.buffer, exec.length)).toEqual({ failed: true, stage: "exec", errno: 2 });
  });

  test("the record is 8 bytes", () => {
    expect(EXEC_STATUS_BYTES).toBe(8);
  });

  test("a length or stage the helper never writes is an error, not a guess", () => {
    const exec = bytes([[32, 2], [32, 13]]);
    expect(() => decodeExecStatus(exec.buffer, 4)).toThrow("4-byte exec status");
    expect(() => decodeExecStatus(exec.buffer, 12)).toThrow("12-byte exec status");
    const unknown = bytes([[32, 3], [32, 13]]);
    expect(() => decodeExecStatus(unknown.buffer, unknown.length)).toThrow("unknown stage 3");
  });
});

describe("decodePid", () => {
  const record = bytes([[32, 4242], [32, 0]]);

  test("the first int32 of the 8-byte record", () => {
    expect(PID_RECORD_BYTES).toBe(8);
    expect(decodePid(record.buffer, record.length)).toBe(4242);
  });

  test("no record (the fork failed, the helper died): undefined", () => {
    expect(decodePid(record.buffer, 0)).toBeUndefined();
    expect(decodePid(record.buffer, 7)).toBeUndefined();
  });
});

describe("decodeEnd", () => {
  // status, 0, struct rusage: utime 1.5 s, stime 250 us, maxrss 20480 KiB, then the 13
  // other longs (ru_ixrss...) 7 each: they must not leak into the fields read.
  const record = bytes([
    [32, 7 << 8],
    [32, 0],
    [64, 1],
    [64, 500_000],
    [64, 0],
    [64, 250],
    [64, 20480],
    ...Array.from({ length: 13 }, () => [64, 7] as [64, number]),
  ]);

  test("the layout adds up: 8 + 144 bytes", () => {
    expect(record.length).toBe(END_RECORD_BYTES);
    expect(END_RECORD_BYTES).toBe(152);
  });

  test("status, peak RSS in bytes, CPU times in ms", () => {
    expect(decodeEnd(record.buffer, record.length)).toEqual({ status: 7 << 8, maxRssBytes: 20 * 1024 * 1024, userMs: 1500, systemMs: 0.25 });
  });

  test("short (the helper was killed before it reported): undefined", () => {
    expect(decodeEnd(record.buffer, 0)).toBeUndefined();
    expect(decodeEnd(record.buffer, 151)).toBeUndefined();
  });

  test("a subarray is read from its own start", () => {
    const shifted = new Uint8Array(record.length + 3);
    shifted.set(record.buffer.subarray(0, record.length), 3);
    expect(decodeEnd(shifted.subarray(3), record.length)).toMatchObject({ status: 7 << 8, maxRssBytes: 20 * 1024 * 1024 });
  });
});

describe("waitStatus", () => {
  test("an exit: the code from bits 8-15", () => {
    expect(waitStatus(0)).toEqual({ exitCode: 0 });
    expect(waitStatus(7 << 8)).toEqual({ exitCode: 7 });
    expect(waitStatus(127 << 8)).toEqual({ exitCode: 127 });
    expect(waitStatus(255 << 8)).toEqual({ exitCode: 255 });
  });

  test("a signal: the low 7 bits, bit 7 the core dump", () => {
    expect(waitStatus(9)).toEqual({ signal: 9, coreDumped: false });
    expect(waitStatus(15)).toEqual({ signal: 15, coreDumped: false });
    expect(waitStatus(0x80 | 6)).toEqual({ signal: 6, coreDumped: true }); // SIGABRT, core
    expect(waitStatus(64)).toEqual({ signal: 64, coreDumped: false }); // SIGRTMAX
  });

  test("a stop is no end: refused", () => {
    expect(() => waitStatus((19 << 8) | 0x7f)).toThrow("stop status");
  });
});

describe("ERRNO_NAMES", () => {
  test("the numbers fork and execve report, as asm-generic numbers them", () => {
    expect(ERRNO_NAMES).toMatchObject({
      1: "EPERM",
      2: "ENOENT",
      7: "E2BIG",
      8: "ENOEXEC",
      11: "EAGAIN",
      12: "ENOMEM",
      13: "EACCES",
      20: "ENOTDIR",
      21: "EISDIR",
      23: "ENFILE",
      24: "EMFILE",
      26: "ETXTBSY",
      36: "ENAMETOOLONG",
      40: "ELOOP",
    });
  });

  test("errnoName falls back to the number", () => {
    expect(errnoName(13)).toBe("EACCES");
    expect(errnoName(999)).toBe("errno 999");
  });
});
