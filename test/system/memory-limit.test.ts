// Needs root: it makes memory cgroups below its own and starts peak-mem inside them, and
// --limit makes one itself.
// Why it died and how close it came, on the compiled binary, in real memory cgroups (cgroup
// v1 here, as root; v2 is tested from fixtures in test/platform/linux/memory.test.ts):
// peak-mem started inside a limited cgroup the way a container runs it, --limit, a threshold
// that is a share of the limit, and GitHub Actions annotations.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, CC, cFixture, MiB, runArgv, tempDir } from "../helpers.ts";

const ROOT = process.platform === "linux" && process.getuid?.() === 0;
const dir = tempDir();

/** Our v1 memory cgroup's directory, if there is a writable v1 memory hierarchy. */
function memoryHome(): string | undefined {
  const line = readFileSync("/proc/self/cgroup", "utf8")
    .split("\n")
    .find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  const home = line ? join("/sys/fs/cgroup/memory", line.split(":")[2] ?? "/") : undefined;
  return home && existsSync(join(home, "cgroup.procs")) ? home : undefined;
}
const HOME = ROOT ? memoryHome() : undefined;
const skipped = !ROOT ? "needs root" : !HOME ? "no cgroup v1 memory hierarchy here" : !CC ? "needs cc" : undefined;

const alloc = () => cFixture("alloc", dir);

const groups: string[] = [];
afterAll(() => {
  for (const group of groups.reverse()) {
    try {
      rmdirSync(group);
    } catch {
      // Still busy: left for the system.
    }
  }
});

/** A new memory cgroup below ours limited to `mib` MiB, swap included: a container of that size. */
function container(mib: number): string {
  const group = join(HOME as string, `peak-mem-test-limit-${process.pid}-${groups.length}`);
  mkdirSync(group);
  groups.push(group);
  writeFileSync(join(group, "memory.limit_in_bytes"), String(mib * MiB));
  if (existsSync(join(group, "memory.memsw.limit_in_bytes"))) writeFileSync(join(group, "memory.memsw.limit_in_bytes"), String(mib * MiB));
  return group;
}

/** peak-mem started inside `group`, as a container's entry point would be. */
function inside(group: string, args: string[], env: Record<string, string | undefined> = {}) {
  return runArgv(["sh", "-c", `echo $$ > '${group}/cgroup.procs' && exec "$@"`, "sh", BINARY, ...args], { env });
}

const noGitHub = { GITHUB_ACTIONS: undefined };

describe.skipIf(skipped !== undefined)(`memory limits and OOM kills${skipped ? ` (skipped: ${skipped})` : ""}`, () => {
  test("in a 200 MiB cgroup, a command touching 400 MiB: exit 137, the OOM kill named, the limit and its source", async () => {
    const group = container(200);
    const program = await alloc();
    const json = await inside(group, ["--json", "--", program, "400", "300"], noGitHub);
    expect(json.code).toBe(137);
    const report = JSON.parse(json.stdout);
    expect(report.signal).toBe("SIGKILL");
    expect(report.memory_limit_bytes).toBe(200 * MiB);
    expect(report.memory_limit_source).toBe("cgroup memory.limit_in_bytes");
    expect(report.memory_limit_cgroup).toEndWith(group.slice(group.lastIndexOf("/")));
    expect(report.oom_kills).toBeGreaterThanOrEqual(1);
    expect(report.oom_kills_source).toBe("memory.oom_control");
    expect(report.oom_killed).toBe(true);
    expect(report.oom_victim).toMatchObject({ role: "command", name: "alloc", certain: true });
    const human = await inside(group, ["--", program, "400", "300"], noGitHub);
    expect(human.code).toBe(137);
    expect(human.stdout).toContain("Exit code: 137 (SIGKILL)");
    // Then the swap limit when the cgroup has one (cgroup v1's memory+swap limit, v2's swap.max).
    expect(human.stdout).toMatch(/^Memory limit: 200\.0 MiB \(cgroup memory\.limit_in_bytes of \/[^)]*\), peak RSS at \d+% \(a limit counts the cgroup's charge, not RSS\)(; (memory\+swap limit [\d.]+ (MiB|GiB|TiB|B) \(cgroup memory\.memsw\.limit_in_bytes|swap limit [\d.]+ (MiB|GiB|TiB|B) \(cgroup memory\.swap\.max)( of \/[^)]*)?\))?$/m);
    expect(human.stdout).toMatch(/^OOM kill: Killed by the kernel's OOM killer \(cgroup limit 200\.0 MiB\): the command itself \(\d+ alloc\)$/m);
  });

  test("an orphan killed by the OOM killer is named from what peak-mem reaped", async () => {
    const group = container(200);
    const program = await alloc();
    // Double-forked: its parent exits at once, peak-mem adopts it and reaps it.
    const { code, stdout } = await inside(group, ["--json", "--", "sh", "-c", `( '${program}' 400 300 & ); sleep 1.5`], noGitHub);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.oom_killed).toBe(true);
    expect(report.oom_victim).toMatchObject({ role: "orphan", name: "alloc", certain: true });
  });

  test("exit 137 with no OOM kill says nothing of the OOM killer", async () => {
    const group = container(200);
    const { code, stdout } = await inside(group, ["--", "sh", "-c", "kill -KILL $$"], noGitHub);
    expect(code).toBe(137);
    expect(stdout).not.toContain("OOM");
  });

  test("the same cgroup with a 120 MiB command: the limit and a share of about 60%, no OOM line", async () => {
    const group = container(200);
    const program = await alloc();
    const json = await inside(group, ["--json", "--", program, "120", "300"], noGitHub);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.memory_limit_bytes).toBe(200 * MiB);
    expect(report.peak_rss_percent_of_limit).toBeGreaterThan(58);
    expect(report.peak_rss_percent_of_limit).toBeLessThan(66);
    expect(report.oom_kills).toBe(0);
    expect(report.oom_killed).toBe(false);
    const human = await inside(group, ["--", program, "120", "300"], noGitHub);
    expect(human.stdout).toMatch(/^Memory limit: 200\.0 MiB \([^)]*\), peak RSS at 6[0-5]% \(a limit counts the cgroup's charge, not RSS\)(; (memory\+swap limit [\d.]+ (MiB|GiB|TiB|B) \(cgroup memory\.memsw\.limit_in_bytes|swap limit [\d.]+ (MiB|GiB|TiB|B) \(cgroup memory\.swap\.max)( of \/[^)]*)?\))?$/m);
    expect(human.stdout).not.toContain("OOM");
  });

  test("--threshold 50% is half the limit found", async () => {
    const group = container(200);
    const program = await alloc();
    const { code, stdout } = await inside(group, ["--json", "-t", "50%", "--", program, "120", "300"], noGitHub);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.threshold_percent).toBe(50);
    expect(report.threshold_bytes).toBe(100 * MiB);
    expect(report.threshold_exceeded).toBe(true);
  });

  test("--limit 100M on a 300 MiB command: stopped by the OOM killer at the limit; the cgroup removed", async () => {
    const program = await alloc();
    const before = readdirSync(HOME as string).filter((name) => name.startsWith("peak-mem-"));
    const { code, stdout } = await runArgv([BINARY, "--json", "--limit", "100M", "--", program, "300", "300"], { env: noGitHub });
    expect(code).toBe(137);
    const report = JSON.parse(stdout);
    // The kernel keeps the limit in whole pages: 100000000 reads back as 99999744.
    expect(report.memory_limit_bytes).toBeLessThanOrEqual(100_000_000);
    expect(report.memory_limit_bytes).toBeGreaterThan(100_000_000 - 65_536);
    expect(report.memory_limit_enforced).toBe(true);
    expect(report.oom_killed).toBe(true);
    expect(report.oom_victim).toMatchObject({ role: "command", name: "alloc" });
    expect(report.cgroup_peak_bytes).toBeLessThanOrEqual(100_000_000);
    expect(readdirSync(HOME as string).filter((name) => name.startsWith("peak-mem-"))).toEqual(before);
    const human = await runArgv([BINARY, "--limit", "100M", "--", program, "300", "300"], { env: noGitHub });
    expect(human.stdout).toMatch(/^Memory limit: 100M \(95\.4 MiB; --limit, cgroup memory\.limit_in_bytes of [^)]*\), the cgroup's peak charge at [\d.]+%(; (memory\+swap limit [\d.]+ (MiB|GiB|TiB|B) \(cgroup memory\.memsw\.limit_in_bytes|swap limit [\d.]+ (MiB|GiB|TiB|B) \(cgroup memory\.swap\.max)( of \/[^)]*)?\))?$/m);
    expect(human.stdout).toMatch(/^OOM kill: Killed by the kernel's OOM killer \(cgroup limit 100M \(95\.4 MiB\)\)/m);
  });

  test("--limit 200M with a 150 MiB command: how close it came is the cgroup's own charge against the limit, like with like", async () => {
    const program = await alloc();
    const { code, stdout } = await runArgv([BINARY, "--json", "--limit", "200M", "--", program, "150", "200"], { env: noGitHub });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const charge = (report.cgroup_peak_bytes / report.memory_limit_bytes) * 100;
    expect(report.cgroup_peak_percent_of_limit).toBeCloseTo(charge, 1);
    expect(report.cgroup_peak_percent_of_limit).toBeLessThanOrEqual(100);
    expect(report.cgroup_peak_bytes).toBeGreaterThanOrEqual(150 * MiB);
    const human = await runArgv([BINARY, "--limit", "200M", "--", program, "150", "200"], { env: noGitHub });
    const line = human.stdout.split("\n").find((l) => l.startsWith("Memory limit: "));
    expect(line).toMatch(/^Memory limit: 200M \(190\.7 MiB; --limit, cgroup memory\.limit_in_bytes of [^)]*\), the cgroup's peak charge at (\d+|\d+\.\d)%/);
    expect(line).not.toContain("peak RSS at");
    // The chart says the limit as typed, with the cgroup's own peak.
    const svg = join(dir, "limit.svg");
    expect((await runArgv([BINARY, "-q", "--limit", "200M", "--timeline", svg, "--", program, "150", "200"], { env: noGitHub })).code).toBe(0);
    expect(readFileSync(svg, "utf8")).toMatch(/>limit 200M \(190\.7 MiB\), cgroup peak [\d.]+ MiB<\/text>/);
  });

  test("a pipeline's process killed by the OOM killer: the likely victim, the one with the most memory", async () => {
    // tail holds everything head sends: the OOM killer takes tail, head dies of SIGPIPE with it,
    // and sh exits 137 itself (not killed): the victim is known only as the process that vanished.
    const { code, stdout } = await runArgv([BINARY, "--json", "--limit", "64M", "--", "sh", "-c", "head -c 300000000 /dev/zero | tail >/dev/null"], { env: noGitHub });
    expect(code).toBe(137);
    const report = JSON.parse(stdout);
    expect(report.oom_killed).toBe(true);
    // Where the kernel's exit events are heard (root, the init pid namespace), tail's death by
    // SIGKILL is known, not inferred from its vanishing.
    expect(report.oom_victim).toMatchObject({ role: "member", name: "tail", certain: report.program_counts === "events" });
    expect(report.oom_kill_at_ms).toBeGreaterThan(0);
  });

  test("a chart of the run draws the limit and marks the OOM kill", async () => {
    const program = await alloc();
    const chart = join(dir, "oom.html");
    const { code } = await runArgv([BINARY, "--limit", "64M", "--timeline", chart, "--", program, "300", "300"], { env: noGitHub });
    expect(code).toBe(137);
    const html = readFileSync(chart, "utf8");
    expect(html).toContain("limit 64M (61.0 MiB)"); // as typed, its binary form beside it
    expect(html).toMatch(/OOM kill: \d+ alloc/);
  });

  test("--limit within the limit: no OOM kill, the command's status", async () => {
    const program = await alloc();
    const { code, stdout } = await runArgv([BINARY, "--json", "--limit", "200M", "--", program, "50", "100"], { env: noGitHub });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ memory_limit_enforced: true, oom_kills: 0, oom_killed: false });
    expect(Math.abs(report.memory_limit_bytes - 200_000_000)).toBeLessThan(65_536);
  });

  test("annotations on GitHub Actions: the OOM kill and the crossed threshold as errors; none elsewhere or with --no-annotations", async () => {
    const group = container(200);
    const program = await alloc();
    const github = await inside(group, ["-t", "50M", "--", program, "400", "300"], { GITHUB_ACTIONS: "true" });
    expect(github.code).toBe(137);
    const commands = github.stderr.split("\n").filter((line) => line.startsWith("::"));
    expect(commands).toContainEqual(expect.stringMatching(/^::error title=peak-mem%3A killed by the OOM killer::.*OOM killer/));
    expect(commands).toContainEqual(expect.stringMatching(/^::error title=peak-mem%3A threshold exceeded::/));
    const plain = await inside(group, ["-t", "50M", "--", program, "400", "300"], noGitHub);
    expect(plain.stderr.split("\n").filter((line) => line.startsWith("::"))).toEqual([]);
    const off = await inside(group, ["--no-annotations", "-t", "50M", "--", program, "400", "300"], { GITHUB_ACTIONS: "true" });
    expect(off.stderr.split("\n").filter((line) => line.startsWith("::"))).toEqual([]);
  });

  test("a peak above 90% of the limit is a warning annotation", async () => {
    const group = container(200);
    const program = await alloc();
    const { code, stderr } = await inside(group, ["--", program, "190", "300"], { GITHUB_ACTIONS: "true" });
    expect(code).toBe(0);
    expect(stderr.split("\n").filter((line) => line.startsWith("::"))).toEqual([expect.stringMatching(/^::warning title=peak-mem%3A close to the memory limit::/)]);
  });
});
