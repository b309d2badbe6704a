import type { ChartData, ProcessSummary, TimelineSample } from "../../src/model/chart-data.ts";
import type { MetricChange, ProgramUsage, Report } from "../../src/model/report.ts";
import { seriesReport, type SeriesReport, type SeriesRun } from "../../src/model/series.ts";
import { FIGURES } from "../../src/export/views/index.ts";

// The fixed inputs of the golden files (test/golden/README.md). Every value is written out
// here, not taken from the other tests' fixtures, so that a change to those never moves a
// golden file: only a change to a renderer (or to the model's own arithmetic) may.
// The rich fixtures fill in as many optional fields as the model has at once, however unlikely
// together, so that a field a refactor drops or renames shows in some file.

const KiB = 2 ** 10;
const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Renderers are pure: frozen, a fixture one of them changed would throw rather than leak into the next file. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const each of Object.values(value)) deepFreeze(each);
    Object.freeze(value);
  }
  return value;
}

/** baseline → current as src/baseline/compare.ts computes it; written here so the fixture is fixed arithmetic. */
function metric(baseline: number, current: number): MetricChange {
  return { baseline, current, changePercent: baseline === 0 ? (current === 0 ? 0 : null) : ((current - baseline) / baseline) * 100 };
}

// ---- one run ----

const CGROUP = "/user.slice/peak-mem-4200.scope";

/** A build under `sh -c … | tee`: cc1plus killed by the OOM killer, a worker whose name holds a tab. */
const RICH_PROCESSES: ProcessSummary[] = [
  { pid: 4200, ppid: 4199, name: "sh", depth: 0, peakRss: 3 * MiB + 40 * KiB, rssAtPeak: 3 * MiB + 12 * KiB, firstSeenMs: 0, lastSeenMs: 12_300, signal: "SIGKILL" },
  { pid: 4201, ppid: 4200, name: "make", depth: 1, peakRss: 12 * MiB, rssAtPeak: 11 * MiB, firstSeenMs: 2, lastSeenMs: 12_290, signal: "SIGKILL" },
  { pid: 4210, ppid: 4201, name: "cc1", depth: 2, peakRss: 410 * MiB, rssAtPeak: 402 * MiB, firstSeenMs: 350, lastSeenMs: 10_150, exitCode: 0 },
  { pid: 4211, ppid: 4201, name: "cc1plus", depth: 2, peakRss: 530 * MiB, rssAtPeak: 520 * MiB, firstSeenMs: 1_510, lastSeenMs: 8_765, signal: "SIGKILL" },
  { pid: 4212, ppid: 4201, name: "py\tworker", depth: 2, peakRss: 40 * MiB, rssAtPeak: 38 * MiB, firstSeenMs: 800, lastSeenMs: 9_870, signal: "SIGTERM" },
  { pid: 4213, ppid: 4201, name: "as", depth: 2, peakRss: 9 * MiB, firstSeenMs: 9_000, lastSeenMs: 9_300, exitCode: 0 },
  { pid: 4214, ppid: 4201, name: "ld", depth: 2, peakRss: 300 * MiB, firstSeenMs: 10_200, lastSeenMs: 11_400, exitCode: 1 },
  { pid: 4202, ppid: 4200, name: "tee", depth: 1, peakRss: 2 * MiB, rssAtPeak: 2 * MiB, firstSeenMs: 3, lastSeenMs: 12_295, exitCode: 0 },
];

/** Largest share of the tree's peak first, then the largest single process (as src/monitor/programs.ts sorts). */
const RICH_PROGRAMS: ProgramUsage[] = [
  { name: "cc1plus", processes: 1, maxProcessPeakBytes: 530 * MiB, rssAtPeakBytes: 520 * MiB, peakRssBytes: 530 * MiB, processSeconds: 7.255 },
  { name: "cc1", processes: 12, maxProcessPeakBytes: 410 * MiB, rssAtPeakBytes: 402 * MiB, peakRssBytes: 815 * MiB, processSeconds: 104.6 },
  { name: "py\tworker", processes: 1, maxProcessPeakBytes: 40 * MiB, rssAtPeakBytes: 38 * MiB, peakRssBytes: 40 * MiB, processSeconds: 9.07 },
  { name: "make", processes: 1, maxProcessPeakBytes: 12 * MiB, rssAtPeakBytes: 11 * MiB, peakRssBytes: 12 * MiB, processSeconds: 12.288 },
  { name: "sh", processes: 1, maxProcessPeakBytes: 3 * MiB + 40 * KiB, rssAtPeakBytes: 3 * MiB + 12 * KiB, peakRssBytes: 3 * MiB + 40 * KiB, processSeconds: 12.3 },
  { name: "tee", processes: 1, maxProcessPeakBytes: 2 * MiB, rssAtPeakBytes: 2 * MiB, peakRssBytes: 2 * MiB, processSeconds: 12.292 },
  { name: "ld", processes: 1, maxProcessPeakBytes: 300 * MiB, rssAtPeakBytes: 0, peakRssBytes: 300 * MiB, processSeconds: 1.2 },
  { name: "as", processes: 4, maxProcessPeakBytes: 9 * MiB, rssAtPeakBytes: 0, peakRssBytes: 17 * MiB, processSeconds: 0.84 },
  { name: "sed", processes: 3, maxProcessPeakBytes: 900 * KiB, rssAtPeakBytes: 0, peakRssBytes: 900 * KiB, processSeconds: 0.006 },
];

/** The sum of the processes' RSS at the tree's peak: the sampled peak. */
const RICH_PEAK = 976 * MiB + 12 * KiB;

/**
 * Everything at once: a threshold as a share of an enforced cgroup limit (exceeded, the tree
 * stopped with SIGKILL but one survivor), soft and swap limits, an OOM kill of a member,
 * pressure, swap, the cgroup's own peak, PSS, programs from lossy events, a process tree,
 * a measurement fault and a regression against a baseline saved from a series.
 */
export const RICH_REPORT: Report = deepFreeze<Report>({
  command: "sh -c 'make -j4 2>&1 | tee build.log'",
  argv: ["sh", "-c", "make -j4 2>&1 | tee build.log"],
  durationMs: 12_346,
  exitCode: 137,
  signal: "SIGKILL",
  peaks: {
    rss: { bytes: RICH_PEAK, source: "sampled-sum", bound: { exact: false, upperBytes: RICH_PEAK + 37 * MiB } },
    breakdown: { bytes: RICH_PEAK, atMs: 9_120, isPeak: true },
    vsz: { bytes: 6 * GiB + 214 * MiB, source: "process-hwm" },
    swapBytes: 64 * MiB + 4 * KiB,
    cgroup: { bytes: 1_020 * MiB + 300 * KiB, source: "memory.peak" },
  },
  threshold: {
    bytes: 512 * MiB,
    percent: 50,
    exceeded: true,
    stop: { atMs: 9_870, escalated: true, survivors: [{ pid: 4300, name: "sudo", reason: "permission denied" }] },
  },
  timestamp: "2025-05-24T10:30:45Z",
  sampling: {
    samples: 123,
    intervalMs: 100,
    effectiveIntervalMs: 12_346 / 122,
    processesSeen: RICH_PROCESSES.length,
    childrenTracked: true,
    fault: { message: "cannot read /proc/4213/status: input/output error", atMs: 11_204 },
    monitorFaults: [{ monitor: "reading the PSS", message: "smaps_rollup: unexpected line", atMs: 3_050 }],
  },
  concurrency: { peakProcesses: 6, exact: false },
  processes: RICH_PROCESSES,
  build: { version: "1.2.3", platform: "linux-x64" },
  comparison: {
    baselineName: "main",
    baselineTimestamp: "2025-05-20T08:00:00Z",
    peakRss: metric(800 * MiB, RICH_PEAK),
    peakVsz: metric(6 * GiB, 6 * GiB + 214 * MiB),
    duration: metric(11_000, 12_346),
    thresholdPercent: 10,
    regression: true,
    spread: { runs: 5, minBytes: 790 * MiB, maxBytes: 812 * MiB },
    outsideSpread: true,
  },
  memory: {
    limit: { bytes: GiB, source: "cgroup memory.max", cgroup: CGROUP },
    softLimit: { bytes: 768 * MiB, source: "cgroup memory.high", cgroup: CGROUP },
    swapLimit: { bytes: 512 * MiB, source: "cgroup memory.swap.max", cgroup: CGROUP },
    enforced: true,
    limitGiven: "1GiB",
    oom: {
      kills: 2,
      source: "memory.events",
      scope: "cgroup",
      treeKilled: true,
      victim: { pid: 4211, name: "cc1plus", role: "member", certain: true },
      atMs: 8_765,
    },
    pressure: { source: "memory.pressure", scope: "cgroup", someStallMs: 1_234.56, fullStallMs: 456.78, maxSomeAvg10: 12.34, maxFullAvg10: 5.67 },
  },
  pss: {
    peakPssBytes: 901 * MiB + 512 * KiB,
    ussAtPeakBytes: 850 * MiB,
    swapPssAtPeakBytes: 60 * MiB,
    source: "smaps_rollup",
    readings: 41,
    effectiveIntervalMs: 297.34,
    meanReadMs: 4.2173,
    budgetPercent: 5,
    unreadable: 1,
  },
  programs: { list: RICH_PROGRAMS, counts: "events", eventOnly: 3, eventsLost: true },
  // Two GPUs, one in accounting mode; two processes on the first: a bound; over --gpu-threshold 90%.
  gpu: {
    scope: "tree",
    peakBytes: 75 * GiB,
    exact: false,
    upperBytes: 78 * GiB,
    atMs: 9_120,
    devices: [
      { index: 0, name: "NVIDIA H100 80GB HBM3", id: "GPU-5f6e1c2a", totalBytes: 80 * GiB, peakBytes: 73 * GiB, exact: false, upperBytes: 76 * GiB, source: "nvml-accounting", usedAtPeakBytes: 74 * GiB, processes: 2 },
      { index: 1, name: "NVIDIA L4", totalBytes: 24 * GiB, peakBytes: 2 * GiB, exact: false, source: "nvml", usedAtPeakBytes: 2 * GiB + 300 * MiB, processes: 1 },
      { index: 2, name: "NVIDIA L4", totalBytes: 24 * GiB, peakBytes: 0, exact: false, source: "nvml", processes: 0 },
    ],
    processes: [
      { pid: 4300, name: "python3", peakBytes: 60 * GiB, exact: true, devices: [0] },
      { pid: 4301, name: "torchrun\u001b[31m", peakBytes: 16 * GiB, exact: true, devices: [0] },
      { pid: 4302, name: "python3", peakBytes: 2 * GiB, exact: false, devices: [1] },
    ],
    readings: 95,
    effectiveIntervalMs: 131.58,
    meanReadMs: 0.8123,
    maxReadMs: 2.5,
    budgetPercent: 2,
    setupMs: 143,
    threshold: { percent: 90, exceeded: true, devices: [0] },
  },
});

/** The same run without its OOM kill: the peak is then only close to the limit (a warning annotation). */
export const NEAR_LIMIT_REPORT: Report = deepFreeze<Report>(
  (() => {
    const { oom: _, ...memory } = RICH_REPORT.memory ?? {};
    return { ...RICH_REPORT, memory };
  })(),
);

/** A plain successful run, --no-children: no optional field of the model set. */
export const MINIMAL_REPORT: Report = deepFreeze<Report>({
  command: "true",
  argv: ["true"],
  durationMs: 3,
  exitCode: 0,
  timestamp: "2025-05-24T10:30:45Z",
  peaks: {
    rss: { bytes: 1_236_992, source: "rusage", bound: { exact: true, upperBytes: 1_236_992 } },
    breakdown: { bytes: 1_236_992, isPeak: true },
    vsz: { bytes: 8_523_776, source: "sampled-sum" },
  },
  // No threshold: no threshold group (not exceeded).
  sampling: {
    samples: 1,
    intervalMs: 100,
    effectiveIntervalMs: 3,
    processesSeen: 1,
    childrenTracked: false,
  },
  // The command alone, with no optional field either.
  processes: [{ pid: 4000, ppid: 3999, name: "true", depth: 0, peakRss: 1_236_992, firstSeenMs: 0, lastSeenMs: 2 }],
  build: { version: "1.2.3", platform: "linux-x64" },
});

// ---- series ----

/** What a run of a series is given here: its figures, and what else it met. */
interface RunFields {
  peakRssBytes: number;
  durationMs: number;
  peakPssBytes?: number;
  exitCode?: number;
  signal?: string;
  thresholdExceeded?: boolean;
  interrupted?: boolean;
  fault?: string;
  /** The cgroup limit it ran under, and whether the OOM killer took a process of it (pid, name). */
  limitBytes?: number;
  oomVictim?: { pid: number; name: string };
}

const ARGV: Record<number, string[]> = { 1: ["./bench", "--impl=old"], 2: ["sh", "-c", "./bench --impl=new | tee out.log"], 3: ["cargo", "build", "--release"] };

/** Run `run` of command `command` (both 1-based), as a whole report: the commands' runs interleave, a few seconds apart. */
function run(command: number, run: number, fields: RunFields, threshold?: { bytes: number; percent: number }): SeriesRun {
  const argv = ARGV[command] ?? ["cargo", "build", "--release"];
  const report: Report = {
    command: argv.map((arg) => (/^[\w./=-]+$/.test(arg) ? arg : `'${arg}'`)).join(" "),
    argv,
    exitCode: fields.exitCode ?? 0,
    ...(fields.signal && { signal: fields.signal }),
    durationMs: fields.durationMs,
    timestamp: `2025-05-24T10:3${run}:${String(command * 5).padStart(2, "0")}Z`,
    peaks: { rss: { bytes: fields.peakRssBytes, source: "sampled-sum" }, vsz: { bytes: 2 * GiB + fields.peakRssBytes, source: "process-hwm" }, swapBytes: 0 },
    ...(threshold && { threshold: { ...threshold, exceeded: fields.thresholdExceeded === true } }),
    ...(fields.limitBytes !== undefined && {
      memory: {
        limit: { bytes: fields.limitBytes, source: "cgroup memory.max", cgroup: "/ci.slice" },
        oom: {
          kills: fields.oomVictim ? 1 : 0,
          source: "memory.events",
          scope: "cgroup" as const,
          treeKilled: fields.oomVictim !== undefined,
          ...(fields.oomVictim && { victim: { ...fields.oomVictim, role: "member" as const, certain: true }, atMs: fields.durationMs - 20 }),
        },
      },
    }),
    ...(fields.peakPssBytes !== undefined && {
      pss: { peakPssBytes: fields.peakPssBytes, source: "smaps_rollup", readings: 6, effectiveIntervalMs: 250, meanReadMs: 1.5, budgetPercent: 5, unreadable: 0 },
    }),
    processes: [],
    sampling: {
      samples: Math.round(fields.durationMs / 100) + 1,
      intervalMs: 100,
      effectiveIntervalMs: 100,
      processesSeen: 3,
      childrenTracked: true,
      ...(fields.fault && { fault: { message: fields.fault, atMs: 900 } }),
    },
    build: { version: "1.2.3", platform: "linux-x64" },
  };
  return { run, report, ...(fields.interrupted && { interrupted: true }) };
}

/** --threshold 25% of the memory limit, as every run of SERIES had it. */
const T = { bytes: 200 * MiB, percent: 25 };

/**
 * Two commands × 3 runs with --ignore-failure, --warmup 1, --threshold 25% and --pss: the
 * first with a run measured only in part (a fault) and one without a PSS reading; the second,
 * under a 256 MiB cgroup limit, over the threshold, with a run killed by the OOM killer and
 * its third run interrupted by Ctrl-C, which stopped the series.
 */
export const SERIES: SeriesReport = deepFreeze(
  seriesReport({
    commands: [
      {
        command: "./bench --impl=old",
        argv: ["./bench", "--impl=old"],
        runs: [
          run(1, 1, { peakRssBytes: 100 * MiB + 300 * KiB, durationMs: 1_510, peakPssBytes: 80 * MiB }, T),
          run(1, 2, { peakRssBytes: 104 * MiB, durationMs: 1_498, peakPssBytes: 82 * MiB, fault: "cannot read /proc/5120/status: input/output error" }, T),
          run(1, 3, { peakRssBytes: 98 * MiB + 512 * KiB, durationMs: 1_533 }, T),
        ],
      },
      {
        command: "sh -c './bench --impl=new | tee out.log'",
        argv: ["sh", "-c", "./bench --impl=new | tee out.log"],
        runs: [
          run(2, 1, { peakRssBytes: 210 * MiB, durationMs: 2_940, peakPssBytes: 190 * MiB, thresholdExceeded: true, limitBytes: 256 * MiB }, T),
          run(2, 2, { peakRssBytes: 190 * MiB, durationMs: 812, peakPssBytes: 170 * MiB, exitCode: 137, signal: "SIGKILL", limitBytes: 256 * MiB, oomVictim: { pid: 5301, name: "bench" } }, T),
          run(2, 3, { peakRssBytes: 205 * MiB, durationMs: 2_001, exitCode: 130, signal: "SIGINT", thresholdExceeded: true, interrupted: true, limitBytes: 256 * MiB }, T),
        ],
      },
    ],
    runsRequested: 3,
    warmupRuns: 1,
    ignoreFailure: true,
    stop: { reason: "interrupted", signal: "SIGINT", exitCode: 130, command: 1, run: 3, warmup: false },
    thresholdBytes: 200 * MiB,
    thresholdPercent: 25,
    timestamp: "2025-05-24T10:30:45Z",
    intervalMs: 100,
    version: "1.2.3",
    platform: "linux-x64",
  }, FIGURES),
);

/** Three runs of one command against a series baseline: grown past 10%, but within the baseline's spread. */
export const SERIES_ONE: SeriesReport = deepFreeze(
  (() => {
    const series = seriesReport({
      commands: [
        {
          command: "cargo build --release",
          argv: ["cargo", "build", "--release"],
          runs: [
            run(3, 1, { peakRssBytes: 110 * MiB, durationMs: 14_200 }),
            run(3, 2, { peakRssBytes: 112 * MiB, durationMs: 14_050 }),
            run(3, 3, { peakRssBytes: 115 * MiB, durationMs: 14_480 }),
          ],
        },
      ],
      runsRequested: 3,
      warmupRuns: 0,
      ignoreFailure: false,
      timestamp: "2025-05-24T10:30:45Z",
      intervalMs: 100,
      version: "1.2.3",
      platform: "linux-x64",
    }, FIGURES);
    // As src/session/session.ts adds it: the medians against the baseline.
    series.comparison = {
      baselineName: "release-1.2",
      baselineTimestamp: "2025-05-20T08:00:00Z",
      peakRss: metric(100 * MiB, 112 * MiB),
      peakVsz: metric(2 * GiB + 100 * MiB, 2 * GiB + 112 * MiB),
      duration: metric(14_000, 14_200),
      thresholdPercent: 10,
      regression: false,
      median: true,
      spread: { runs: 5, minBytes: 95 * MiB, maxBytes: 118 * MiB },
      outsideSpread: false,
    };
    return series;
  })(),
);

// ---- charts and timelines ----

/** Each program's life (ms) and its largest RSS: it grows over its first fifth, then holds. */
const CHART_PROGRAMS: Array<{ name: string; from: number; to: number; rss: number }> = [
  { name: "sh", from: 0, to: 2_460, rss: 3 * MiB },
  { name: "make", from: 0, to: 2_400, rss: 12 * MiB },
  { name: "py\tworker", from: 100, to: 1_900, rss: 40 * MiB },
  { name: "cc1", from: 200, to: 1_600, rss: 402 * MiB },
  { name: "cc1plus", from: 500, to: 1_850, rss: 520 * MiB },
  { name: "as", from: 1_500, to: 1_800, rss: 9 * MiB },
  { name: "ld", from: 1_900, to: 2_300, rss: 300 * MiB },
  { name: "tee", from: 0, to: 2_460, rss: 2 * MiB },
  { name: "sed", from: 1_000, to: 1_300, rss: 900 * KiB },
  { name: "awk", from: 1_100, to: 1_200, rss: 600 * KiB },
  // Two more at once: ten programs alive, so a sample also sums the smallest as otherRss.
  { name: "grep", from: 1_100, to: 1_200, rss: 700 * KiB },
  { name: "cat", from: 1_100, to: 1_200, rss: 200 * KiB },
];

/** 25 samples, 100 ms apart, at fractional times (the writers round them): few enough that each is dotted. */
function chartSamples(grouped: boolean): TimelineSample[] {
  return Array.from({ length: 25 }, (_, i) => {
    const tMs = i * 100 + 0.4;
    const alive = CHART_PROGRAMS.filter((p) => tMs >= p.from && tMs <= p.to)
      .map((p) => ({ name: p.name, rss: Math.round(p.rss * Math.min(1, 0.3 + (0.7 * (tMs - p.from)) / ((p.to - p.from) / 5))) }))
      .sort((a, b) => b.rss - a.rss || (a.name < b.name ? -1 : 1));
    const rss = alive.reduce((sum, p) => sum + p.rss, 0);
    const sample: TimelineSample = { tMs, rss, vsz: 9 * MiB + alive.length * 600 * MiB, processCount: alive.length };
    // As src/session/run.ts records them: the 8 largest by name, the rest summed.
    return grouped ? { ...sample, programs: alive.slice(0, 8), otherRss: alive.slice(8).reduce((sum, p) => sum + p.rss, 0) } : sample;
  });
}

const STACKED_SAMPLES = chartSamples(true);

/**
 * The rich run's chart: stacked by program (more programs than bands), the reported peak above
 * every sample (a stem joins them), a threshold, a limit on the chart, a likely OOM kill, thinned.
 */
export const CHART: ChartData = deepFreeze<ChartData>({
  command: RICH_REPORT.command,
  startedAt: "2025-05-24T10:30:45Z",
  intervalMs: 100,
  samples: STACKED_SAMPLES,
  sampleCount: 49,
  peakRssBytes: Math.max(...STACKED_SAMPLES.map((s) => s.rss)) + 20 * MiB,
  peakVszBytes: Math.max(...STACKED_SAMPLES.map((s) => s.vsz)),
  peakRssSource: "process-hwm",
  thresholdBytes: 512 * MiB,
  exitCode: 137,
  signal: "SIGKILL",
  durationMs: 2_460,
  processes: RICH_PROCESSES.map((p) => ({ ...p, firstSeenMs: Math.round(p.firstSeenMs / 5), lastSeenMs: Math.round(p.lastSeenMs / 5) })),
  limitBytes: GiB,
  limitSource: "cgroup memory.max",
  oomKill: { atMs: 1_850.6, pid: 4211, name: "cc1plus", certain: false },
  programs: RICH_PROGRAMS,
});

// GPU memory from the third sample on (the driver answered then), rising to 1.5 GiB and back.
const PLAIN_SAMPLES = chartSamples(false).map((s, i) => (i < 2 ? s : { ...s, gpu: Math.round(1.5 * GiB * Math.sin((Math.PI * (i - 2)) / 22)) }));

/** A run with --no-children under a machine's 16 GiB: a line alone, the limit off the chart, a threshold not reached, GPU memory beside. */
export const CHART_PLAIN: ChartData = deepFreeze<ChartData>({
  command: "./alloc 900M",
  startedAt: "2025-05-24T10:30:45Z",
  intervalMs: 100,
  samples: PLAIN_SAMPLES,
  peakRssBytes: Math.max(...PLAIN_SAMPLES.map((s) => s.rss)),
  peakVszBytes: Math.max(...PLAIN_SAMPLES.map((s) => s.vsz)),
  peakRssSource: "sampled-sum",
  peakGpuBytes: Math.max(...PLAIN_SAMPLES.map((s) => s.gpu ?? 0)),
  peakGpuExact: false,
  thresholdBytes: 2 * GiB,
  exitCode: 0,
  durationMs: 2_460,
  limitBytes: 16 * GiB,
  limitSource: "physical memory",
});
