// Needs root: it mounts a tmpfs, makes pids and memory cgroups, runs peak-mem as nobody
// (setpriv) and installs a setuid-root program; each case says so when skipped.
// Whatever breaks around peak-mem, the command runs to its end under supervision, its exit
// status comes out, and the report says what could be measured. Real faults on the compiled
// binary: a full tmpfs, process limits (RLIMIT_NPROC and a pids cgroup), --cgroup cleaning up
// after a fault, a setuid process that cannot be stopped. The faults any user can cause are in
// test/e2e/faults.test.ts.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, CC, cFixture, peakMem, runArgv, tempDir } from "../helpers.ts";

const ROOT = process.platform === "linux" && process.getuid?.() === 0;
const SETPRIV = Bun.which("setpriv");
const PRLIMIT = Bun.which("prlimit");
const NOBODY = ["--reuid", "65534", "--regid", "65534", "--clear-groups"];

const dir = tempDir();
/** peak-mem's pid, in the command's shell: its parent is the spawn helper, whose parent is peak-mem. */
const PEAK_MEM_PID = "$(cut -d' ' -f4 /proc/$PPID/stat)";
// Programs run as nobody must be reachable by nobody (mkdtemp makes 0700 directories).
chmodSync(dir, 0o755);

/** The lines peak-mem wrote about itself (the command writes nothing to stderr here). */
const ownLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("peak-mem:"));

const rootReason = ROOT ? "" : " (skipped: needs root)";

describe.skipIf(!ROOT)(`a disk that fills up under an optional output${rootReason}`, () => {
  const mounts: string[] = [];
  /** A 1 MiB tmpfs left with `free` bytes. */
  async function smallDisk(free: number): Promise<string> {
    const mount = join(dir, `disk-${mounts.length}`);
    mkdirSync(mount);
    const result = await runArgv(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount]);
    if (result.code !== 0) throw new Error(`mount: ${result.stderr}`);
    mounts.push(mount);
    if (free < 1024 * 1024) writeFileSync(join(mount, "fill"), Buffer.alloc(1024 * 1024 - free));
    return mount;
  }
  afterAll(async () => {
    for (const mount of mounts) await runArgv(["umount", mount]);
  });

  const twoSeconds = ["sh", "-c", "sleep 2; exit 5"];

  test.each(["jsonl", "csv", "json"])("--timeline .%s on a full disk: one warning, the report, the command's status; no half record", async (format) => {
    const disk = await smallDisk(16 * 1024);
    const file = join(disk, `t.${format}`);
    const { code, stdout, stderr } = await peakMem(["--interval", "1", "--timeline", file, "--", ...twoSeconds]);
    expect(code).toBe(5);
    expect(stdout).toContain("Exit code: 5");
    expect(stdout).toContain("Duration: 2.");
    const lines = ownLines(stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^peak-mem: warning: cannot write --timeline '.*t\\.${format}' \\(no space left on device\\) after \\d+\\.\\d\\ds; it stops there, the measurement goes on$`));
    const text = readFileSync(file, "utf8");
    expect(text.length).toBeGreaterThan(1000);
    if (format === "jsonl") {
      expect(text.endsWith("\n")).toBe(true);
      for (const line of text.trimEnd().split("\n")) JSON.parse(line);
    } else if (format === "csv") {
      expect(text.endsWith("\n")).toBe(true);
      const rows = text.trimEnd().split("\n");
      expect(rows[0]).toBe("t_ms,rss_bytes,vsz_bytes,process_count,gpu_bytes,programs,other_rss_bytes");
      for (const row of rows.slice(1)) expect(row).toMatch(/^\d+,\d+,\d+,\d+,\d*,(|"\[.*\]"),\d*$/);
    } else {
      // Cut after a whole sample: closing the array and the object makes it parse.
      const parsed = JSON.parse(`${text}\n]}`);
      expect(parsed.samples.length).toBeGreaterThan(10);
    }
  });

  test.each(["html", "svg"])("a .%s chart that cannot be written loses only the chart", async (format) => {
    const disk = await smallDisk(0);
    const file = join(disk, `chart.${format}`);
    const { code, stdout, stderr } = await peakMem(["--timeline", file, "--", "sh", "-c", "sleep 0.2; exit 5"]);
    expect(code).toBe(5);
    expect(stdout).toContain("Peak memory usage:");
    expect(ownLines(stderr)).toEqual([expect.stringMatching(/^peak-mem: warning: cannot write --timeline .*\(no space left on device\)/)]);
    // Nothing half-written is left: the failed write was taken back.
    expect(statSync(file).size).toBe(0);
  });

  test("a baseline that cannot be saved is a warning; the report and the status stand", async () => {
    const disk = await smallDisk(1024 * 1024);
    mkdirSync(join(disk, "baselines"));
    try {
      writeFileSync(join(disk, "fill"), Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: full to the last page, with the directory already there.
    }
    const { code, stdout, stderr } = await peakMem(["--save-baseline", "b", "--baseline-dir", join(disk, "baselines"), "--", "sh", "-c", "exit 0"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Exit code: 0");
    expect(ownLines(stderr)).toEqual([expect.stringMatching(/^peak-mem: warning: cannot save baseline "b" .*; the report and the exit status are not affected$/)]);
  });
});

describe.skipIf(!ROOT || !CC || !SETPRIV || !PRLIMIT)(`process limits${ROOT && CC && SETPRIV && PRLIMIT ? "" : " (skipped: needs root, cc, setpriv and prlimit)"}`, () => {
  test("a user's process limit used up by the command: peak-mem survives and reports its status", async () => {
    const forker = await cFixture("forker", dir);
    for (let run = 0; run < 3; run++) {
      const { code, stdout, stderr } = await runArgv([PRLIMIT as string, "--nproc=100:100", SETPRIV as string, ...NOBODY, BINARY, "--", forker, "150", "2500"]);
      expect(stderr).not.toContain("panic");
      expect(code).toBe(7);
      expect(stdout).toContain("Exit code: 7");
    }
  }, 30_000);

  const pidsRoot = "/sys/fs/cgroup/pids";
  const pidsGroups: string[] = [];
  afterAll(() => {
    for (const group of pidsGroups) {
      try {
        rmdirSync(group);
      } catch {
        // Still busy: left for the system.
      }
    }
  });
  /** A new pids cgroup with this limit (cgroup v1 here; v2 has the same files one level up). */
  function pidsCgroup(max: number): string | undefined {
    if (!existsSync(join(pidsRoot, "cgroup.procs"))) return undefined;
    const group = join(pidsRoot, `peak-mem-test-${process.pid}-${pidsGroups.length}`);
    mkdirSync(group);
    pidsGroups.push(group);
    writeFileSync(join(group, "pids.max"), String(max));
    return group;
  }

  test("a container out of pids (pids.max): peak-mem survives and reports its status", async () => {
    const forker = await cFixture("forker", dir);
    const group = pidsCgroup(80);
    if (!group) throw new Error(`no pids cgroup controller at ${pidsRoot}`);
    const { code, stdout, stderr } = await runArgv(["sh", "-c", `echo $$ > '${group}/cgroup.procs' && exec "$0" -- "$1" 150 2500`, BINARY, forker]);
    expect(stderr).not.toContain("panic");
    expect(code).toBe(7);
    expect(stdout).toContain("Exit code: 7");
  });

  test("a command that cannot be started for want of a process: 125, one line, not 126", async () => {
    // With the runtime's options given, peak-mem starts in 3 tasks and needs no more until
    // the spawn, which a limit of 3 refuses.
    const group = pidsCgroup(3);
    if (!group) throw new Error(`no pids cgroup controller at ${pidsRoot}`);
    const env = { BUN_JSC_useConcurrentJIT: "0", BUN_JSC_useConcurrentGC: "0", BUN_JSC_numberOfGCMarkers: "1" };
    const { code, stdout, stderr } = await runArgv(["sh", "-c", `echo $$ > '${group}/cgroup.procs' && exec "$0" -- true`, BINARY], { env });
    expect(stdout).toBe("");
    expect(ownLines(stderr)).toEqual([expect.stringMatching(/^peak-mem: cannot start true: the system refused a new process .*\(EAGAIN\)$/)]);
    expect(code).toBe(125);
  });

  test("under a tight limit peak-mem re-executes itself with the runtime's options; the command never sees them", async () => {
    const group = pidsCgroup(200);
    if (!group) throw new Error(`no pids cgroup controller at ${pidsRoot}`);
    // peak-mem's own environment (as exec'd) has them; the command's has not.
    const probe = `echo "peak-mem=$(tr '\\0' '\\n' < /proc/${PEAK_MEM_PID}/environ | grep -c ^BUN_JSC_) command=$(env | grep -c -e ^BUN_JSC_ -e ^PEAK_MEM_)" >&2; [ "$KEEP" = me ]`;
    const { code, stderr } = await runArgv(["sh", "-c", `echo $$ > '${group}/cgroup.procs' && exec "$0" -q -- sh -c "$1"`, BINARY, probe], { env: { KEEP: "me" } });
    expect(stderr).toContain("peak-mem=3 command=0");
    expect(code).toBe(0); // KEEP, the rest of the environment, reached it
  });
});

describe.skipIf(!ROOT)(`--cgroup leaves nothing behind${rootReason}`, () => {
  const memoryMount = "/sys/fs/cgroup/memory";
  const home = () => {
    const line = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
    return join(memoryMount, line?.split(":")[2] ?? "/");
  };
  const left = () => readdirSync(home()).filter((name) => name.startsWith("peak-mem-"));

  test("on bad usage, on a signal and after a fault", async () => {
    const before = left();
    writeFileSync(join(dir, "afile"), "");
    expect((await peakMem(["--cgroup", "-o", join(dir, "afile", "x"), "--", "true"])).code).toBe(2);
    expect((await peakMem(["--cgroup", "--timeline", "/proc/nope/t.json", "--", "true"])).code).toBe(2);
    expect((await peakMem(["--cgroup", "--", "sh", "-c", `kill -TERM ${PEAK_MEM_PID}; sleep 0.2; exit 4`])).code).toBe(143);
    if (PRLIMIT) expect((await runArgv([PRLIMIT, "--nofile=40", BINARY, "--cgroup", "--", "sh", "-c", "for i in $(seq 60); do sleep 0.5 & done; wait; exit 6"])).code).toBe(6);
    expect(left()).toEqual(before);
  });
});

describe.skipIf(!ROOT || !CC || !SETPRIV)(`--kill-on-threshold with a process it may not signal${ROOT && CC && SETPRIV ? "" : " (skipped: needs root, cc and setpriv)"}`, () => {
  test("names the survivor and measures the run to its real end", async () => {
    const hold = await cFixture("alloc", dir, { flags: ["-DBECOME_ROOT"], as: "hold" });
    chownSync(hold, 0, 0);
    chmodSync(hold, 0o4755); // setuid root: nobody may not signal it once it is root through and through
    const preflight = await runArgv([SETPRIV as string, ...NOBODY, hold, "1", "0"]);
    if (preflight.code !== 0) throw new Error(`setuid does not take effect in ${dir} (a nosuid mount?): hold exited ${preflight.code}`);
    const { code, stdout } = await runArgv([SETPRIV as string, ...NOBODY, BINARY, "--json", "--kill-on-threshold", "-t", "50M", "--", "sh", "-c", `'${hold}' 100 5000 & sleep 20`]);
    const survivors: number[] = [];
    try {
      const report = JSON.parse(stdout);
      for (const survivor of report.stop_survivors ?? []) survivors.push(survivor.pid);
      expect(code).toBe(143); // sh, stopped by SIGTERM
      expect(report.stopped_by_threshold).toBe(true);
      expect(report.stop_survivors).toEqual([{ pid: expect.any(Number), name: "hold", reason: "permission denied" }]);
      // Not the moment sh died: the end of the wait for the tree (grace, SIGKILL, then 2 s).
      expect(report.duration_ms).toBeGreaterThanOrEqual(report.stopped_at_ms + 3000);
      const human = await runArgv([SETPRIV as string, ...NOBODY, BINARY, "--kill-on-threshold", "-t", "50M", "--", "sh", "-c", `'${hold}' 100 5000 & sleep 20`]);
      const pid = /could not be stopped and still ran when peak-mem gave up: (\d+) hold/.exec(human.stdout)?.[1];
      if (pid) survivors.push(Number(pid));
      expect(human.stdout).toMatch(/^NOT STOPPED: stopping the process tree began at .* but 1 process could not be stopped and still ran when peak-mem gave up: \d+ hold \(permission denied\)$/m);
      expect(human.stdout).not.toMatch(/^STOPPED:/m);
    } finally {
      // The test runs as root: it may stop what peak-mem, as nobody, could not.
      for (const pid of survivors) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  }, 30_000);
});
