import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { array, C, Fixture, layout, type CType } from "../c-layout.ts";
import {
  commName,
  decodeConnectorAck,
  decodeFamilyId,
  decodeNetlinkAck,
  decodeProcEvent,
  decodeTaskExits,
  encodeConnectorControl,
  encodeGetFamily,
  encodeTaskstatsListener,
} from "../../../src/platform/linux/netlink.ts";
import { openProcessEvents } from "../../../src/platform/linux/proc-events.ts";
import type { ProcessEvent, ProcessEventSource, TaskExit } from "../../../src/platform/types.ts";
import captured from "../../fixtures/netlink/captured.json";

// ---- layouts, from the uapi headers' field lists (include/uapi/linux/*.h) -----------------

const aligned8 = (type: CType): CType => ({ size: type.size, align: 8 });
const nlmsghdr = layout([["len", C.u32], ["type", C.u16], ["flags", C.u16], ["seq", C.u32], ["pid", C.u32]]);
const cnMsg = layout([["idx", C.u32], ["val", C.u32], ["seq", C.u32], ["ack", C.u32], ["len", C.u16], ["flags", C.u16]]);
const procEvent = layout([["what", C.u32], ["cpu", C.u32], ["timestamp_ns", aligned8(C.u64)], ["event_data", array(C.u8, 24)]]);
const forkEvent = layout([["parent_pid", C.i32], ["parent_tgid", C.i32], ["child_pid", C.i32], ["child_tgid", C.i32]]);
const execEvent = layout([["process_pid", C.i32], ["process_tgid", C.i32]]);
const exitEvent = layout([["process_pid", C.i32], ["process_tgid", C.i32], ["exit_code", C.u32], ["exit_signal", C.u32], ["parent_pid", C.i32], ["parent_tgid", C.i32]]);
const genlmsghdr = layout([["cmd", C.u8], ["version", C.u8], ["reserved", C.u16]]);
const nlattr = layout([["len", C.u16], ["type", C.u16]]);
const u64s = (...names: string[]) => names.map((name) => [name, C.u64] as const);
// struct taskstats to v13's end (taskstats.h); the kernel here sends v16, a longer one.
const taskstats = layout([
  ["version", C.u16],
  ["ac_exitcode", C.u32],
  ["ac_flag", C.u8],
  ["ac_nice", C.u8],
  ["cpu_count", aligned8(C.u64)],
  ...u64s("cpu_delay_total", "blkio_count", "blkio_delay_total", "swapin_count", "swapin_delay_total", "cpu_run_real_total", "cpu_run_virtual_total"),
  ["ac_comm", array(C.char, 32)],
  ["ac_sched", aligned8(C.u8)],
  ["ac_pad", array(C.u8, 3)],
  ["ac_uid", aligned8(C.u32)],
  ["ac_gid", C.u32],
  ["ac_pid", C.u32],
  ["ac_ppid", C.u32],
  ["ac_btime", C.u32],
  ["ac_etime", aligned8(C.u64)],
  ...u64s("ac_utime", "ac_stime", "ac_minflt", "ac_majflt", "coremem", "virtmem", "hiwater_rss", "hiwater_vm"),
  ...u64s("read_char", "write_char", "read_syscalls", "write_syscalls", "read_bytes", "write_bytes", "cancelled_write_bytes", "nvcsw", "nivcsw"),
  ...u64s("ac_utimescaled", "ac_stimescaled", "cpu_scaled_run_real_total", "freepages_count", "freepages_delay_total", "thrashing_count", "thrashing_delay_total"),
  ...u64s("ac_btime64", "compact_count", "compact_delay_total"),
  ["ac_tgid", C.u32],
  ["ac_tgetime", aligned8(C.u64)],
  ...u64s("ac_exe_dev", "ac_exe_inode", "wpcopy_count", "wpcopy_delay_total"),
]);

const PROC_EVENT_FORK = 1;
const PROC_EVENT_EXEC = 2;
const PROC_EVENT_UID = 4;
const PROC_EVENT_EXIT = 0x80000000;
const CN_MSG_AT = nlmsghdr.size;
const PROC_EVENT_AT = CN_MSG_AT + cnMsg.size;
const EVENT_DATA_AT = PROC_EVENT_AT + (procEvent.offsets.event_data as number);

interface ConnectorSpec {
  what: number;
  timestampNs: bigint;
  data: (at: number, bytes: Uint8Array) => void;
  /** cn_msg.len: sizeof(struct proc_event) unless told. */
  len?: number;
  idx?: number;
}

/** A proc connector datagram as cn_netlink_send builds it: nlmsghdr (NLMSG_DONE), cn_msg, proc_event. */
function connectorDatagram(spec: ConnectorSpec): { bytes: Uint8Array; view: DataView } {
  const len = spec.len ?? procEvent.size;
  const total = PROC_EVENT_AT + len;
  const full = new Uint8Array(PROC_EVENT_AT + procEvent.size);
  new Fixture(nlmsghdr, full.length, 0, full).u32("len", total).i16("type", 3).u32("seq", 9).u32("pid", 0);
  new Fixture(cnMsg, full.length, CN_MSG_AT, full).u32("idx", spec.idx ?? 1).u32("val", 1).u32("seq", 9).u32("ack", 0).i16("len", len);
  new Fixture(procEvent, full.length, PROC_EVENT_AT, full).u32("what", spec.what).u32("cpu", 1).u64("timestamp_ns", spec.timestampNs);
  spec.data(EVENT_DATA_AT, full);
  const bytes = full.slice(0, total); // a short event is cut where its cn_msg.len ends
  return { bytes, view: new DataView(bytes.buffer) };
}

function newEvent(): ProcessEvent {
  return { kind: "fork", pid: -1, tgid: -1, parentPid: -1, parentTgid: -1, exitStatus: -1, monotonicMs: -1 };
}

function newExit(): TaskExit {
  return { pid: -1, tgid: -1, ppid: -1, name: "?", peakRssBytes: -1, peakVszBytes: -1, exitStatus: -1, elapsedUs: -1 };
}

const fromHex = (hex: string) => {
  const bytes = new Uint8Array(Buffer.from(hex, "hex"));
  return { bytes, view: new DataView(bytes.buffer), length: bytes.length };
};

describe("proc connector datagrams (cn_proc.h layouts)", () => {
  test("a fork: parent and child, pid and tgid, and the CLOCK_MONOTONIC time in ms", () => {
    const { bytes, view } = connectorDatagram({
      what: PROC_EVENT_FORK,
      timestampNs: 123_456_789_012n,
      data: (at, b) => new Fixture(forkEvent, b.length, at, b).i32("parent_pid", 100).i32("parent_tgid", 99).i32("child_pid", 200).i32("child_tgid", 200),
    });
    expect(bytes.length).toBe(76); // what the python check read
    const event = newEvent();
    expect(decodeProcEvent(view, bytes.length, event)).toBe(true);
    expect(event).toEqual({ kind: "fork", pid: 200, tgid: 200, parentPid: 100, parentTgid: 99, exitStatus: 0, monotonicMs: 123456.789012 });
  });

  test("an exec: the task, no parent", () => {
    const { bytes, view } = connectorDatagram({
      what: PROC_EVENT_EXEC,
      timestampNs: 5_000_000n,
      data: (at, b) => new Fixture(execEvent, b.length, at, b).i32("process_pid", 300).i32("process_tgid", 300),
    });
    const event = newEvent();
    expect(decodeProcEvent(view, bytes.length, event)).toBe(true);
    expect(event).toEqual({ kind: "exec", pid: 300, tgid: 300, parentPid: 0, parentTgid: 0, exitStatus: 0, monotonicMs: 5 });
  });

  test("an exit: the wait status as the kernel has it (task->exit_code), and the parent", () => {
    const { bytes, view } = connectorDatagram({
      what: PROC_EVENT_EXIT,
      timestampNs: 2n ** 40n + 1n, // both 32-bit halves of the u64 in use
      data: (at, b) =>
        new Fixture(exitEvent, b.length, at, b).i32("process_pid", 400).i32("process_tgid", 400).u32("exit_code", 3 << 8).u32("exit_signal", 17).i32("parent_pid", 10).i32("parent_tgid", 10),
    });
    const event = newEvent();
    expect(decodeProcEvent(view, bytes.length, event)).toBe(true);
    expect(event).toEqual({ kind: "exit", pid: 400, tgid: 400, parentPid: 10, parentTgid: 10, exitStatus: 768, monotonicMs: Number(2n ** 40n + 1n) / 1e6 });
  });

  test("an exit from before Linux 4.1 (no parent fields): parent 0", () => {
    const { bytes, view } = connectorDatagram({
      what: PROC_EVENT_EXIT,
      timestampNs: 1_000_000n,
      len: 32, // 16 + pid, tgid, exit_code, exit_signal
      data: (at, b) => new Fixture(exitEvent, b.length, at, b).i32("process_pid", 401).i32("process_tgid", 401).u32("exit_code", 9).u32("exit_signal", 17),
    });
    const event = newEvent();
    expect(decodeProcEvent(view, bytes.length, event)).toBe(true);
    expect(event).toMatchObject({ kind: "exit", pid: 401, exitStatus: 9, parentPid: 0, parentTgid: 0 });
  });

  test("other kinds, other connectors and short datagrams are not events", () => {
    const event = newEvent();
    const uid = connectorDatagram({ what: PROC_EVENT_UID, timestampNs: 1n, data: () => {} });
    expect(decodeProcEvent(uid.view, uid.bytes.length, event)).toBe(false);
    const other = connectorDatagram({ what: PROC_EVENT_FORK, timestampNs: 1n, idx: 2, data: () => {} });
    expect(decodeProcEvent(other.view, other.bytes.length, event)).toBe(false);
    const fork = connectorDatagram({ what: PROC_EVENT_FORK, timestampNs: 1n, data: () => {} });
    expect(decodeProcEvent(fork.view, 60, event)).toBe(false); // cut short: nlmsg_len says 76
    expect(event.pid).toBe(-1);
  });

  test("the listen request: nlmsghdr, cn_msg {1, 1}, the op; proc_input with a filter", () => {
    const bytes = new Uint8Array(64);
    const view = new DataView(bytes.buffer);
    expect(encodeConnectorControl(view, 0x01020304, 1)).toBe(40);
    const head = Buffer.from(bytes.subarray(0, 40)).toString("hex");
    // len 40, NLMSG_DONE, no flags, seq; cn_msg idx 1 val 1, seq, ack (= seq: the ack answers seq + 1), len 4; op 1
    expect(head).toBe("28000000" + "0300" + "0000" + "04030201" + "00000000" + "01000000" + "01000000" + "04030201" + "04030201" + "0400" + "0000" + "01000000");
    expect(encodeConnectorControl(view, 5, 1, PROC_EVENT_FORK | PROC_EVENT_EXEC | PROC_EVENT_EXIT)).toBe(44);
    expect(view.getUint16(CN_MSG_AT + (cnMsg.offsets.len as number), true)).toBe(8);
    expect(view.getUint32(40, true)).toBe(0x80000003);
  });

  test("the ack is told from events and from other listeners' acks by cn_msg.ack = our seq + 1", () => {
    const ack = (ackField: number, err: number) => {
      const datagram = connectorDatagram({ what: 0, timestampNs: 1n, data: (at, b) => new DataView(b.buffer).setUint32(at, err, true) });
      datagram.view.setUint32(CN_MSG_AT + (cnMsg.offsets.ack as number), ackField, true);
      return datagram;
    };
    const ours = ack(43, 0);
    expect(decodeConnectorAck(ours.view, ours.bytes.length, 42)).toBe(0);
    const refused = ack(43, 22);
    expect(decodeConnectorAck(refused.view, refused.bytes.length, 42)).toBe(22);
    const theirs = ack(8, 0);
    expect(decodeConnectorAck(theirs.view, theirs.bytes.length, 42)).toBeUndefined();
    const fork = connectorDatagram({ what: PROC_EVENT_FORK, timestampNs: 1n, data: () => {} });
    expect(decodeConnectorAck(fork.view, fork.bytes.length, 42)).toBeUndefined();
  });
});

interface StatsSpec {
  pid: number;
  version?: number;
  name?: string;
  rssKb?: number;
  vmKb?: number;
  exitCode?: number;
  tgid?: number;
  ppid?: number;
  etimeUs?: number;
  /** The size of struct taskstats sent (the kernel's version decides it). */
  size?: number;
}

/** taskstats' exit datagram (taskstats_exit): nlmsghdr, genlmsghdr, [NULL], AGGR_PID {PID, STATS}, [AGGR_TGID {TGID, STATS}]. */
function taskstatsDatagram(family: number, tasks: StatsSpec[], options: { padding?: boolean; group?: number } = {}): { bytes: Uint8Array; view: DataView } {
  const statsSize = (spec: StatsSpec) => spec.size ?? taskstats.size;
  const aggregate = (spec: StatsSpec) => nlattr.size + 8 + nlattr.size + statsSize(spec);
  const groupSpec: StatsSpec | undefined = options.group === undefined ? undefined : { pid: options.group, name: "", rssKb: 0, vmKb: 0, version: 16 };
  let total = nlmsghdr.size + genlmsghdr.size + (options.padding ? nlattr.size : 0);
  for (const spec of tasks) total += aggregate(spec);
  if (groupSpec) total += aggregate(groupSpec);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  new Fixture(nlmsghdr, total, 0, bytes).u32("len", total).i16("type", family).u32("seq", 1);
  new Fixture(genlmsghdr, total, nlmsghdr.size, bytes).u8("cmd", 2).u8("version", 1);
  let at = nlmsghdr.size + genlmsghdr.size;
  const attribute = (type: number, length: number) => {
    new Fixture(nlattr, total, at, bytes).i16("len", length).i16("type", type);
    at += nlattr.size;
  };
  if (options.padding) attribute(6, nlattr.size); // TASKSTATS_TYPE_NULL, on strict-alignment 64-bit machines
  const put = (spec: StatsSpec, aggr: number, idType: number) => {
    attribute(aggr | 0x8000, aggregate(spec)); // NLA_F_NESTED, as nla_nest_start sets it
    attribute(idType, 8);
    view.setUint32(at, spec.pid, true);
    at += 4;
    attribute(3, nlattr.size + statsSize(spec));
    const stats = new Fixture(taskstats, total, at, bytes)
      .noise("cpu_count", 64)
      .i16("version", spec.version ?? 13)
      .u32("ac_exitcode", spec.exitCode ?? 0)
      .text("ac_comm", spec.name ?? "cat", 32)
      .u32("ac_pid", spec.pid)
      .u32("ac_ppid", spec.ppid ?? 1)
      .u64("ac_etime", spec.etimeUs ?? 0)
      .u64("hiwater_rss", spec.rssKb ?? 0)
      .u64("hiwater_vm", spec.vmKb ?? 0);
    if (statsSize(spec) >= taskstats.size) stats.u32("ac_tgid", spec.tgid ?? spec.pid);
    at += statsSize(spec);
  };
  for (const spec of tasks) put(spec, 4, 1);
  if (groupSpec) put(groupSpec, 5, 2);
  return { bytes, view };
}

describe("taskstats datagrams (taskstats.h layout)", () => {
  test("the offsets the decoder uses are the header's", () => {
    expect(taskstats.offsets).toMatchObject({ ac_exitcode: 4, ac_comm: 80, ac_pid: 128, ac_ppid: 132, ac_etime: 144, hiwater_rss: 200, hiwater_vm: 208, ac_tgid: 368 });
    expect(taskstats.size).toBe(416); // v13, as gcc lays it out
  });

  test("an exit: pid from the PID attribute, name, ppid, peaks in bytes, wait status, elapsed µs, tgid (v12+)", () => {
    const { bytes, view } = taskstatsDatagram(31, [{ pid: 500, tgid: 500, ppid: 499, name: "cat", rssKb: 1656, vmKb: 3060, exitCode: 9, etimeUs: 448, version: 16 }]);
    const exits: TaskExit[] = [];
    expect(decodeTaskExits(bytes, view, bytes.length, 31, newExit(), (exit) => exits.push({ ...exit }))).toBe(1);
    expect(exits).toEqual([{ pid: 500, tgid: 500, ppid: 499, name: "cat", peakRssBytes: 1656 * 1024, peakVszBytes: 3060 * 1024, exitStatus: 9, elapsedUs: 448 }]);
  });

  test("before v12 there is no ac_tgid: tgid 0, whatever the bytes there", () => {
    const { bytes, view } = taskstatsDatagram(31, [{ pid: 501, version: 11, tgid: 77 }]);
    const exit = newExit();
    decodeTaskExits(bytes, view, bytes.length, 31, exit, () => {});
    expect(exit.tgid).toBe(0);
    const short = taskstatsDatagram(31, [{ pid: 502, version: 10, size: 344 }]);
    expect(decodeTaskExits(short.bytes, short.view, short.bytes.length, 31, exit, () => {})).toBe(1);
    expect(exit).toMatchObject({ pid: 502, tgid: 0, name: "cat" });
  });

  test("the alignment padding (TASKSTATS_TYPE_NULL) is skipped; AGGR_TGID (no name, no memory) is not an exit", () => {
    const { bytes, view } = taskstatsDatagram(31, [{ pid: 600, name: "worker", rssKb: 10 }], { padding: true, group: 600 });
    const names: string[] = [];
    expect(decodeTaskExits(bytes, view, bytes.length, 31, newExit(), (exit) => names.push(`${exit.pid} ${exit.name}`))).toBe(1);
    expect(names).toEqual(["600 worker"]);
  });

  test("another family's messages, a truncated datagram: nothing", () => {
    const { bytes, view } = taskstatsDatagram(31, [{ pid: 700 }]);
    expect(decodeTaskExits(bytes, view, bytes.length, 32, newExit(), () => {})).toBe(0);
    expect(decodeTaskExits(bytes, view, bytes.length - 8, 31, newExit(), () => {})).toBe(0);
  });

  test("names: up to 32 bytes or the first NUL, repeated ones as the same string, UTF-8 decoded", () => {
    const bytes = new Uint8Array(40).fill(0x41);
    expect(commName(bytes, 0)).toBe("A".repeat(32));
    const cat = new TextEncoder().encode("cat\0\0\0");
    expect(commName(cat, 0)).toBe("cat");
    expect(commName(cat, 0)).toBe("cat");
    expect(commName(new TextEncoder().encode("ca\0"), 0)).toBe("ca"); // not the cached "cat"
    expect(commName(new TextEncoder().encode("dog\0"), 0)).toBe("dog");
    expect(commName(new TextEncoder().encode("größe\0"), 0)).toBe("größe");
  });

  test("requests: CTRL_CMD_GETFAMILY for TASKSTATS, and the acked (de)registration of a cpulist", () => {
    const bytes = new Uint8Array(64);
    const view = new DataView(bytes.buffer);
    const length = encodeGetFamily(view, 7, "TASKSTATS");
    expect(length).toBe(16 + 4 + 16); // "TASKSTATS\0" in a 4-byte-padded attribute
    expect(Buffer.from(bytes.subarray(0, length)).toString("hex")).toBe(
      "24000000" + "1000" + "0100" + "07000000" + "00000000" + "03010000" + "0e00" + "0200" + Buffer.from("TASKSTATS\0\0\0").toString("hex"),
    );
    const register = encodeTaskstatsListener(view, 8, 31, true, "0-1");
    expect(Buffer.from(bytes.subarray(0, register)).toString("hex")).toBe("1c000000" + "1f00" + "0500" + "08000000" + "00000000" + "01010000" + "0800" + "0300" + Buffer.from("0-1\0").toString("hex"));
    encodeTaskstatsListener(view, 9, 31, false, "0-1");
    expect(view.getUint16(22, true)).toBe(4); // TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK
  });
});

describe("datagrams captured on Linux 6.18", () => {
  const connectorEvents = (list: string[]) =>
    list.flatMap((hex) => {
      const { view, length } = fromHex(hex);
      const event = newEvent();
      return decodeProcEvent(view, length, event) ? [{ ...event }] : [];
    });
  const taskExits = (list: string[]) =>
    list.flatMap((hex) => {
      const { bytes, view, length } = fromHex(hex);
      const exits: TaskExit[] = [];
      decodeTaskExits(bytes, view, length, captured.family, newExit(), (exit) => exits.push({ ...exit }));
      return exits;
    });

  test("the answers to the requests", () => {
    const ack = fromHex(captured.connectorAck);
    expect(decodeConnectorAck(ack.view, ack.length, captured.connectorListenSeq)).toBe(0);
    const family = fromHex(captured.familyReply);
    expect(decodeFamilyId(family.view, family.length, captured.familyRequestSeq)).toBe(captured.family);
    expect(decodeFamilyId(family.view, family.length, captured.familyRequestSeq + 1)).toBeUndefined();
    const registered = fromHex(captured.registerAck);
    expect(decodeNetlinkAck(registered.view, registered.length, captured.registerSeq)).toBe(0);
  });

  test("sh -c 'cat /dev/null; exit 3': fork, exec, exit of both, and their taskstats", () => {
    const [sh, cat] = captured.shell.pids as [number, number];
    const events = connectorEvents(captured.shell.connector).filter((e) => e.pid === sh || e.pid === cat);
    expect(events.map((e) => `${e.kind} ${e.pid === sh ? "sh" : "cat"} ${e.exitStatus}`)).toEqual(["fork sh 0", "exec sh 0", "fork cat 0", "exec cat 0", "exit cat 0", "exit sh 768"]);
    expect(events.find((e) => e.kind === "fork" && e.pid === cat)?.parentTgid).toBe(sh);
    const times = events.map((e) => e.monotonicMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const exits = taskExits(captured.shell.taskstats);
    expect(exits.map((e) => [e.pid, e.name, e.exitStatus, e.tgid])).toEqual([
      [cat, "cat", 0, cat],
      [sh, "sh", 768, sh],
    ]);
    for (const exit of exits) expect(exit.peakRssBytes).toBeGreaterThan(100 * 1024);
  });

  test("a process killed by SIGKILL: status 9 in both", () => {
    const pid = captured.killed.pid;
    const exit = connectorEvents(captured.killed.connector).find((e) => e.kind === "exit" && e.pid === pid);
    expect(exit?.exitStatus).toBe(9);
    expect(taskExits(captured.killed.taskstats).map((e) => [e.name, e.exitStatus])).toEqual([["sleep", 9]]);
  });

  test("a two-thread process: a fork and an exit per thread, an AGGR_PID per thread", () => {
    const [leader, thread] = captured.threads.pids as [number, number];
    const events = connectorEvents(captured.threads.connector).filter((e) => e.tgid === leader && e.kind !== "exec");
    expect(events.map((e) => `${e.kind} ${e.pid === leader ? "leader" : "thread"} ${e.exitStatus}`)).toEqual(["fork leader 0", "fork thread 0", "exit thread 0", "exit leader 1280"]);
    const exits = taskExits(captured.threads.taskstats);
    expect(exits.map((e) => [e.pid, e.tgid, e.exitStatus])).toEqual([
      [thread, leader, 0],
      [leader, leader, 1280],
    ]);
    // The thread's peak is the shared mm's so far (its 20 MiB); the leader's adds its own 10.
    expect(exits[0]?.peakRssBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(exits[1]?.peakRssBytes).toBeGreaterThan(30 * 1024 * 1024);
  });
});

// ---- the kernel's events, live (root) -----------------------------------------------------

const isRoot = process.getuid?.() === 0;
const source: ProcessEventSource | undefined = process.platform === "linux" && isRoot ? openProcessEvents() : undefined;
const skipReason = process.platform !== "linux" ? "not Linux" : !isRoot ? "not root (the proc connector and taskstats need CAP_NET_ADMIN)" : !source ? "openProcessEvents() refused (not the initial namespaces, or no proc connector)" : "";
if (skipReason) console.warn(`proc-events live tests skipped: ${skipReason}`);
const live = skipReason ? test.skip : test;

interface Seen {
  events: ProcessEvent[];
  exits: TaskExit[];
  complete: boolean;
}

/** Drains into copies until `done` holds or 3 s pass. */
async function drainUntil(done: (seen: Seen) => boolean): Promise<Seen> {
  const seen: Seen = { events: [], exits: [], complete: true };
  const until = Date.now() + 3000;
  for (;;) {
    seen.complete = (source as ProcessEventSource).drain((e) => seen.events.push({ ...e }), (x) => seen.exits.push({ ...x })) && seen.complete;
    if (done(seen) || Date.now() > until) return seen;
    await Bun.sleep(5);
  }
}

const CC = Bun.which("cc") ?? Bun.which("gcc");
let built: string | undefined;
function buildDir(): string {
  return (built ??= mkdtempSync(join(tmpdir(), "peak-mem-proc-events-")));
}
async function compile(source: string, name: string, flags: string[] = []): Promise<string | undefined> {
  if (!CC) return undefined;
  const out = join(buildDir(), name);
  const result = Bun.spawnSync([CC, "-O2", ...flags, "-o", out, source]);
  return result.exitCode === 0 ? out : undefined;
}

describe("openProcessEvents, live", () => {
  live("nothing waiting: drain calls nothing and says nothing was lost", async () => {
    const s = source as ProcessEventSource;
    s.drain(() => {}, () => {});
    let calls = 0;
    // Other processes of the machine may run meanwhile: only what is ours counts.
    const ok = s.drain((e) => void (e.pid === process.pid && calls++), (x) => void (x.pid === process.pid && calls++));
    expect(ok).toBe(true);
    expect(calls).toBe(0);
    expect(s.fds.length).toBe(s.taskStats ? 2 : 1);
    expect(s.taskStats).toBe(true); // CONFIG_TASKSTATS here
  });

  live("a shell running cat five times and exiting 3, and a process killed by SIGKILL", async () => {
    const shell = Bun.spawn(["sh", "-c", "for i in 1 2 3 4 5; do cat /dev/null; done; exit 3"]);
    const killed = Bun.spawn(["sleep", "30"]);
    expect(await shell.exited).toBe(3);
    await Bun.sleep(10);
    killed.kill("SIGKILL");
    await killed.exited;
    const seen = await drainUntil((s) => s.exits.some((x) => x.pid === killed.pid) && s.exits.some((x) => x.pid === shell.pid));
    expect(seen.complete).toBe(true);
    const of = (pid: number) => seen.events.filter((e) => e.pid === pid).map((e) => `${e.kind} ${e.exitStatus}`);
    expect(of(shell.pid)).toEqual(["fork 0", "exec 0", "exit 768"]);
    expect(of(killed.pid)).toEqual(["fork 0", "exec 0", "exit 9"]);
    const cats = seen.events.filter((e) => e.kind === "fork" && e.parentTgid === shell.pid).map((e) => e.pid);
    expect(cats.length).toBe(5);
    for (const cat of cats) expect(of(cat)).toEqual(["fork 0", "exec 0", "exit 0"]);
    const catExits = seen.exits.filter((x) => cats.includes(x.pid));
    expect(catExits.map((x) => x.name)).toEqual(["cat", "cat", "cat", "cat", "cat"]);
    for (const exit of catExits) {
      expect(exit.peakRssBytes).toBeGreaterThan(0);
      expect(exit.peakVszBytes).toBeGreaterThanOrEqual(exit.peakRssBytes);
      expect(exit.exitStatus).toBe(0);
      expect(exit.ppid).toBe(shell.pid);
      expect(exit.tgid).toBe(exit.pid);
    }
    expect(seen.exits.find((x) => x.pid === shell.pid)).toMatchObject({ name: "sh", exitStatus: 768 });
    expect(seen.exits.find((x) => x.pid === killed.pid)).toMatchObject({ name: "sleep", exitStatus: 9 });
    // Each exit comes after its fork, in the kernel's time.
    for (const cat of cats) {
      const [fork, exec, exit] = seen.events.filter((e) => e.pid === cat);
      expect((fork as ProcessEvent).monotonicMs).toBeLessThanOrEqual((exec as ProcessEvent).monotonicMs);
      expect((exec as ProcessEvent).monotonicMs).toBeLessThanOrEqual((exit as ProcessEvent).monotonicMs);
    }
  });

  live("a 50 MiB allocation that exits at once: taskstats' peak has all of it", async () => {
    const alloc = await compile(join(import.meta.dir, "../../fixtures/c/alloc.c"), "alloc");
    // Without a C compiler, a Bun one-liner does (its peak is Bun's own plus the 50 MiB).
    const argv = alloc ? [alloc, "50", "0"] : [process.execPath, "-e", "if (Buffer.alloc(50 * 1048576, 1)[7] !== 1) process.exit(9)"];
    const child = Bun.spawn(argv);
    expect(await child.exited).toBe(0);
    const seen = await drainUntil((s) => s.exits.some((x) => x.pid === child.pid));
    const exit = seen.exits.find((x) => x.pid === child.pid) as TaskExit;
    expect(exit.peakRssBytes).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    expect(exit.elapsedUs).toBeGreaterThan(0);
  });

  live("threads: the leader exiting first gives the process's exit event early; the last task has the peak and the status", async () => {
    const threads = await compile(join(import.meta.dir, "../../fixtures/netlink/threads.c"), "threads", ["-pthread"]);
    if (!threads) return console.warn("no C compiler: thread cases not run");
    const child = Bun.spawn([threads, "leader-first"]);
    expect(await child.exited).toBe(7);
    const seen = await drainUntil((s) => s.exits.filter((x) => x.tgid === child.pid).length === 2);
    const events = seen.events.filter((e) => e.tgid === child.pid && e.kind !== "exec");
    const [leaderExit, threadExit] = events.filter((e) => e.kind === "exit");
    // pthread_exit in main: the pid == tgid exit comes with status 0 while the process lives on.
    expect(leaderExit).toMatchObject({ pid: child.pid, exitStatus: 0 });
    expect(threadExit?.pid).not.toBe(child.pid);
    expect(threadExit?.exitStatus).toBe(7 << 8);
    expect((threadExit as ProcessEvent).monotonicMs - (leaderExit as ProcessEvent).monotonicMs).toBeGreaterThan(20);
    const [leaderStats, threadStats] = seen.exits.filter((x) => x.tgid === child.pid);
    expect(leaderStats?.pid).toBe(child.pid);
    expect(leaderStats?.peakRssBytes).toBeLessThan(30 * 1024 * 1024); // before the thread's 30 MiB
    expect(threadStats?.peakRssBytes).toBeGreaterThan(30 * 1024 * 1024);
    expect(threadStats?.exitStatus).toBe(7 << 8);
  });

  live("2000 processes from a shell loop, drained only at the end: none lost", async () => {
    const shell = Bun.spawn(["sh", "-c", "i=0; while [ $i -lt 2000 ]; do /bin/true; i=$((i+1)); done"]);
    expect(await shell.exited).toBe(0);
    const seen = await drainUntil((s) => s.exits.some((x) => x.pid === shell.pid));
    const children = new Set(seen.events.filter((e) => e.kind === "fork" && e.parentTgid === shell.pid).map((e) => e.pid));
    expect(seen.complete).toBe(true);
    expect(children.size).toBe(2000);
    expect(seen.exits.filter((x) => children.has(x.pid) && x.name === "true").length).toBe(2000);
  });

  // Linux 6.6 opened the connector's group to every user, but a kernel may be built without
  // that (a 6.18 kernel here refuses nobody's bind with EPERM): the kernel is asked, by a probe
  // written apart from peak-mem's code, and openProcessEvents must agree with it either way.
  live("unprivileged (nobody, no capabilities): events exactly where the kernel lets nobody listen, never taskstats", async () => {
    const setpriv = Bun.which("setpriv");
    if (!setpriv) return console.warn("no setpriv: unprivileged case not run");
    const probe = await compile(join(import.meta.dir, "../../fixtures/c/connector-probe.c"), "connector-probe");
    if (!probe) return console.warn("no C compiler: unprivileged case not run");
    chmodSync(buildDir(), 0o755);
    const asNobody = (argv: string[]) => Bun.spawnSync([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", ...argv], { cwd: "/" });
    const asked = asNobody([probe]);
    const kernel = asked.stdout.toString().trim();
    expect(asked.exitCode).toBe(0);
    expect(kernel).toMatch(/^(listen|bind [0-9]+|ack [0-9]+|send [0-9]+|recv [0-9]+|socket [0-9]+|no ack)$/);
    const script = `const { openProcessEvents } = await import(${JSON.stringify(join(import.meta.dir, "../../../src/platform/linux/proc-events.ts"))});
      const s = openProcessEvents(); console.log(JSON.stringify(s ? { fds: s.fds.length, taskStats: s.taskStats } : null)); s?.close();`;
    const run = asNobody([process.execPath, "-e", script]);
    if (run.exitCode !== 0) return console.warn(`nobody could not run the check (the checkout unreadable?): ${run.stderr.toString().trim()}`);
    const opened = JSON.parse(run.stdout.toString().trim()) as { fds: number; taskStats: boolean } | null;
    console.info(`kernel ${release()}, nobody's probe of the proc connector: ${kernel}`);
    if (kernel === "listen") expect(opened).toEqual({ fds: 1, taskStats: false });
    else expect(opened).toBeNull();
  });

  live("close: idempotent, then drain sees nothing; a new source opens after", () => {
    const s = openProcessEvents() as ProcessEventSource;
    expect(s).toBeDefined();
    s.close();
    s.close();
    Bun.spawnSync(["true"]);
    expect(s.drain(() => expect.unreachable(), () => expect.unreachable())).toBe(true);
    const again = openProcessEvents();
    expect(again?.taskStats).toBe(true);
    again?.close();
  });
});
