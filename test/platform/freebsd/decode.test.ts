import { describe, expect, test } from "bun:test";
import { decodeKinfoProc, decodeKinfoProcList, KINFO, KINFO_PROC_SIZE, startStamp } from "../../../src/platform/freebsd/decode.ts";
import { kinfoBytes, kinfoListBytes, kinfoProc, rusage, timeval } from "./fixtures.ts";

// Fixtures are laid out from sys/sys/user.h's field list (fixtures.ts), so these tests
// check the decoder's hard-coded offsets against the C layout as well as the decoding.

describe("struct kinfo_proc layout agrees with sys/sys/user.h", () => {
  test("1088 bytes on LP64, as KINFO_PROC_SIZE says", () => {
    expect(kinfoProc.size).toBe(KINFO_PROC_SIZE);
    expect(KINFO_PROC_SIZE).toBe(1088);
  });

  test("every offset the decoder uses", () => {
    for (const [field, offset] of Object.entries(KINFO)) expect([field, kinfoProc.offsets[field]]).toEqual([field, offset]);
  });

  test("the amd64 offsets of pid, ppid, size and rssize, and the ones found here", () => {
    expect([KINFO.ki_pid, KINFO.ki_ppid, KINFO.ki_size, KINFO.ki_rssize]).toEqual([72, 76, 256, 264]);
    expect([KINFO.ki_start, KINFO.ki_comm, KINFO.ki_stat, KINFO.ki_rusage]).toEqual([336, 447, 388, 608]);
    expect(timeval.offsets.tv_usec).toBe(8);
    expect(rusage.offsets.ru_maxrss).toBe(32);
    expect(rusage.size).toBe(144);
  });
});

describe("decodeKinfoProc", () => {
  const sh = {
    pid: 1234,
    ppid: 1200,
    comm: "sh",
    pgid: 1200,
    tpgid: 1200,
    startSec: 1_764_000_000,
    startUsec: 654_321,
    vsz: 14_000_000,
    rssPages: 800,
    threads: 1,
    maxRssKiB: 4096,
  };

  test("ids, sizes, start time, status, name, threads, kernel peak", () => {
    expect(decodeKinfoProc(kinfoBytes(sh))).toEqual({
      pid: 1234,
      ppid: 1200,
      pgid: 1200,
      tpgid: 1200,
      vszBytes: 14_000_000,
      rssPages: 800,
      startSec: 1_764_000_000,
      startUsec: 654_321,
      stat: 2,
      name: "sh",
      threads: 1,
      maxRssKiB: 4096,
    });
  });

  test("a command name of COMMLEN (19) characters, and no tty (tpgid -1)", () => {
    const name = "nineteen-characters";
    expect(name.length).toBe(19);
    const proc = decodeKinfoProc(kinfoBytes({ ...sh, comm: name, tpgid: -1 }));
    expect(proc?.name).toBe(name);
    expect(proc?.tpgid).toBe(-1);
  });

  test("sizes past 4 GiB (64-bit fields)", () => {
    const proc = decodeKinfoProc(kinfoBytes({ ...sh, vsz: 2 ** 41 + 4096, rssPages: 3 * 2 ** 20, maxRssKiB: 13 * 2 ** 20 }));
    expect(proc?.vszBytes).toBe(2 ** 41 + 4096);
    expect(proc?.rssPages).toBe(3 * 2 ** 20);
    expect(proc?.maxRssKiB).toBe(13 * 2 ** 20);
  });

  test("a zombie's status", () => {
    expect(decodeKinfoProc(kinfoBytes({ ...sh, stat: 5 }))?.stat).toBe(5);
  });

  test("a record of another size (another ABI, e.g. i386's 768) is refused, not misread", () => {
    expect(decodeKinfoProc(kinfoBytes({ ...sh, structSize: 768 }))).toBeUndefined();
    expect(decodeKinfoProc(kinfoBytes({ ...sh, structSize: 1248 }))).toBeUndefined(); // CHERI
  });

  test("fewer than 1088 bytes: undefined", () => {
    expect(decodeKinfoProc(kinfoBytes(sh), 0, 1087)).toBeUndefined();
    expect(decodeKinfoProc(new Uint8Array(0))).toBeUndefined();
  });
});

describe("decodeKinfoProcList", () => {
  const procs = [
    { pid: 1, ppid: 0, comm: "init", startSec: 100, startUsec: 1 },
    { pid: 50, ppid: 1, comm: "sshd", startSec: 120, startUsec: 2 },
    { pid: 51, ppid: 50, comm: "zsh", startSec: 130, startUsec: 3, rssPages: 1000 },
  ];

  test("records back to back, ki_structsize apart", () => {
    const list = decodeKinfoProcList(kinfoListBytes(procs));
    expect(list.map((p) => [p.pid, p.ppid, p.name])).toEqual([
      [1, 0, "init"],
      [50, 1, "sshd"],
      [51, 50, "zsh"],
    ]);
    expect(list[2]?.rssPages).toBe(1000);
  });

  test("only the bytes sysctl reported are read, not the rest of the buffer", () => {
    const bytes = kinfoListBytes([...procs, { pid: 99, ppid: 1, comm: "stale", startSec: 1, startUsec: 1 }]);
    expect(decodeKinfoProcList(bytes, 3 * KINFO_PROC_SIZE).map((p) => p.pid)).toEqual([1, 50, 51]);
    expect(decodeKinfoProcList(bytes, 3 * KINFO_PROC_SIZE + 100).map((p) => p.pid)).toEqual([1, 50, 51]);
  });

  test("an empty answer", () => {
    expect(decodeKinfoProcList(new Uint8Array(0))).toEqual([]);
  });
});

test("startStamp: seconds and microseconds in one exact number", () => {
  expect(startStamp(1_764_000_000, 654_321)).toBe(1_764_000_000_654_321);
});
