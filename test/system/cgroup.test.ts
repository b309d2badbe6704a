// Needs root: --cgroup and --limit make a memory cgroup, which only root may; as root it also
// drops to nobody (setpriv) to see them refused.
// --cgroup: the kernel's exact peak for the whole tree, where a writable cgroup exists.
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { allocate, BINARY, MiB, peakMem, peakMemJson } from "../helpers.ts";

/** Whether this machine lets us make a memory cgroup: the binary's own answer. */
const probe = await peakMem(["--cgroup", "-q", "--", "true"]);
const writable = probe.code === 0;

const asRoot = writable ? test : test.skip;

asRoot("the command execs already inside the new cgroup", async () => {
  const { code, stdout } = await peakMem(["--cgroup", "-q", "--", "cat", "/proc/self/cgroup"]);
  expect(code).toBe(0);
  expect(stdout).toMatch(new RegExp(`/peak-mem-\\d+\\n`));
});

asRoot("the cgroup peak covers the tree, beside the RSS peak, labelled", async () => {
  // Held (referenced) a second each, so the two overlap even on a loaded machine.
  const worker = allocate(100, 1000).map((word) => `'${word}'`).join(" ");
  const { code, report } = await peakMemJson(["--cgroup", "--", "sh", "-c", `${worker} & ${worker} & wait`]);
  expect(code).toBe(0);
  // More than either worker alone: the kernel counted both at once.
  expect(report.cgroup_peak_bytes as number).toBeGreaterThan(150 * MiB);
  expect(["memory.peak", "memory.max_usage_in_bytes"]).toContain(report.cgroup_peak_source as string);
  expect(report.peak_rss_bytes as number).toBeGreaterThan(200 * MiB);
  const human = await peakMem(["--cgroup", "--", "true"]);
  expect(human.stdout).toMatch(/^Cgroup peak: .+ \(memory\.\S+: what the cgroup was charged, page cache and kernel memory included, pages charged to other cgroups left out, so above or below RSS\)$/m);
});

asRoot("the new cgroup is removed afterwards", async () => {
  const { stdout } = await peakMem(["--cgroup", "-q", "--", "cat", "/proc/self/cgroup"]);
  const line = stdout.split("\n").find((l) => l.includes("/peak-mem-")) ?? "";
  const path = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1);
  const mount = line.startsWith("0::") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
  expect(path).not.toBe("");
  expect(existsSync(`${mount}${path}`)).toBe(false);
});

const asNobody = existsSync("/usr/bin/setpriv") && writable ? test : test.skip;

asNobody.each([
  ["--cgroup", []],
  ["--limit", ["100M"]],
] as [string, string[]][])("%s as an unprivileged user: one clear line naming it, exit 2, nothing run", async (option: string, value: string[]) => {
  const child = Bun.spawn(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BINARY, option, ...value, "--", "sh", "-c", "echo ran"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(new RegExp(`^peak-mem: ${option}: no writable cgroup[^\\n]*\\n$`));
});
