// Pure parsers of /proc text (proc(5)). Tested from captured fixtures in test/.
import { samplingCode } from "../../runtime/hot.ts";

export interface StatFields {
  name: string;
  state: string;
  ppid: number;
  pgrp: number;
  /** Foreground process group of the controlling terminal, -1 if none. */
  tpgid: number;
  /** Clock ticks after boot: with the pid, the process's identity. */
  startTime: number;
  vsizeBytes: number;
  rssPages: number;
}

/**
 * /proc/PID/stat. The name (field 2) is in parentheses and may itself contain spaces and
 * parentheses, so the fields after it are found from the last ")".
 */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text.slice(close + 2).split(" ");
  const field = (n: number) => Number(rest[n - 3]);
  const fields: StatFields = {
    name: text.slice(open + 1, close),
    state: rest[0] ?? "",
    ppid: field(4),
    pgrp: field(5),
    tpgid: field(8),
    startTime: field(22),
    vsizeBytes: field(23),
    rssPages: field(24),
  };
  if (!Number.isInteger(fields.ppid) || !Number.isInteger(fields.startTime)) return undefined;
  return fields;
}

export interface StatusMemory {
  rss: number;
  vsz: number;
  hwm: number;
  peak: number;
  /** VmSwap: what of it the kernel has swapped out. */
  swap: number;
  /** A zombie has exited: nothing of it is left to measure. */
  zombie: boolean;
  /** Threads in the process (0 if the line is missing). */
  threads: number;
}

const KIB = 1024;
const NEWLINE = 10;
const ZOMBIE = 90; // "Z"

// The lines wanted, as bytes, matched in place: building a string per line, or calling into
// the runtime per line (Buffer#indexOf), for every process at every sample is most of what a
// sample would cost. Index 0 is the state; 1–6 are numbers, in StatusMemory's order below.
const KEYS = ["State:", "VmRSS:", "VmSize:", "VmHWM:", "VmPeak:", "VmSwap:", "Threads:"] as const;
const KEY_COUNT = KEYS.length;
/** Every key's bytes, each ended by a 0. */
const KEY_BYTES = new Uint8Array(Buffer.from(`${KEYS.join("\0")}\0`, "latin1"));
/** Where each key starts in KEY_BYTES. */
const KEY_AT = new Int32Array(KEY_COUNT);
for (let k = 1; k < KEY_COUNT; k++) KEY_AT[k] = (KEY_AT[k - 1] as number) + (KEYS[k - 1] as string).length + 1;
/** The values of one parse, by key (the state as 1 for a zombie). */
const values = new Float64Array(KEY_COUNT);

/** A new result, all zero: pass it to parseStatusMemoryBytes to be filled in again and again. */
export function emptyStatusMemory(): StatusMemory {
  return { rss: 0, vsz: 0, hwm: 0, peak: 0, swap: 0, zombie: false, threads: 0 };
}

/**
 * Where the lines wanted were in one process's status at its last full parse: the state's
 * offset, then the others' from the end of the state line (whose length changes with the
 * state: "R (running)", "S (sleeping)"). A process's status keeps its layout from one read
 * to the next, so each line is looked for there first.
 */
export function newStatusLines(): Int32Array {
  return new Int32Array(KEY_COUNT).fill(-1);
}

/**
 * The memory lines of /proc/PID/status, in bytes. Kernel threads and zombies have no
 * Vm* lines: they read as zero. Parsed from the raw bytes, without building strings;
 * into `result` when given (the hot loop allocates nothing), else into a new object.
 * With `lines` (newStatusLines, one per process), each line is first looked for where it
 * was in the previous read of that process, and the whole text is scanned only when one of
 * them has moved: the result is the same either way, since every key appears once and is
 * matched whole at the start of a line.
 */
export function parseStatusMemoryBytes(data: Uint8Array, length = data.length, result: StatusMemory = emptyStatusMemory(), lines?: Int32Array): StatusMemory {
  if (length > data.length) length = data.length;
  if (lines === undefined || !readKnownLines(data, length, lines)) scanLines(data, length, lines);
  result.zombie = values[0] === 1;
  result.rss = (values[1] as number) * KIB;
  result.vsz = (values[2] as number) * KIB;
  result.hwm = (values[3] as number) * KIB;
  result.peak = (values[4] as number) * KIB;
  result.swap = (values[5] as number) * KIB;
  result.threads = values[6] as number;
  return result;
}

/** Reads every key where `lines` says it is; false (values unusable) as soon as one is not there. */
function readKnownLines(data: Uint8Array, length: number, lines: Int32Array): boolean {
  let base = 0;
  for (let k = 0; k < KEY_COUNT; k++) {
    const line = lines[k] as number;
    const at = line + base;
    if (line < 0 || at < 1 || data[at - 1] !== NEWLINE) return false;
    const end = keyEnd(data, length, at, k);
    if (end < 0) return false;
    values[k] = valueAfter(data, length, end, k);
    if (k === 0) base = lineEnd(data, length, end) + 1;
  }
  return true;
}

/**
 * Each key with the newline before it, as a line's start is found by the runtime's own search
 * (Buffer#indexOf): seven calls per full scan, where a loop over the bytes in JavaScript costs
 * the first reads of a run (the command's, which run before the JIT has compiled anything) a
 * few hundred microseconds each.
 */
const KEY_NEEDLES = KEYS.map((key) => Buffer.from(`\n${key}`, "latin1"));

/** Where the line starting with key `k` starts in the first `length` bytes, else -1. */
function keyLine(text: Buffer, length: number, k: number): number {
  if (keyEnd(text, length, 0, k) >= 0) return 0;
  const needle = KEY_NEEDLES[k] as Buffer;
  const at = text.indexOf(needle);
  return at >= 0 && at + needle.length <= length ? at + 1 : -1;
}

/** Every key, looked for in the whole text; notes where each one was. */
function scanLines(data: Uint8Array, length: number, lines: Int32Array | undefined): void {
  values.fill(0);
  lines?.fill(-1);
  const text = data instanceof Buffer ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let base = 0;
  for (let k = 0; k < KEY_COUNT; k++) {
    const at = keyLine(text, length, k);
    if (at < 0) continue;
    const end = at + (KEYS[k] as string).length;
    values[k] = valueAfter(data, length, end, k);
    if (k === 0) base = lineEnd(data, length, end) + 1;
    if (lines) lines[k] = k === 0 ? at : at - base;
  }
}

/** Where key `k` ends if the text at `at` starts with it, else -1. */
function keyEnd(data: Uint8Array, length: number, at: number, k: number): number {
  for (let i = KEY_AT[k] as number; KEY_BYTES[i] !== 0; i++, at++) {
    if (at >= length || data[at] !== KEY_BYTES[i]) return -1;
  }
  return at;
}

/**
 * The value after key `k`, which ends at `at`: for the state, 1 if it is "Z" (a zombie),
 * else 0; for the others the first number on the line ("\t    1552 kB").
 */
function valueAfter(data: Uint8Array, length: number, at: number, k: number): number {
  if (k === 0) {
    while (at < length && (data[at] === 32 || data[at] === 9)) at++;
    return at < length && data[at] === ZOMBIE ? 1 : 0;
  }
  let digit = (data[at] as number) - 48;
  while (at < length && (digit < 0 || digit > 9) && digit !== NEWLINE - 48) digit = (data[++at] as number) - 48;
  let value = 0;
  while (at < length && digit >= 0 && digit <= 9) {
    value = value * 10 + digit;
    digit = (data[++at] as number) - 48;
  }
  return value;
}

function lineEnd(data: Uint8Array, length: number, at: number): number {
  while (at < length && data[at] !== NEWLINE) at++;
  return at;
}

/** The same from text (fixtures, tests). */
export function parseStatusMemory(text: string): StatusMemory {
  return parseStatusMemoryBytes(Buffer.from(text, "latin1"));
}

/** /proc/PID/task/TID/children: space-separated pids. */
export function parseChildren(text: string): number[] {
  return text.split(/\s+/).filter(Boolean).map(Number).filter(Number.isInteger);
}

/** The last field of /proc/loadavg: the last pid the kernel handed out in this pid namespace. */
export function parseLastPid(text: string): number | undefined {
  return parseLastPidBytes(Buffer.from(text, "latin1"));
}

/** The same from bytes, building no string: it is read at every sample. */
export function parseLastPidBytes(data: Uint8Array, length = data.length): number | undefined {
  let end = Math.min(length, data.length);
  while (end > 0 && isSpace(data[end - 1] as number)) end--;
  let start = end;
  while (start > 0 && !isSpace(data[start - 1] as number)) start--;
  if (start === end) return undefined;
  let pid = 0;
  for (let i = start; i < end; i++) {
    const digit = (data[i] as number) - 48;
    if (digit < 0 || digit > 9) return undefined;
    pid = pid * 10 + digit;
  }
  return pid > 0 ? pid : undefined;
}

/** What /\s/ matches among the bytes /proc writes. */
function isSpace(byte: number): boolean {
  return byte === 32 || (byte >= 9 && byte <= 13);
}

samplingCode(parseStatusMemoryBytes, readKnownLines, scanLines, keyEnd, valueAfter, lineEnd, parseLastPidBytes, isSpace);

export interface SmapsRollup {
  pss: number;
  /** Its RSS as this reading found it: the page walk is slow, and the tree may have grown since its sample. */
  rss: number;
  /** Private_Clean + Private_Dirty: pages no other process maps. */
  uss: number;
  swapPss: number;
}

/**
 * /proc/PID/smaps_rollup (Linux 4.14+): the process's mappings summed, in kB. Undefined
 * when there is no Pss line (a zombie or a kernel thread has no mm: the file is empty).
 */
export function parseSmapsRollup(text: string): SmapsRollup | undefined {
  let pss: number | undefined;
  let rss = 0;
  let uss = 0;
  let swapPss = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    if (key !== "Pss" && key !== "Rss" && key !== "Private_Clean" && key !== "Private_Dirty" && key !== "SwapPss") continue;
    const kb = Number.parseInt(line.slice(colon + 1), 10);
    if (!Number.isFinite(kb)) continue;
    if (key === "Pss") pss = kb * KIB;
    else if (key === "Rss") rss = kb * KIB;
    else if (key === "SwapPss") swapPss = kb * KIB;
    else uss += kb * KIB;
  }
  return pss === undefined ? undefined : { pss, rss, uss, swapPss };
}
