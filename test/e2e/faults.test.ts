// Whatever breaks around peak-mem, the command runs to its end under supervision, its exit
// status comes out, and the report says what could be measured. Real faults on the compiled
// binary, as any user: /dev/full, file descriptors running out, a closed stdout, one file named
// for two outputs, orphans. The faults that need root (a full tmpfs, process limits, a pids
// cgroup, a setuid process that cannot be stopped) are in test/system/faults.test.ts.
import { describe, expect, test } from "bun:test";
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, BINARY, MiB, peakMem, runArgv, tempDir } from "../helpers.ts";

const PRLIMIT = Bun.which("prlimit");

const dir = tempDir();
/** peak-mem's pid, in the command's shell: its parent is the spawn helper, whose parent is peak-mem. */
const PEAK_MEM_PID = "$(cut -d' ' -f4 /proc/$PPID/stat)";

/** The lines peak-mem wrote about itself (the command writes nothing to stderr here). */
const ownLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("peak-mem:"));

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
