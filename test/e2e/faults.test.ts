// Whatever breaks around peak-mem, the command runs to its end under supervision, its exit
// status comes out, and the report says what could be measured. Real faults on
// the compiled binary: a full tmpfs, /dev/full, process limits (RLIMIT_NPROC and a pids
// cgroup), file descriptors running out, a setuid process that cannot be stopped, a closed
// stdout. The cases that need root (mounts, other uids, cgroups) say so when skipped.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, symlinkSync, linkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, BINARY, CC, cFixture, MiB, peakMem, runArgv, tempDir } from "../helpers.ts";

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
      expect(rows[0]).toBe("t_ms,rss_bytes,vsz_bytes,process_count,programs,other_rss_bytes");
      for (const row of rows.slice(1)) expect(row).toMatch(/^\d+,\d+,\d+,\d+,(|"\[.*\]"),\d*$/);
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

describe("outputs that fail without a disk", () => {
  test("--timeline /dev/full: a warning, the report, the command's status", async () => {
    const { code, stdout, stderr } = await peakMem(["--timeline", "/dev/full", "--", "sh", "-c", "sleep 0.3; exit 5"]);
    expect(code).toBe(5);
    expect(stdout).toContain("Exit code: 5");
    expect(ownLines(stderr)).toEqual([expect.stringMatching(/^peak-mem: warning: cannot write --timeline '\/dev\/full' \(no space left on device\) after/)]);
  });

  test("--watch on a stderr that fails: the live view stops, the report and the status stand", async () => {
    const { code, stdout } = await runArgv(["sh", "-c", `exec "$0" --watch -- sh -c 'sleep 1.2; exit 4' 2>/dev/full`, BINARY]);
    expect(code).toBe(4);
    expect(stdout).toContain("Exit code: 4");
  });

  test("TERM=dumb on a terminal: --watch writes plain lines, no escape codes", async () => {
    const script = Bun.which("script");
    if (!script) throw new Error("script(1) (util-linux) is needed for the pty test");
    const { stdout } = await runArgv([script, "-qec", `${BINARY} --watch -- sleep 1.3`, "/dev/null"], { env: { TERM: "dumb" } });
    expect(stdout).not.toContain("\x1b");
    expect(stdout).toMatch(/peak-mem: \d+\.\ds {2}RSS /);
  });
});

describe("a closed stdout", () => {
  test("the report is lost: one line on stderr and the lost-report status (1 when the command succeeded)", async () => {
    const { code, stdout, stderr } = await runArgv(["sh", "-c", `exec "$0" -- true >&-`, BINARY]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(ownLines(stderr)).toEqual(["peak-mem: cannot write the report: stdout is closed (give -o FILE to keep it)"]);
  });

  test("a failing command keeps its own status", async () => {
    const { code, stderr } = await runArgv(["sh", "-c", `exec "$0" -- sh -c 'exit 3' >&-`, BINARY]);
    expect(code).toBe(3);
    expect(ownLines(stderr)).toHaveLength(1);
  });

  test("with -o the report goes to the file and nothing is lost", async () => {
    const out = join(dir, "closed-stdout-report.txt");
    const { code, stderr } = await runArgv(["sh", "-c", `exec "$0" -o "$1" -- true >&-`, BINARY, out]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(readFileSync(out, "utf8")).toContain("Exit code: 0");
  });
});

describe("one file, two outputs: refused before anything runs", () => {
  const marker = join(dir, "two-outputs-ran");
  const command = ["touch", marker];
  const refused = async (args: string[], shell?: string) => {
    const result = shell ? await runArgv(["sh", "-c", shell, BINARY, ...args]) : await peakMem(args);
    expect(result.code).toBe(2);
    expect(ownLines(result.stderr)).toEqual([expect.stringMatching(/ is the same file as .*: give each output its own file$/)]);
    expect(existsSync(marker)).toBe(false);
  };

  test("the same name", async () => {
    await refused(["--json", "-o", join(dir, "same.json"), "--timeline", join(dir, "same.json"), "--", ...command]);
    expect(existsSync(join(dir, "same.json"))).toBe(false);
  });

  test("a symlink, to a file that exists and to one that does not yet", async () => {
    writeFileSync(join(dir, "kept.json"), "precious");
    symlinkSync(join(dir, "kept.json"), join(dir, "kept-link.json"));
    await refused(["--json", "-o", join(dir, "kept.json"), "--timeline", join(dir, "kept-link.json"), "--", ...command]);
    expect(readFileSync(join(dir, "kept.json"), "utf8")).toBe("precious"); // not truncated
    symlinkSync("not-yet.json", join(dir, "dangling.json"));
    await refused(["-o", join(dir, "not-yet.json"), "--timeline", join(dir, "dangling.json"), "--", ...command]);
    expect(existsSync(join(dir, "not-yet.json"))).toBe(false);
  });

  test("a hard link", async () => {
    writeFileSync(join(dir, "hard-a.json"), "a");
    linkSync(join(dir, "hard-a.json"), join(dir, "hard-b.json"));
    await refused(["-o", join(dir, "hard-a.json"), "--timeline", join(dir, "hard-b.json"), "--", ...command]);
  });

  test("the file stdout is redirected to, when the report goes there", async () => {
    const file = join(dir, "stdout-file.jsonl");
    await refused([], `exec "$0" --timeline '${file}' -- touch '${marker}' > '${file}'`);
  });

  test("a report file that is also the baseline to save", async () => {
    const baselines = join(dir, "baselines");
    mkdirSync(baselines, { recursive: true });
    await refused(["-o", join(baselines, "b.json"), "--save-baseline", "b", "--baseline-dir", baselines, "--", ...command]);
  });
});

describe("faults while measuring: the command is still supervised to its end", () => {
  test.skipIf(!PRLIMIT)("out of file descriptors: one warning, a report marked incomplete, the command's status", async () => {
    const tree = "for i in $(seq 60); do sleep 1 & done; wait; exit 6";
    const { code, stdout, stderr } = await runArgv([PRLIMIT as string, "--nofile=40", BINARY, "--json", "--", "sh", "-c", tree]);
    expect(code).toBe(6);
    const report = JSON.parse(stdout);
    expect(report.exit_code).toBe(6);
    expect(report.measurement_error.message).toContain("EMFILE");
    expect(report.duration_ms).toBeGreaterThanOrEqual(1000); // it waited for the command
    expect(ownLines(stderr)).toEqual([expect.stringMatching(/^peak-mem: warning: internal error while sampling \(EMFILE.*\); measuring stopped at \d+\.\d\ds, the command goes on$/)]);
    const human = await runArgv([PRLIMIT as string, "--nofile=40", BINARY, "--", "sh", "-c", tree]);
    expect(human.stdout).toMatch(/^Incomplete: measuring stopped at .* after an internal error \(sampling: EMFILE.*\); the peaks are those seen until then and may be low$/m);
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

describe("orphans adopted by peak-mem", () => {
  test("are reaped as they exit: no zombies pile up", async () => {
    // The command counts the zombies whose parent is peak-mem, 300 orphans later.
    const script = `for i in $(seq 300); do ( /bin/true & ); done; sleep 1.5; cat /proc/[0-9]*/stat 2>/dev/null | awk -v p=${PEAK_MEM_PID} '$3 == "Z" && $4 == p' | wc -l`;
    const { code, stdout } = await peakMem(["--", "sh", "-c", script]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]?.trim()).toBe("0");
  });

  test("each one reaped gives its own exact peak (source rusage), even one no sample saw alive", async () => {
    // Double-forked, so its parent is gone and peak-mem adopts it (sh never waits for it). At
    // --interval 60000 the samples after the start-up burst are ~0.56 s and ~1.07 s in: the
    // orphan becomes a 60 MiB Bun at 0.6 s and is gone before the next one.
    const worker = allocate(60, 5).map((word) => `'${word}'`).join(" ");
    const { code, stdout } = await peakMem(["--json", "-v", "--interval", "60000", "--", "sh", "-c", `( (sleep 0.6; exec ${worker}) & ); sleep 1.3`]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.peak_rss_bytes).toBeGreaterThanOrEqual(60 * MiB);
    // Reaped, its ru_maxrss is exact; where the kernel's exit statistics are heard (root), the
    // same exact peak came with its exit, a moment before the reaping.
    expect(["rusage", "process-hwm"]).toContain(report.peak_rss_source);
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
