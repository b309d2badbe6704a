// The bytes of the kernel's process events: the proc connector's messages (fork, exec,
// exit of every task of the system) and taskstats' exit statistics, and the requests that
// turn them on. Pure: what the sockets read is decoded here, and tested from fixture
// buffers. Everything is little-endian (every Bun target) and read through a DataView,
// as the kernel's layouts leave 64-bit fields unaligned in the datagram.
//
// Offsets are from the uapi headers (include/uapi/linux/...): netlink.h, connector.h,
// cn_proc.h, genetlink.h, taskstats.h. What they decode into is the platform interface's
// shapes (src/platform/types.ts).

import type { ProcessEvent, TaskExit } from "../types.ts";

// ---- netlink.h ----------------------------------------------------------------------------
/** struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq; __u32 nlmsg_pid; } */
export const NLMSG_HDRLEN = 16;
const NLMSG_LEN = 0;
const NLMSG_TYPE = 4;
const NLMSG_FLAGS = 6;
const NLMSG_SEQ = 8;
const NLMSG_PID = 12;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLM_F_REQUEST = 1;
export const NLM_F_ACK = 4;
/** struct nlmsgerr { int error; struct nlmsghdr msg; }: error at the payload's start, 0 for an ack. */
const NLMSGERR_ERROR = NLMSG_HDRLEN;
/** struct nlattr { __u16 nla_len; __u16 nla_type; }, each attribute padded to 4 (NLA_ALIGNTO). */
const NLA_HDRLEN = 4;
/** nla_type's top bits are NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
const NLA_TYPE_MASK = 0x3fff;
export const NETLINK_CONNECTOR = 11;
export const NETLINK_GENERIC = 16;

const align4 = (n: number) => (n + 3) & ~3;

// ---- connector.h, cn_proc.h ---------------------------------------------------------------
/** Multicast group (and cb_id.idx) of the proc connector; bind's nl_groups is the mask 1 << (idx - 1). */
export const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
/** struct cn_msg { struct cb_id { __u32 idx; __u32 val; } id; __u32 seq; __u32 ack; __u16 len; __u16 flags; __u8 data[]; } */
const CN_MSG = NLMSG_HDRLEN;
const CN_IDX = CN_MSG + 0;
const CN_VAL = CN_MSG + 4;
const CN_SEQ = CN_MSG + 8;
const CN_ACK = CN_MSG + 12;
const CN_LEN = CN_MSG + 16;
const CN_DATA = CN_MSG + 20;
export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;
/**
 * struct proc_event { enum what what; __u32 cpu; __u64 timestamp_ns (aligned 8); union event_data; }:
 * what at 0, cpu at 4, timestamp_ns at 8 (ktime_get_ns(): CLOCK_MONOTONIC), event_data at 16.
 */
const EV_WHAT = CN_DATA + 0;
const EV_TIMESTAMP = CN_DATA + 8;
const EV_DATA = CN_DATA + 16;
/** sizeof(struct proc_event): 16 + the union's largest member (exit, comm: 24 bytes). */
const PROC_EVENT_SIZE = 40;
export const PROC_EVENT_NONE = 0;
export const PROC_EVENT_FORK = 0x1;
export const PROC_EVENT_EXEC = 0x2;
export const PROC_EVENT_EXIT = 0x80000000;
// fork_proc_event { parent_pid; parent_tgid; child_pid; child_tgid; } (__kernel_pid_t: int)
const FORK_PARENT_PID = EV_DATA + 0;
const FORK_PARENT_TGID = EV_DATA + 4;
const FORK_CHILD_PID = EV_DATA + 8;
const FORK_CHILD_TGID = EV_DATA + 12;
// exec_proc_event { process_pid; process_tgid; }
const EXEC_PID = EV_DATA + 0;
const EXEC_TGID = EV_DATA + 4;
// exit_proc_event { process_pid; process_tgid; __u32 exit_code, exit_signal; parent_pid; parent_tgid; }
// exit_code is task->exit_code, the wait status; exit_signal is the signal the parent gets (SIGCHLD).
const EXIT_PID = EV_DATA + 0;
const EXIT_TGID = EV_DATA + 4;
const EXIT_CODE = EV_DATA + 8;
const EXIT_PARENT_PID = EV_DATA + 16;
const EXIT_PARENT_TGID = EV_DATA + 20;
// ack: { __u32 err; } (a positive errno, 0 for success)
const ACK_ERR = EV_DATA + 0;

// ---- genetlink.h, taskstats.h -------------------------------------------------------------
/** struct genlmsghdr { __u8 cmd; __u8 version; __u16 reserved; } */
const GENL_HDRLEN = 4;
const GENL_CMD = NLMSG_HDRLEN;
const GENL_ATTRS = NLMSG_HDRLEN + GENL_HDRLEN;
export const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
export const TASKSTATS_GENL_NAME = "TASKSTATS";
const TASKSTATS_GENL_VERSION = 1;
const TASKSTATS_CMD_GET = 1;
const TASKSTATS_CMD_NEW = 2;
const TASKSTATS_TYPE_PID = 1;
const TASKSTATS_TYPE_STATS = 3;
const TASKSTATS_TYPE_AGGR_PID = 4;
const TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3;
const TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK = 4;
// struct taskstats (offsets as gcc lays out taskstats.h v13 on LP64; fields are only ever appended).
const TS_VERSION = 0; // __u16 version
const TS_AC_EXITCODE = 4; // __u32 ac_exitcode, after version and 2 bytes of padding
const TS_AC_COMM = 80; // char ac_comm[TS_COMM_LEN = 32], after 8 delay-accounting __u64 from 16
const TS_COMM_LEN = 32;
const TS_AC_PID = 128; // __u32 ac_pid, after ac_sched (aligned 8 at 112), ac_pad[3], ac_uid (aligned 8 at 120), ac_gid
const TS_AC_PPID = 132; // __u32 ac_ppid
const TS_AC_ETIME = 144; // __u64 ac_etime (aligned 8, after ac_btime at 136), elapsed µs
const TS_HIWATER_RSS = 200; // __u64 hiwater_rss, KB; after ac_utime, ac_stime, ac_minflt, ac_majflt, coremem, virtmem
const TS_HIWATER_VM = 208; // __u64 hiwater_vm, KB
const TS_AC_TGID = 368; // __u32 ac_tgid, "v12 begin", after compact_delay_total at 360
const TS_AC_TGID_VERSION = 12;

const TWO_32 = 4294967296;
const u64 = (view: DataView, at: number) => view.getUint32(at + 4, true) * TWO_32 + view.getUint32(at, true);

// ---- requests -----------------------------------------------------------------------------

function putHeader(view: DataView, length: number, type: number, flags: number, seq: number): void {
  view.setUint32(NLMSG_LEN, length, true);
  view.setUint16(NLMSG_TYPE, type, true);
  view.setUint16(NLMSG_FLAGS, flags, true);
  view.setUint32(NLMSG_SEQ, seq, true);
  view.setUint32(NLMSG_PID, 0, true); // from user space: the kernel fills in the port
}

/**
 * A PROC_CN_MCAST_LISTEN/IGNORE request into `view`: its length. With `events` (a mask of
 * PROC_EVENT_*), struct proc_input { op; event_type; } asks Linux 6.6+ to send only those
 * (cn_filter), and older kernels ignore the request whole; without, the plain op (4 bytes)
 * listens to everything, and is answered by an ack (cn_proc_ack) that a filter would drop.
 */
export function encodeConnectorControl(view: DataView, seq: number, op: number, events?: number): number {
  const payload = events === undefined ? 4 : 8;
  const length = CN_DATA + payload;
  putHeader(view, length, NLMSG_DONE, 0, seq);
  view.setUint32(CN_IDX, CN_IDX_PROC, true);
  view.setUint32(CN_VAL, CN_VAL_PROC, true);
  view.setUint32(CN_SEQ, seq, true);
  // The ack comes back as ack + 1; its seq is the kernel's own counter (send_msg), not ours.
  view.setUint32(CN_ACK, seq, true);
  view.setUint16(CN_LEN, payload, true);
  view.setUint16(CN_LEN + 2, 0, true);
  view.setUint32(CN_DATA, op, true);
  if (events !== undefined) view.setUint32(CN_DATA + 4, events >>> 0, true);
  return length;
}

/** Writes a string attribute (NUL-terminated, padded) at `at`: the offset after it. */
function putStringAttribute(view: DataView, at: number, type: number, text: string): number {
  const length = NLA_HDRLEN + text.length + 1;
  view.setUint16(at, length, true);
  view.setUint16(at + 2, type, true);
  for (let i = 0; i < text.length; i++) view.setUint8(at + NLA_HDRLEN + i, text.charCodeAt(i) & 0xff);
  for (let i = at + NLA_HDRLEN + text.length; i < at + align4(length); i++) view.setUint8(i, 0);
  return at + align4(length);
}

function putGenlHeader(view: DataView, cmd: number, version: number): void {
  view.setUint8(GENL_CMD, cmd);
  view.setUint8(GENL_CMD + 1, version);
  view.setUint16(GENL_CMD + 2, 0, true);
}

/** CTRL_CMD_GETFAMILY for `name` to the generic netlink controller: the request's length. */
export function encodeGetFamily(view: DataView, seq: number, name: string): number {
  putGenlHeader(view, CTRL_CMD_GETFAMILY, 1);
  const length = putStringAttribute(view, GENL_ATTRS, CTRL_ATTR_FAMILY_NAME, name);
  putHeader(view, length, GENL_ID_CTRL, NLM_F_REQUEST, seq);
  return length;
}

/**
 * TASKSTATS_CMD_GET with TASKSTATS_CMD_ATTR_(DE)REGISTER_CPUMASK `cpus` (a cpulist, "0-1"),
 * acked: the request's length. The sender's port becomes a listener of those CPUs' exits.
 */
export function encodeTaskstatsListener(view: DataView, seq: number, family: number, register: boolean, cpus: string): number {
  putGenlHeader(view, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION);
  const type = register ? TASKSTATS_CMD_ATTR_REGISTER_CPUMASK : TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK;
  const length = putStringAttribute(view, GENL_ATTRS, type, cpus);
  putHeader(view, length, family, NLM_F_REQUEST | NLM_F_ACK, seq);
  return length;
}

// ---- replies ------------------------------------------------------------------------------

/** The messages of one datagram: calls `each` with each message's offset and length (headers included). */
function forEachMessage(view: DataView, length: number, each: (at: number, size: number) => boolean | void): void {
  let at = 0;
  while (at + NLMSG_HDRLEN <= length) {
    const size = view.getUint32(at + NLMSG_LEN, true);
    if (size < NLMSG_HDRLEN || at + size > length) return; // truncated or malformed: stop
    if (each(at, size) === false) return;
    at += align4(size);
  }
}

/**
 * What a datagram says to request `seq`: the errno of an NLMSG_ERROR (0 for an ack), or
 * undefined when it holds no answer to `seq` (events of the system pass by meanwhile).
 */
export function decodeNetlinkAck(view: DataView, length: number, seq: number): number | undefined {
  let result: number | undefined;
  forEachMessage(view, length, (at, size) => {
    if (view.getUint16(at + NLMSG_TYPE, true) !== NLMSG_ERROR || view.getUint32(at + NLMSG_SEQ, true) !== seq) return;
    if (size < NLMSG_HDRLEN + 4) return;
    result = -view.getInt32(at + NLMSGERR_ERROR, true) | 0; // | 0: an ack is 0, not -0
    return false;
  });
  return result;
}

/**
 * The family id in the controller's answer to CTRL_CMD_GETFAMILY `seq`; -errno when it
 * refused (ENOENT: no such family); undefined when the datagram is no answer to `seq`.
 */
export function decodeFamilyId(view: DataView, length: number, seq: number): number | undefined {
  let result: number | undefined;
  forEachMessage(view, length, (at, size) => {
    if (view.getUint32(at + NLMSG_SEQ, true) !== seq) return;
    const type = view.getUint16(at + NLMSG_TYPE, true);
    if (type === NLMSG_ERROR) {
      result = size >= NLMSG_HDRLEN + 4 ? view.getInt32(at + NLMSGERR_ERROR, true) : -1;
      return false;
    }
    if (type !== GENL_ID_CTRL) return;
    for (let a = at + GENL_ATTRS; a + NLA_HDRLEN <= at + size; ) {
      const attrLength = view.getUint16(a, true);
      if (attrLength < NLA_HDRLEN) break;
      if ((view.getUint16(a + 2, true) & NLA_TYPE_MASK) === CTRL_ATTR_FAMILY_ID && attrLength >= NLA_HDRLEN + 2) {
        result = view.getUint16(a + NLA_HDRLEN, true);
        return false;
      }
      a += align4(attrLength);
    }
  });
  return result;
}

/**
 * The proc connector's ack (cn_proc_ack) of control request `seq`: its errno (0 for
 * success), or undefined when the datagram is something else (an event, another
 * listener's ack: acks go to every listener). cn_proc_ack answers with cn_msg.ack + 1,
 * and encodeConnectorControl put `seq` there (the ack's own seq is overwritten by send_msg).
 */
export function decodeConnectorAck(view: DataView, length: number, seq: number): number | undefined {
  if (length < EV_DATA + 4 || !isProcConnector(view, length)) return undefined;
  if (view.getUint32(EV_WHAT, true) !== PROC_EVENT_NONE) return undefined;
  if (view.getUint32(CN_ACK, true) !== ((seq + 1) >>> 0)) return undefined;
  return view.getUint32(ACK_ERR, true);
}

function isProcConnector(view: DataView, length: number): boolean {
  return (
    length >= CN_DATA &&
    view.getUint32(CN_IDX, true) === CN_IDX_PROC &&
    view.getUint32(CN_VAL, true) === CN_VAL_PROC &&
    view.getUint16(CN_LEN, true) >= 24 && // what, cpu, timestamp_ns, and two pids (exec's, the ack's err)
    CN_DATA + view.getUint16(CN_LEN, true) <= length
  );
}

/**
 * Decodes a proc connector datagram (one message: cn_netlink_send puts one per skb) into
 * `event`: true for a fork, exec or exit; false for anything else (acks, the other event
 * kinds, a datagram of another connector).
 */
export function decodeProcEvent(view: DataView, length: number, event: ProcessEvent): boolean {
  if (length < NLMSG_HDRLEN || view.getUint32(NLMSG_LEN, true) > length || !isProcConnector(view, length)) return false;
  const size = CN_DATA + view.getUint16(CN_LEN, true);
  const what = view.getUint32(EV_WHAT, true);
  if (what === PROC_EVENT_FORK) {
    if (size < FORK_CHILD_TGID + 4) return false;
    event.kind = "fork";
    event.parentPid = view.getInt32(FORK_PARENT_PID, true);
    event.parentTgid = view.getInt32(FORK_PARENT_TGID, true);
    event.pid = view.getInt32(FORK_CHILD_PID, true);
    event.tgid = view.getInt32(FORK_CHILD_TGID, true);
    event.exitStatus = 0;
  } else if (what === PROC_EVENT_EXEC) {
    event.kind = "exec";
    event.pid = view.getInt32(EXEC_PID, true);
    event.tgid = view.getInt32(EXEC_TGID, true);
    event.parentPid = 0;
    event.parentTgid = 0;
    event.exitStatus = 0;
  } else if (what === PROC_EVENT_EXIT) {
    if (size < EXIT_CODE + 4) return false;
    event.kind = "exit";
    event.pid = view.getInt32(EXIT_PID, true);
    event.tgid = view.getInt32(EXIT_TGID, true);
    event.exitStatus = view.getUint32(EXIT_CODE, true);
    // Kernels before 4.1 ended the exit event at exit_signal: no parent then.
    const parent = size >= EXIT_PARENT_TGID + 4;
    event.parentPid = parent ? view.getInt32(EXIT_PARENT_PID, true) : 0;
    event.parentTgid = parent ? view.getInt32(EXIT_PARENT_TGID, true) : 0;
  } else {
    return false;
  }
  event.monotonicMs = u64(view, EV_TIMESTAMP) / 1e6;
  return true;
}

/**
 * Decodes a taskstats datagram of family `family` (TASKSTATS_CMD_NEW, sent by
 * taskstats_exit): calls `each` with `exit` filled in for each TASKSTATS_TYPE_AGGR_PID
 * (one per exiting task, thread or process). TASKSTATS_TYPE_AGGR_TGID, added when the last
 * task of a multi-threaded group exits, carries only the group's delay accounting (no
 * name, no memory) and is skipped. The count of exits decoded.
 */
export function decodeTaskExits(bytes: Uint8Array, view: DataView, length: number, family: number, exit: TaskExit, each: (exit: TaskExit) => void): number {
  let count = 0;
  // The message walk of forEachMessage, inline: a closure here would be made per datagram.
  for (let at = 0; at + NLMSG_HDRLEN <= length; ) {
    const size = view.getUint32(at + NLMSG_LEN, true);
    if (size < NLMSG_HDRLEN || at + size > length) break;
    if (view.getUint16(at + NLMSG_TYPE, true) === family && size >= GENL_ATTRS && view.getUint8(at + GENL_CMD) === TASKSTATS_CMD_NEW) {
      const end = at + size;
      for (let a = at + GENL_ATTRS; a + NLA_HDRLEN <= end; ) {
        const attrLength = view.getUint16(a, true);
        if (attrLength < NLA_HDRLEN || a + attrLength > end) break;
        if ((view.getUint16(a + 2, true) & NLA_TYPE_MASK) === TASKSTATS_TYPE_AGGR_PID && decodeAggregate(bytes, view, a + NLA_HDRLEN, a + attrLength, exit)) {
          each(exit);
          count++;
        }
        a += align4(attrLength);
      }
    }
    at += align4(size);
  }
  return count;
}

/** The PID and STATS attributes nested in an AGGR_PID, into `exit`: whether both were there. */
function decodeAggregate(bytes: Uint8Array, view: DataView, start: number, end: number, exit: TaskExit): boolean {
  let pid = -1;
  let stats = -1;
  let statsLength = 0;
  for (let a = start; a + NLA_HDRLEN <= end; ) {
    const attrLength = view.getUint16(a, true);
    if (attrLength < NLA_HDRLEN || a + attrLength > end) break;
    const type = view.getUint16(a + 2, true) & NLA_TYPE_MASK;
    if (type === TASKSTATS_TYPE_PID && attrLength >= NLA_HDRLEN + 4) pid = view.getUint32(a + NLA_HDRLEN, true);
    else if (type === TASKSTATS_TYPE_STATS) {
      stats = a + NLA_HDRLEN;
      statsLength = attrLength - NLA_HDRLEN;
    }
    a += align4(attrLength);
  }
  if (pid < 0 || stats < 0 || statsLength < TS_HIWATER_VM + 8) return false;
  exit.pid = pid;
  const version = view.getUint16(stats + TS_VERSION, true);
  exit.tgid = version >= TS_AC_TGID_VERSION && statsLength >= TS_AC_TGID + 4 ? view.getUint32(stats + TS_AC_TGID, true) : 0;
  exit.ppid = view.getUint32(stats + TS_AC_PPID, true);
  exit.name = commName(bytes, stats + TS_AC_COMM);
  exit.peakRssBytes = u64(view, stats + TS_HIWATER_RSS) * 1024;
  exit.peakVszBytes = u64(view, stats + TS_HIWATER_VM) * 1024;
  exit.exitStatus = view.getUint32(stats + TS_AC_EXITCODE, true);
  exit.elapsedUs = u64(view, stats + TS_AC_ETIME);
  return true;
}

// Command names repeat (a build runs `cc` a thousand times): an ASCII name is looked up by
// a hash of its bytes and checked character by character, so a repeated one makes no string.
const names = new Map<number, string>();
const NAME_CACHE_LIMIT = 512;
let utf8: TextDecoder | undefined;

/** ac_comm at `at`: up to TS_COMM_LEN bytes, NUL-terminated (get_task_comm pads with NULs). */
export function commName(bytes: Uint8Array, at: number): string {
  let end = at;
  let hash = 0x811c9dc5;
  let ascii = true;
  const limit = Math.min(at + TS_COMM_LEN, bytes.length);
  for (; end < limit; end++) {
    const byte = bytes[end] as number;
    if (byte === 0) break;
    if (byte >= 0x80) ascii = false;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  if (!ascii) return (utf8 ??= new TextDecoder()).decode(bytes.subarray(at, end));
  const known = names.get(hash);
  if (known !== undefined && known.length === end - at) {
    let same = true;
    for (let i = 0; i < known.length; i++) {
      if (known.charCodeAt(i) !== bytes[at + i]) {
        same = false;
        break;
      }
    }
    if (same) return known;
  }
  let name = "";
  for (let i = at; i < end; i++) name += String.fromCharCode(bytes[i] as number);
  if (names.size >= NAME_CACHE_LIMIT) names.clear();
  names.set(hash, name);
  return name;
}
