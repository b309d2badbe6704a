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
  /** A zombie has exited: nothing of it is left to measure. */
  zombie: boolean;
}

const KIB = 1024;

/**
 * The memory lines of /proc/PID/status, in bytes. Kernel threads and zombies have no
 * Vm* lines: they read as zero.
 */
export function parseStatusMemory(text: string): StatusMemory {
  const result: StatusMemory = { rss: 0, vsz: 0, hwm: 0, peak: 0, zombie: false };
  const keys: Readonly<Record<string, "rss" | "vsz" | "hwm" | "peak">> = { VmRSS: "rss", VmSize: "vsz", VmHWM: "hwm", VmPeak: "peak" };
  let found = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("State:")) result.zombie = line.includes("Z");
    if (!line.startsWith("Vm")) continue;
    const colon = line.indexOf(":");
    const key = keys[line.slice(0, colon)];
    if (!key) continue;
    result[key] = Number.parseInt(line.slice(colon + 1), 10) * KIB;
    if (++found === 4) break;
  }
  return result;
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
