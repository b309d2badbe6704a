// --pss on the compiled binary against real trees: shared copy-on-write pages are counted
// once in PSS where summed RSS counts them per process; independent processes have PSS close
// to RSS; the readings keep to their CPU budget on a large process. A process of the tree that
// is another user's (root sets one up): test/system/pss.test.ts.
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../export/csv-reader.ts";
import { CC, cFixture, MiB, peakMemJson, tempDir } from "../helpers.ts";

const linux = process.platform === "linux";
let dir = "";
let cow = "";
let alloc = "";

beforeAll(async () => {
  if (!linux || !CC) return;
  dir = tempDir();
  cow = await cFixture("cow", dir);
  alloc = await cFixture("alloc", dir);
});

describe.if(linux && Boolean(CC))("--pss", () => {
  test("8 children sharing 200 MiB copy-on-write: RSS sums ~1.80 GiB, PSS ~200 MiB, USS small", async () => {
    // At --interval 300 the readings after the first (at the start) all come once the children share the pages.
    const { code, report } = await peakMemJson(["--pss", "--interval", "300", "--", cow, "200", "8", "1500"]);
    expect(code).toBe(0);
    const rss = report.peak_rss_bytes as number;
    const pss = report.peak_pss_bytes as number;
    const uss = report.uss_at_pss_peak_bytes as number;
    expect(rss).toBeGreaterThan(8.5 * 200 * MiB); // nine processes, each with all 200 MiB resident
    expect(Math.abs(pss - 200 * MiB)).toBeLessThan(0.15 * 200 * MiB);
    expect(uss).toBeLessThan(20 * MiB);
    const sampling = report.pss_sampling as Record<string, number | string>;
    expect(sampling.source).toBe("smaps_rollup");
    expect(sampling.readings as number).toBeGreaterThanOrEqual(2);
    expect(sampling.unreadable_processes).toBe(0);
  });

  test("independent processes: PSS close to RSS", async () => {
    const worker = `'${alloc}' 60 1200`;
    const { code, report } = await peakMemJson(["--pss", "--interval", "50", "--", "sh", "-c", `${worker} & ${worker} & ${worker} & wait`]);
    expect(code).toBe(0);
    const rss = report.peak_rss_bytes as number;
    const pss = report.peak_pss_bytes as number;
    expect(rss).toBeGreaterThan(180 * MiB);
    expect(pss).toBeGreaterThan(0.9 * rss);
    expect(pss).toBeLessThanOrEqual(rss);
  });

  test("a tree growing while its PSS is read: the RSS peak is never below the PSS peak", async () => {
    // Three workers touching 100 MiB at once: the first reading's page walks take milliseconds
    // while they grow, and found more than the sample before it (PSS 200.5 MiB over an RSS
    // peak of 192.6 MiB, 2 of 4 runs, before its RSS counted too).
    const worker = `'${alloc}' 100 1`;
    for (let run = 0; run < 5; run++) {
      const { code, report } = await peakMemJson(["--pss", "--", "sh", "-c", `${worker} & ${worker} & ${worker} & wait`]);
      expect(code).toBe(0);
      expect(report.peak_rss_bytes as number).toBeGreaterThanOrEqual(report.peak_pss_bytes as number);
    }
  });

  test("every format carries the PSS peaks, labelled as sampled", async () => {
    const { peakMem } = await import("../helpers.ts");
    const human = await peakMem(["--pss", "--", alloc, "30", "400"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Peak PSS: [\d.]+ MiB, USS [\d.]+ MiB then \(smaps_rollup, summed over the tree at one reading; /m);
    const markdown = await peakMem(["--pss", "--markdown", "--", alloc, "30", "400"]);
    expect(markdown.stdout).toMatch(/^\| Peak PSS \| [\d.]+ MiB, USS /m);
    const csv = await peakMem(["--pss", "--csv", "--", alloc, "30", "400"]);
    const [columns = [], row = []] = parseCsv(csv.stdout);
    const pssAt = columns.indexOf("peak_pss_bytes");
    expect(pssAt).toBeGreaterThan(0);
    expect(Number(row[pssAt])).toBeGreaterThan(25 * MiB);
    expect(columns).toContain("uss_at_pss_peak_bytes");
  });

  test("a 2 GiB process under --pss --interval 10: the PSS readings stay within their CPU budget", async () => {
    // The workload records peak-mem's CPU time (utime + stime, /proc/PID/stat fields 14 and
    // 15, in clock ticks) just before it exits, once with --pss and once without: the
    // difference is what the PSS readings cost.
    const cpuOf = async (pss: boolean) => {
      const out = join(tempDir(), "cpu");
      const script = `'${alloc}' 2048 4000; p=$(cut -d' ' -f4 /proc/$PPID/stat); cut -d' ' -f14,15 /proc/$p/stat > '${out}'`;
      const { code, report } = await peakMemJson([...(pss ? ["--pss"] : []), "--interval", "10", "--", "sh", "-c", script]);
      expect(code).toBe(0);
      const [user = 0, system = 0] = readFileSync(out, "utf8").trim().split(" ").map(Number);
      return { ticks: user + system, report };
    };
    const without = await cpuOf(false);
    const withPss = await cpuOf(true);
    const seconds = (withPss.report.duration_ms as number) / 1000;
    const sampling = withPss.report.pss_sampling as Record<string, number>;
    // smaps_rollup of 2 GiB takes milliseconds: the readings must have spread far beyond 10 ms.
    expect(sampling.readings as number).toBeGreaterThanOrEqual(3);
    expect(sampling.effective_interval_ms as number).toBeGreaterThan(10);
    // What the readings cost by their own clock, and by the kernel's count of CPU time
    // (ticks of 10 ms: one tick of slack at each end), within the 5% budget. The budget is
    // kept by waiting after each reading, so one reading far slower than the rest (the 2 GiB
    // process tearing down its memory blocks the page walk: 50-90 ms seen here, against 9 ms
    // for the others) may take the total past it, by that one reading at most: the report
    // says how long the longest took.
    const total = (sampling.readings as number) * (sampling.mean_read_ms as number);
    expect(sampling.max_read_ms as number).toBeGreaterThanOrEqual(sampling.mean_read_ms as number);
    expect((total - (sampling.max_read_ms as number)) / 1000 / seconds).toBeLessThanOrEqual(0.05);
    const extra = Math.max(0, withPss.ticks - without.ticks - 2) / 100;
    expect(extra / seconds).toBeLessThanOrEqual(0.05);
    expect(withPss.report.peak_pss_bytes as number).toBeGreaterThan(2000 * MiB);
  }, 60_000);
});
