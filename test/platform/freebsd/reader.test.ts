import { describe, expect, test } from "bun:test";
import { freebsdBindings, type FreebsdBindings } from "../../../src/platform/freebsd/ffi.ts";
import { PeakMemError } from "../../../src/core/errors.ts";
import { CTL_KERN, KERN_PROC, KERN_PROC_PID, KERN_PROC_PROC, KINFO_PROC_SIZE } from "../../../src/platform/freebsd/decode.ts";
import { createFreebsdReader } from "../../../src/platform/freebsd/reader.ts";
import { kinfoBytes, kinfoListBytes, type KinfoFixture } from "./fixtures.ts";

// The reader's logic against a fake sysctl(3) that answers as FreeBSD's kern_proc.c does:
// KERN_PROC_PID copies one kinfo_proc or fails with ESRCH; KERN_PROC_PROC tells the size
// needed when asked with no buffer and fails with ENOMEM when the buffer is too small.

const PAGE = 4096;

class FakeSysctl implements FreebsdBindings {
  readonly processes = new Map<number, KinfoFixture>();
  calls: string[] = [];
  /** Processes that start between the size query and the read, once. */
  startBetween: KinfoFixture[] = [];
  terminals = new Set<number>([0, 1]);

  add(...procs: KinfoFixture[]): this {
    for (const p of procs) this.processes.set(p.pid, p);
    return this;
  }

  load(): void {}

  pageSize(): number {
    return PAGE;
  }

  sysctl(mib: Int32Array, buffer: Uint8Array | null): number {
    const [ctl, kern, op, arg] = mib;
    if (ctl !== CTL_KERN || kern !== KERN_PROC) return -1;
    if (op === KERN_PROC_PID && mib.length === 4) {
      this.calls.push(`pid ${arg}`);
      const p = this.processes.get(arg as number);
      if (!p || !buffer || buffer.byteLength < KINFO_PROC_SIZE) return -1; // ESRCH / ENOMEM
      buffer.set(kinfoBytes(p));
      return KINFO_PROC_SIZE;
    }
    if (op === KERN_PROC_PROC && mib.length === 3) {
      const procs = [...this.processes.values()];
      const needed = procs.length * KINFO_PROC_SIZE;
      if (!buffer) {
        this.calls.push("proc size");
        this.add(...this.startBetween.splice(0));
        return needed;
      }
      this.calls.push(`proc ${buffer.byteLength / KINFO_PROC_SIZE}`);
      if (buffer.byteLength < needed) return -1; // ENOMEM
      buffer.set(kinfoListBytes(procs));
      return needed;
    }
    return -1;
  }

  isatty(fd: number): boolean {
    return this.terminals.has(fd);
  }
}

const init: KinfoFixture = { pid: 1, ppid: 0, comm: "init", startSec: 100, startUsec: 0, tpgid: -1 };
const shell: KinfoFixture = { pid: 900, ppid: 1, comm: "zsh", startSec: 200, startUsec: 1, pgid: 900, tpgid: 910 };
const peakMem: KinfoFixture = { pid: 910, ppid: 900, comm: "peak-mem", startSec: 300, startUsec: 2, pgid: 910, tpgid: 910 };
const cc: KinfoFixture = {
  pid: 911,
  ppid: 910,
  comm: "cc",
  startSec: 300,
  startUsec: 500,
  pgid: 910,
  tpgid: 910,
  vsz: 90_000_000,
  rssPages: 2560,
  maxRssKiB: 40_960,
  threads: 2,
};

const fake = () => new FakeSysctl().add(init, shell, peakMem, cc);

describe("createFreebsdReader", () => {
  test("lists every process from one KERN_PROC_PROC read", () => {
    const sysctl = fake();
    expect(createFreebsdReader(sysctl).listPids()).toEqual([1, 900, 910, 911]);
    expect(sysctl.calls).toEqual(["proc size", "proc 68"]);
  });

  test("processes that start between the size query and the read fit in the slack", () => {
    const sysctl = fake();
    sysctl.startBetween = Array.from({ length: 10 }, (_, i) => ({ pid: 2000 + i, ppid: 1, comm: "w", startSec: 400, startUsec: i }));
    expect(createFreebsdReader(sysctl).listPids()).toHaveLength(14);
  });

  test("more than the slack: ENOMEM, and it asks again", () => {
    const sysctl = fake();
    sysctl.startBetween = Array.from({ length: 100 }, (_, i) => ({ pid: 3000 + i, ppid: 1, comm: "w", startSec: 400, startUsec: i }));
    expect(createFreebsdReader(sysctl).listPids()).toHaveLength(104);
    expect(sysctl.calls).toEqual(["proc size", "proc 68", "proc size", "proc 168"]);
  });

  test("info: parent, name, identity from ki_start", () => {
    const reader = createFreebsdReader(fake());
    expect(reader.info(911)).toEqual({ pid: 911, ppid: 910, name: "cc", startTime: 300_000_500 });
    expect(reader.info(4242)).toBeUndefined();
  });

  test("memory: pages times the page size, VSZ in bytes, the kernel's peak from KiB", () => {
    const reader = createFreebsdReader(fake());
    expect(reader.memory(911)).toEqual({ rss: 2560 * PAGE, vsz: 90_000_000, peakRss: 40_960 * 1024, threads: 2, name: "cc" });
    expect(reader.memory(4242)).toBeUndefined();
  });

  test("a zombie: info answers, memory does not, track refuses it", () => {
    const sysctl = fake().add({ ...cc, stat: 5 });
    const reader = createFreebsdReader(sysctl);
    expect(reader.info(911)?.ppid).toBe(910);
    expect(reader.memory(911)).toBeUndefined();
    expect(reader.track?.(911)).toBeUndefined();
  });

  test("track: one sysctl per read, bound to the process it was opened on", () => {
    const sysctl = fake();
    const handle = createFreebsdReader(sysctl).track?.(911);
    sysctl.calls = [];
    expect(handle?.read()?.rss).toBe(2560 * PAGE);
    expect(sysctl.calls).toEqual(["pid 911"]);
    sysctl.add({ ...cc, comm: "other", startSec: 999 }); // exited, pid reused
    expect(handle?.read()).toBeUndefined();
    sysctl.add(cc);
    expect(handle?.read()).toBeUndefined();
  });

  test("track: gone when the process exits; close ends it", () => {
    const sysctl = fake();
    const reader = createFreebsdReader(sysctl);
    const handle = reader.track?.(911);
    sysctl.processes.delete(911);
    expect(handle?.read()).toBeUndefined();
    const closed = reader.track?.(910);
    closed?.close();
    expect(closed?.read()).toBeUndefined();
  });

  test("terminal state from ki_pgid and ki_tpgid", () => {
    const reader = createFreebsdReader(fake());
    expect(reader.terminalState(910)).toEqual({ pgrp: 910, foregroundPgrp: 910 });
    expect(reader.terminalState(1)).toEqual({ pgrp: 1, foregroundPgrp: -1 });
  });

  test("the rest of the contract: no children lists, no mark, no adoption, no rusage floor", () => {
    const reader = createFreebsdReader(fake());
    expect(reader.childrenOf).toBeUndefined();
    expect(reader.creationMark()).toBeUndefined();
    expect(reader.adoptOrphans()).toBe(false);
    expect(reader.rusageFloor).toBeUndefined();
    expect(reader.isTerminal(1)).toBe(true);
    expect(reader.isTerminal(2)).toBe(false);
  });
});

describe("on a system without FreeBSD's libc (this Linux machine)", () => {
  test("importing the bindings loaded nothing; using them fails with one clear error", () => {
    expect(() => freebsdBindings.load()).toThrow(/cannot load libc \(libc\.so\.7/);
    expect(() => createFreebsdReader()).toThrow(PeakMemError);
    expect(() => createFreebsdReader()).toThrow(/^peak-mem cannot read processes on this FreeBSD: cannot load libc/);
  });
});
