// Pure parsers of /proc text (proc(5)). Tested from captured fixtures in test/.

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
const STATE = Buffer.from("State:");
const ZOMBIE = 90; // "Z"
// The lines wanted, as bytes: matched in place, since allocating a string per line
// for every process at every sample is most of what a sample costs.
const KEYS = (["VmRSS:", "VmSize:", "VmHWM:", "VmPeak:", "VmSwap:"] as const).map((key) => Buffer.from(key));
const FIELDS = ["rss", "vsz", "hwm", "peak", "swap"] as const;
const THREADS = Buffer.from("Threads:");

/**
 * The memory lines of /proc/PID/status, in bytes. Kernel threads and zombies have no
 * Vm* lines: they read as zero. Parsed from the raw bytes, without building strings.
 */
export function parseStatusMemoryBytes(data: Uint8Array, length = data.length): StatusMemory {
  const result: StatusMemory = { rss: 0, vsz: 0, hwm: 0, peak: 0, swap: 0, zombie: false, threads: 0 };
  let found = 0;
  for (let line = 0; line < length && found < 6; ) {
    let end = data.indexOf(NEWLINE, line);
    if (end < 0 || end > length) end = length;
    if (data[line] === 86 /* V */) {
      for (let k = 0; k < KEYS.length; k++) {
        const key = KEYS[k] as Buffer;
        if (!startsWith(data, line, key)) continue;
        result[FIELDS[k] as (typeof FIELDS)[number]] = digitsAfter(data, line + key.length, end) * KIB;
        found++;
        break;
      }
    } else if (data[line] === 84 /* T */ && startsWith(data, line, THREADS)) {
      result.threads = digitsAfter(data, line + THREADS.length, end);
      found++;
    } else if (startsWith(data, line, STATE)) {
      for (let i = line + STATE.length; i < end; i++) {
        if (data[i] === 32 || data[i] === 9) continue;
        result.zombie = data[i] === ZOMBIE;
        break;
      }
    }
    line = end + 1;
  }
  return result;
}

/** The same from text (fixtures, tests). */
export function parseStatusMemory(text: string): StatusMemory {
  return parseStatusMemoryBytes(Buffer.from(text, "latin1"));
}

function startsWith(data: Uint8Array, at: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (data[at + i] !== prefix[i]) return false;
  return true;
}

function digitsAfter(data: Uint8Array, start: number, end: number): number {
  let value = 0;
  let seen = false;
  for (let i = start; i < end; i++) {
    const byte = data[i] as number;
    if (byte >= 48 && byte <= 57) {
      value = value * 10 + (byte - 48);
      seen = true;
    } else if (seen) {
      break;
    }
  }
  return value;
}

/** /proc/PID/task/TID/children: space-separated pids. */
export function parseChildren(text: string): number[] {
  return text.split(/\s+/).filter(Boolean).map(Number).filter(Number.isInteger);
}

/** The last field of /proc/loadavg: the last pid the kernel handed out in this pid namespace. */
export function parseLastPid(text: string): number | undefined {
  const last = text.trim().split(/\s+/).at(-1);
  const pid = Number(last);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
