import { describe, expect, test } from "bun:test";
import type { DarwinBindings } from "../../../src/platform/darwin/ffi.ts";
import { macosBindings } from "../../../src/platform/darwin/ffi.ts";
import { PROC_PIDTASKALLINFO, PROC_PIDTASKINFO, PROC_PIDTBSDINFO, RUSAGE_INFO_V4 } from "../../../src/platform/darwin/decode.ts";
import { createDarwinReader } from "../../../src/platform/darwin/reader.ts";
import { PeakMemError } from "../../../src/core/errors.ts";
import { bsdinfoBytes, pidBytes, rusageV4Bytes, taskallinfoBytes, taskinfoBytes, type ProcessFixture } from "./fixtures.ts";

// The reader's logic (listing, identity, children, zombies, buffer growth) against a fake
// libproc that answers with byte buffers laid out per the headers, as the kernel would.

interface FakeProcess extends ProcessFixture {
  footprint?: number;
  lifetimeMaxFootprint?: number;
}

class FakeLibproc implements DarwinBindings {
  readonly processes = new Map<number, FakeProcess>();
  calls: string[] = [];
  terminals = new Set<number>([1]);
  /** sysctl values by name, as the bytes the kernel would copy out; absent: the call fails. */
  sysctls = new Map<string, Uint8Array>([["hw.memsize", memsizeBytes(16n * 2n ** 30n)]]);

  add(...processes: FakeProcess[]): this {
    for (const p of processes) this.processes.set(p.pid, p);
    return this;
  }

  load(): void {}

  /** As the kernel: copy what fits, report bytes written; 0 when the pid is not there. */
  pidinfo(pid: number, flavor: number, buffer: Uint8Array): number {
    this.calls.push(`pidinfo ${pid} ${flavor}`);
    const p = this.processes.get(pid);
    if (!p) return 0;
    const zombie = p.status === 5;
    let bytes: Uint8Array;
    if (flavor === PROC_PIDTBSDINFO) bytes = bsdinfoBytes(p);
    else if (flavor === PROC_PIDTASKINFO && !zombie) bytes = taskinfoBytes(p);
    else if (flavor === PROC_PIDTASKALLINFO && !zombie) bytes = taskallinfoBytes(p);
    else return 0; // a zombie has no task
    if (buffer.byteLength < bytes.byteLength) return 0; // the kernel refuses short buffers
    buffer.set(bytes);
    return bytes.byteLength;
  }

  private fill(pids: number[], buffer: Uint8Array): number {
    const capacity = buffer.byteLength / 4;
    const written = pids.slice(0, capacity);
    buffer.set(pidBytes(written));
    return written.length;
  }

  listallpids(buffer: Uint8Array): number {
    this.calls.push(`listallpids ${buffer.byteLength / 4}`);
    return this.fill([0, ...this.processes.keys()], buffer);
  }

  listchildpids(ppid: number, buffer: Uint8Array): number {
    this.calls.push(`listchildpids ${ppid} ${buffer.byteLength / 4}`);
    const children = [...this.processes.values()].filter((p) => p.ppid === ppid).map((p) => p.pid);
    return this.fill(children, buffer);
  }

  pidRusage(pid: number, flavor: number, buffer: Uint8Array): number {
    const p = this.processes.get(pid);
    if (!p || flavor !== RUSAGE_INFO_V4) return -1;
    buffer.set(
      rusageV4Bytes({ ri_phys_footprint: p.footprint ?? 0, ri_lifetime_max_phys_footprint: p.lifetimeMaxFootprint ?? 0 }),
    );
    return 0;
  }

  isatty(fd: number): boolean {
    return this.terminals.has(fd);
  }

  /** As sysctlbyname: ENOMEM (a failure) when the buffer is too small, else the bytes copied. */
  sysctl(name: string, buffer: Uint8Array): number | undefined {
    this.calls.push(`sysctl ${name}`);
    const value = this.sysctls.get(name);
    if (!value || buffer.byteLength < value.byteLength) return undefined;
    buffer.set(value);
    return value.byteLength;
  }
}

function memsizeBytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
}

const shell: FakeProcess = { pid: 500, ppid: 1, comm: "zsh", startSec: 1000, startUsec: 1, pgid: 500, tpgid: 600 };
const peakMem: FakeProcess = { pid: 600, ppid: 500, comm: "peak-mem", startSec: 2000, startUsec: 5, pgid: 600, tpgid: 600 };
const make: FakeProcess = {
  pid: 601,
  ppid: 600,
  comm: "make",
  startSec: 2000,
  startUsec: 900,
  pgid: 600,
  tpgid: 600,
  rss: 10 * 2 ** 20,
  vsz: 400 * 2 ** 30,
  threads: 1,
};
const cc1: FakeProcess = {
  pid: 602,
  ppid: 601,
  comm: "cc1",
  name: "cc1-long-process-name",
  startSec: 2001,
  startUsec: 0,
  rss: 300 * 2 ** 20,
  vsz: 402 * 2 ** 30,
  threads: 4,
  footprint: 280 * 2 ** 20,
  lifetimeMaxFootprint: 512 * 2 ** 20,
};

const fake = () => new FakeLibproc().add({ pid: 1, ppid: 0, comm: "launchd", startSec: 1, startUsec: 0 }, shell, peakMem, make, cc1);

describe("createDarwinReader", () => {
  test("lists every pid but kernel_task's 0", () => {
    expect(createDarwinReader(fake()).listPids().sort((a, b) => a - b)).toEqual([1, 500, 600, 601, 602]);
  });

  test("a listing that fills the buffer is asked again with a larger one", () => {
    const libproc = fake();
    for (let pid = 10_000; pid < 15_000; pid++) libproc.add({ pid, ppid: 1, comm: "x", startSec: 1, startUsec: 0 });
    const reader = createDarwinReader(libproc);
    expect(reader.listPids()).toHaveLength(5005);
    expect(libproc.calls.filter((call) => call.startsWith("listallpids"))).toEqual([
      "listallpids 2048",
      "listallpids 4096",
      "listallpids 8192",
    ]);
    // The grown buffer is kept: the next listing is one call.
    libproc.calls = [];
    reader.listPids();
    expect(libproc.calls).toEqual(["listallpids 8192"]);
  });

  test("info: parent, name (the long one where registered), identity from the start time", () => {
    const reader = createDarwinReader(fake());
    expect(reader.info(602)).toEqual({ pid: 602, ppid: 601, name: "cc1-long-process-name", startTime: 2_001_000_000 });
    expect(reader.info(601)).toEqual({ pid: 601, ppid: 600, name: "make", startTime: 2_000_000_900 });
    expect(reader.info(999)).toBeUndefined();
  });

  test("memory: resident and virtual size in bytes; no kernel peak of RSS on macOS", () => {
    const reader = createDarwinReader(fake());
    expect(reader.memory(602)).toEqual({ rss: 300 * 2 ** 20, vsz: 402 * 2 ** 30, threads: 4 });
    expect(reader.memory(602)?.peakRss).toBeUndefined();
    expect(reader.memory(999)).toBeUndefined();
  });

  test("a zombie: info still answers, memory does not", () => {
    const libproc = fake();
    libproc.add({ ...cc1, status: 5 });
    const reader = createDarwinReader(libproc);
    expect(reader.info(602)?.ppid).toBe(601);
    expect(reader.memory(602)).toBeUndefined();
    expect(reader.track?.(602)).toBeUndefined();
  });

  test("childrenOf: direct children only, from one call", () => {
    const libproc = fake();
    const reader = createDarwinReader(libproc);
    expect(reader.childrenOf?.(600)).toEqual([601]);
    expect(reader.childrenOf?.(601)).toEqual([602]);
    expect(reader.childrenOf?.(602)).toEqual([]);
    expect(reader.childrenOf?.(600, true)).toEqual([601]);
  });

  test("childrenOf grows its buffer for a process with many children", () => {
    const libproc = fake();
    for (let pid = 20_000; pid < 20_100; pid++) libproc.add({ pid, ppid: 601, comm: "w", startSec: 3, startUsec: 0 });
    const children = createDarwinReader(libproc).childrenOf?.(601);
    expect(children).toHaveLength(101);
    expect(libproc.calls.filter((call) => call.startsWith("listchildpids"))).toEqual(["listchildpids 601 64", "listchildpids 601 128"]);
  });

  test("track: identity and memory in one call per read, with the name", () => {
    const libproc = fake();
    const handle = createDarwinReader(libproc).track?.(602);
    libproc.calls = [];
    expect(handle?.read()).toEqual({ rss: 300 * 2 ** 20, vsz: 402 * 2 ** 30, threads: 4, name: "cc1-long-process-name" });
    expect(libproc.calls).toEqual([`pidinfo 602 ${PROC_PIDTASKALLINFO}`]);
  });

  test("track: a pid taken by another process is never read in its owner's place", () => {
    const libproc = fake();
    const handle = createDarwinReader(libproc).track?.(602);
    libproc.add({ ...cc1, comm: "other", name: "", startSec: 2005, rss: 1 }); // exited; pid reused
    expect(handle?.read()).toBeUndefined();
    libproc.add(cc1); // even were the old identity to come back, the handle stays gone
    expect(handle?.read()).toBeUndefined();
  });

  test("track: a process that exits reads as gone; close ends a handle", () => {
    const libproc = fake();
    const reader = createDarwinReader(libproc);
    const exiting = reader.track?.(602);
    libproc.processes.delete(602);
    expect(exiting?.read()).toBeUndefined();
    const closed = reader.track?.(601);
    closed?.close();
    expect(closed?.read()).toBeUndefined();
    expect(reader.track?.(999)).toBeUndefined();
  });

  test("footprint: phys_footprint and its lifetime peak, apart from RSS", () => {
    const reader = createDarwinReader(fake());
    expect(reader.footprint(602)).toEqual({ current: 280 * 2 ** 20, lifetimeMax: 512 * 2 ** 20 });
    expect(reader.footprint(999)).toBeUndefined();
  });

  test("--pss: phys_footprint, under its own name, with no USS; undefined once gone", () => {
    const reader = createDarwinReader(fake());
    expect(reader.proportional?.source).toBe("phys_footprint");
    expect(reader.proportional?.read(602)).toEqual({ pss: 280 * 2 ** 20 });
    expect(reader.proportional?.read(999)).toBeUndefined();
  });

  test("terminal state: process group and the terminal's foreground group", () => {
    const reader = createDarwinReader(fake());
    expect(reader.terminalState(600)).toEqual({ pgrp: 600, foregroundPgrp: 600 });
    expect(reader.terminalState(1)).toEqual({ pgrp: 1, foregroundPgrp: 0 }); // no controlling terminal
    expect(reader.terminalState(999)).toBeUndefined();
  });

  test("the rest of the contract: no creation mark, no adoption, ru_maxrss exact from 0, isatty", () => {
    const reader = createDarwinReader(fake());
    expect(reader.creationMark()).toBeUndefined();
    expect(reader.adoptOrphans()).toBe(false);
    expect(reader.rusageFloor?.()).toBe(0);
    expect(reader.isTerminal(1)).toBe(true);
    expect(reader.isTerminal(2)).toBe(false);
  });
});

describe("memorySources", () => {
  test("physical memory from hw.memsize, and nothing else", () => {
    const sources = createDarwinReader(fake()).memorySources?.();
    expect(sources?.limits()).toEqual({ physical: { bytes: 16 * 2 ** 30, source: "physical memory, hw.memsize" } });
    expect(sources?.oomCounter).toBeUndefined();
    expect(sources?.pressure).toBeUndefined();
  });

  test("sizes past 2^32 bytes are whole", () => {
    const libproc = fake();
    libproc.sysctls.set("hw.memsize", memsizeBytes(192n * 2n ** 30n + 4096n));
    expect(createDarwinReader(libproc).memorySources?.().limits().physical?.bytes).toBe(192 * 2 ** 30 + 4096);
  });

  test("a failing sysctl, a short answer or a throwing binding: no limit, no throw", () => {
    const failing = fake();
    failing.sysctls.clear();
    expect(createDarwinReader(failing).memorySources?.().limits()).toEqual({});

    const short = fake();
    short.sysctls.set("hw.memsize", new Uint8Array([0, 0, 0, 4])); // 4 bytes: not a uint64_t
    expect(createDarwinReader(short).memorySources?.().limits()).toEqual({});

    const throwing = fake();
    throwing.sysctl = () => {
      throw new Error("no libSystem");
    };
    expect(createDarwinReader(throwing).memorySources?.().limits()).toEqual({});
  });
});

describe("on a system without libproc (this Linux machine)", () => {
  test("importing the bindings loaded nothing; using them fails with one clear error", () => {
    expect(() => macosBindings.load()).toThrow(/cannot load libproc/);
    expect(() => createDarwinReader()).toThrow(PeakMemError);
    expect(() => createDarwinReader()).toThrow(/^peak-mem cannot read processes on this macOS: cannot load libproc/);
  });

  test("sysctl without libSystem answers undefined, not an exception", () => {
    expect(macosBindings.sysctl("hw.memsize", new Uint8Array(8))).toBeUndefined();
  });
});
