import { closeRaw, readRaw, writeRaw } from "./ffi.ts";
import { netlinkSocket } from "./netlink-socket.ts";
import { files } from "../files.ts";
import { samplingCode } from "../../runtime/hot.ts";
import type { ProcessEvent, ProcessEventSource, TaskExit } from "../types.ts";
import {
  CN_IDX_PROC,
  decodeConnectorAck,
  decodeFamilyId,
  decodeNetlinkAck,
  decodeProcEvent,
  decodeTaskExits,
  encodeConnectorControl,
  encodeGetFamily,
  encodeTaskstatsListener,
  GENL_ID_CTRL,
  NETLINK_CONNECTOR,
  NETLINK_GENERIC,
  PROC_CN_MCAST_IGNORE,
  PROC_CN_MCAST_LISTEN,
  PROC_EVENT_EXEC,
  PROC_EVENT_EXIT,
  PROC_EVENT_FORK,
  TASKSTATS_GENL_NAME,
} from "./netlink.ts";

// The kernel's process events: every fork, exec and exit of the system from the proc
// connector (drivers/connector/cn_proc.c), and each exiting task's statistics from
// taskstats (kernel/taskstats.c) with its name, exit status and exact high-water RSS, taken
// in do_exit before the mm goes. Sampling /proc misses what lives less than a sampling
// interval; these see it all. Both need the initial user and pid namespaces (the kernel
// ignores others). Taskstats needs CAP_NET_ADMIN; the connector did too before Linux 6.6,
// which opened it to every user (as /proc shows the same), though a kernel may still be
// built to refuse them (a 6.18 kernel was seen to): the bind is what answers, never the
// version. Unprivileged where the kernel allows it, there are events but no taskstats
// (taskStats false); where it refuses, undefined, and the caller samples.
//
// The events are the whole system's, not the measured tree's: the caller keeps the tree
// (the fork events link it) and drops the rest.

// The shapes (ProcessEvent, TaskExit, ProcessEventSource) are the platform interface's
// (src/platform/types.ts). Threads fork and exit too, and are delivered: pid != tgid. Each
// exiting task has its taskstats, each thread included; a thread's peaks are its process's so
// far (threads share the mm). A leader that calls pthread_exit sends its exit (pid == tgid)
// before its process ends: its status and peak then come with the last thread's.

// include/uapi/asm-generic/errno-base.h, errno.h
const EINTR = 4;
const EAGAIN = 11;
const ENOBUFS = 105;

/**
 * Asked of each socket; the kernel doubles it for its bookkeeping, and charges each
 * message its sk_buff's truesize, not its data: measured here, ~0.83 KiB per connector
 * event (76 bytes of data) and ~1.3 KiB per taskstats exit (596). 16 MiB then holds about
 * 20,000 events and 13,000 exits between drains: 2,000 `true` from a shell loop, drained
 * only at the end, lose none (4 MiB asked was the least that did). It is memory only
 * while messages wait.
 */
const RECEIVE_BUFFER_BYTES = 8 << 20;
/** A datagram is one message of at most ~1 KiB (taskstats with its AGGR_TGID); room to spare. */
const DATAGRAM_BYTES = 8192;
/** Reads while waiting for the answer to a request, past the system's events that come between. */
const ANSWER_READS = 100_000;

class Source implements ProcessEventSource {
  readonly fds: readonly number[];
  private readonly event: ProcessEvent = { kind: "fork", pid: 0, tgid: 0, parentPid: 0, parentTgid: 0, exitStatus: 0, monotonicMs: 0 };
  private readonly exit: TaskExit = { pid: 0, tgid: 0, ppid: 0, name: "", peakRssBytes: 0, peakVszBytes: 0, exitStatus: 0, elapsedUs: 0 };
  private open = true;

  constructor(
    private readonly connector: number,
    private readonly stats: { fd: number; family: number; cpus: string } | undefined,
    private readonly io: Io,
  ) {
    this.fds = stats ? [connector, stats.fd] : [connector];
  }

  get taskStats(): boolean {
    return this.stats !== undefined;
  }

  drain(onEvent: (event: ProcessEvent) => void, onExit: (exit: TaskExit) => void): boolean {
    if (!this.open) return true;
    const { bytes, view } = this.io;
    let complete = true;
    for (;;) {
      const n = readRaw(this.connector, bytes) ?? -EAGAIN;
      if (n > 0) {
        if (decodeProcEvent(view, n, this.event)) onEvent(this.event);
      } else if (n === -ENOBUFS) complete = false; // reported once, then the reads go on
      else if (n !== -EINTR) break; // EAGAIN: drained
    }
    const stats = this.stats;
    if (stats) {
      for (;;) {
        const n = readRaw(stats.fd, bytes) ?? -EAGAIN;
        if (n > 0) decodeTaskExits(bytes, view, n, stats.family, this.exit, onExit);
        else if (n === -ENOBUFS) complete = false;
        else if (n !== -EINTR) break;
      }
    }
    return complete;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    const { bytes, view } = this.io;
    if (this.stats) {
      // The listener would go anyway at the next exit sent to the closed port
      // (ECONNREFUSED); deregistering spares that.
      writeRaw(this.stats.fd, bytes, encodeTaskstatsListener(view, nextSeq(), this.stats.family, false, this.stats.cpus));
      closeRaw(this.stats.fd);
    }
    // The kernel counts listeners (proc_event_num_listeners) and only IGNORE lowers the
    // count: a socket closed without it leaves every fork of the system building an event.
    writeRaw(this.connector, bytes, encodeConnectorControl(view, nextSeq(), PROC_CN_MCAST_IGNORE));
    closeRaw(this.connector);
  }
}

interface Io {
  bytes: Uint8Array;
  view: DataView;
}

/** One receive buffer for every source: a drain must not be called from another's callback. */
let io: Io | undefined;
let seq = 0;
/** Sequence numbers that tell our requests' answers from other listeners' (acks are broadcast). */
function nextSeq(): number {
  seq = (seq + 1) & 0xffff;
  return ((process.pid & 0xffff) * 0x10000 + seq) >>> 0;
}

/** Opens the kernel's process events where permitted (root or CAP_NET_ADMIN, init pid namespace); undefined where not (never throws). */
export function openProcessEvents(): ProcessEventSource | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    return openSource();
  } catch {
    return undefined;
  }
}

function openSource(): ProcessEventSource | undefined {
  if (!inInitialPidNamespace()) return undefined;
  io ??= (() => {
    const bytes = new Uint8Array(DATAGRAM_BYTES);
    return { bytes, view: new DataView(bytes.buffer) };
  })();
  const { bytes, view } = io;
  const connector = netlinkSocket(NETLINK_CONNECTOR, 1 << (CN_IDX_PROC - 1), RECEIVE_BUFFER_BYTES);
  if (connector === undefined || connector < 0) return undefined; // EPERM: this kernel keeps the group to CAP_NET_ADMIN (all before 6.6, some after)
  try {
    // Listen to everything first: only that is acked (a filter drops the ack, whose kind is
    // NONE), and no ack means the kernel ignored us (not the initial namespaces).
    const listen = nextSeq();
    if (request(connector, encodeConnectorControl(view, listen, PROC_CN_MCAST_LISTEN), (n) => decodeConnectorAck(view, n, listen)) !== 0) {
      closeRaw(connector);
      return undefined;
    }
    // Then narrow to the three kinds wanted (Linux 6.6+; older kernels ignore this and go on sending all).
    writeRaw(connector, bytes, encodeConnectorControl(view, nextSeq(), PROC_CN_MCAST_LISTEN, PROC_EVENT_FORK | PROC_EVENT_EXEC | PROC_EVENT_EXIT));
  } catch {
    closeRaw(connector);
    return undefined;
  }
  return new Source(connector, openTaskstats(), io);
}

/**
 * Sends the `length` bytes of the shared buffer on `fd`, then reads until `answer` makes
 * something of a datagram, skipping the system's events that came first: the answer, or
 * undefined when none came. The kernel answers within the write (netlink hands a request
 * to the kernel's socket synchronously), so an empty queue means no answer.
 */
function request<T>(fd: number, length: number, answer: (n: number) => T | undefined): T | undefined {
  const { bytes } = io as Io;
  if (writeRaw(fd, bytes, length) !== length) return undefined;
  for (let reads = 0; reads < ANSWER_READS; reads++) {
    const n = readRaw(fd, bytes) ?? -EAGAIN;
    if (n > 0) {
      const result = answer(n);
      if (result !== undefined) return result;
    } else if (n !== -EINTR && n !== -ENOBUFS) return undefined;
  }
  return undefined;
}

/** The taskstats socket, registered for the exits on every possible CPU; undefined where refused. */
function openTaskstats(): { fd: number; family: number; cpus: string } | undefined {
  const { view } = io as Io;
  const fd = netlinkSocket(NETLINK_GENERIC, 0, RECEIVE_BUFFER_BYTES);
  if (fd === undefined || fd < 0) return undefined;
  try {
    const getFamily = nextSeq();
    const family = request(fd, encodeGetFamily(view, getFamily, TASKSTATS_GENL_NAME), (n) => decodeFamilyId(view, n, getFamily));
    if (family === undefined || family <= GENL_ID_CTRL) throw new Error("no TASKSTATS family");
    // Listeners are per CPU: an exit is sent to those of the CPU it happens on.
    const cpus = possibleCpus();
    const register = nextSeq();
    const error = request(fd, encodeTaskstatsListener(view, register, family, true, cpus), (n) => decodeNetlinkAck(view, n, register));
    if (error !== 0) throw new Error(`register: errno ${error}`); // EPERM without CAP_NET_ADMIN, EINVAL outside the initial namespaces
    return { fd, family, cpus };
  } catch {
    closeRaw(fd);
    return undefined;
  }
}

/** /sys/devices/system/cpu/possible, a cpulist ("0-1"); the kernel refuses a mask beyond it. */
function possibleCpus(): string {
  const file = files().tryReadAll("/sys/devices/system/cpu/possible");
  const text = file ? file.buffer.toString("latin1", 0, file.length).trim() : "";
  return /^[0-9][0-9,-]*$/.test(text) ? text : "0";
}

/**
 * Whether this process is in the initial pid namespace, as far as /proc/self/status's NSpid
 * tells (one pid: no namespace above ours that this /proc can see). A container's own /proc
 * shows one pid too: there the kernel's silence (no ack) tells.
 */
function inInitialPidNamespace(): boolean {
  const file = files().tryReadAll("/proc/self/status");
  if (!file) return false;
  const text = file.buffer.toString("latin1", 0, file.length);
  const line = /^NSpid:\s*([^\n]*)$/m.exec(text);
  // Kernels before 4.1 have no NSpid: nothing against it then.
  return !line || (line[1] ?? "").trim().split(/\s+/).length === 1;
}

samplingCode(Source.prototype.drain, decodeProcEvent);
