import { describe, expect, test } from "bun:test";
import { formatDuration } from "../../src/core/text/duration.ts";
import { render } from "../../src/export/human.ts";
import { makeReport } from "./fixture.ts";
import { createColors } from "picocolors";
import { PLAIN } from "../../src/export/palette.ts";

const COLOURED = createColors(true);

const ANSI = /\x1b\[/;
const plain = { palette: PLAIN, verbose: false };
const lines = (text: string) => text.trimEnd().split("\n");

describe("human report", () => {
  test("the original four lines, in order", () => {
    const text = render(makeReport(), plain);
    expect(lines(text)).toEqual([
      "Command: cargo build --release",
      "Peak memory usage: 487.3 MiB (RSS) / 892.1 MiB (VSZ)",
      "Exit code: 0",
      "Duration: 14.2s",
    ]);
    expect(text.endsWith("\n")).toBe(true);
  });

  test("no escapes without colour, escapes with it", () => {
    expect(render(makeReport(), plain)).not.toMatch(ANSI);
    expect(render(makeReport({ exitCode: 3, threshold: { bytes: 1, exceeded: true } }), plain)).not.toMatch(ANSI);
    const coloured = render(makeReport(), { palette: COLOURED, verbose: false });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(render(makeReport(), plain));
  });

  test("a signal is named next to the exit code", () => {
    expect(render(makeReport({ exitCode: 137, signal: "SIGKILL" }), plain)).toContain("Exit code: 137 (SIGKILL)");
  });

  test("THRESHOLD EXCEEDED only when exceeded, with the threshold; within it, a line only with -v", () => {
    const within = makeReport({ threshold: { bytes: 2 ** 30, exceeded: false } });
    expect(render(within, plain)).not.toContain("THRESHOLD EXCEEDED");
    expect(render(within, plain)).not.toContain("Threshold");
    expect(lines(render(within, { palette: PLAIN, verbose: true }))).toContain("Threshold: peak RSS 487.3 MiB is within the threshold of 1.00 GiB (1073741824 bytes)");
    const over = render(makeReport({ threshold: { bytes: 100 * 2 ** 20, exceeded: true } }), plain);
    expect(lines(over)).toEqual([...lines(render(makeReport(), plain)), "THRESHOLD EXCEEDED: peak RSS 487.3 MiB is over the threshold of 100.0 MiB (104857600 bytes)"]);
    expect(lines(over).slice(0, 4)[3]).toStartWith("Duration:");
  });

  test("verbose lines only with verbose", () => {
    const quiet = render(makeReport(), plain);
    const verbose = render(makeReport(), { palette: PLAIN, verbose: true });
    expect(lines(quiet)).toHaveLength(4);
    expect(lines(verbose).length).toBeGreaterThan(4);
    expect(lines(verbose).slice(0, 4)).toEqual(lines(quiet));
    // Where each peak came from, in words (JSON keeps the source's name).
    expect(lines(verbose)[4]).toBe("Peak set by: RSS: the tree summed at one sample; VSZ: one process's own high-water mark");
    expect(verbose).not.toContain("sampled-sum");
    expect(verbose).toContain("Samples: 142 every 100 ms");
    expect(verbose).toContain("Processes seen: 7");
    expect(quiet).not.toContain("Peak set by");
    expect(quiet).not.toContain("At the peak");
  });

  test("the peak's other sources in words", () => {
    const report = makeReport({ peaks: { rss: { source: "rusage" }, vsz: { source: "sampled-sum" } } });
    expect(render(report, { palette: PLAIN, verbose: true })).toContain(
      "Peak set by: RSS: the kernel's exact figure for the command (ru_maxrss); VSZ: the tree summed at one sample\n",
    );
    const cgroup = makeReport({ peaks: { rss: { source: "cgroup" } } });
    expect(render(cgroup, { palette: PLAIN, verbose: true })).toContain("Peak set by: RSS: the cgroup's own peak;");
  });

  test("-v: the tree at its peak, a table under its own title; a process not alive then is left out", () => {
    const breakdown = lines(render(makeReport(), { palette: PLAIN, verbose: true }));
    const at = breakdown.indexOf("At the peak: the tree when its RSS peaked");
    expect(at).toBeGreaterThan(3);
    expect(breakdown.slice(at + 1).map((line) => line.trim().split(/\s{2,}/))).toEqual([
      ["Process", "At tree peak", "Own peak"],
      ["100 cargo", "40.0 MiB", "50.0 MiB"],
      ["120 rustc", "447.0 MiB", "447.0 MiB"],
    ]);
    // Each process under its parent.
    expect(breakdown[at + 3]).toStartWith("    120 rustc");
  });

  test("verbose says when children were not tracked", () => {
    expect(render(makeReport({ sampling: { childrenTracked: false } }), { palette: PLAIN, verbose: true })).toContain("children not tracked");
    expect(render(makeReport(), { palette: PLAIN, verbose: true })).not.toContain("children not tracked");
  });

  test("control characters in argv are shown escaped, in bash's $'…' form", () => {
    const text = render(makeReport({ argv: ["/bin/true", "\x1b[2J\x1b[31mred", "x\ry", "\x07"] }), plain);
    expect(lines(text)[0]).toBe(`Command: /bin/true $'\\E[2J\\E[31mred' $'x\\ry' $'\\a'`);
    expect(text).not.toMatch(/[\x1b\x07\r]/);
  });

  test("a forged newline in the command cannot make a second report line", () => {
    const forged = "true\nPeak memory usage: 1.00 KiB (RSS) / 1.00 KiB (VSZ)";
    const text = render(makeReport({ argv: ["sh", "-c", forged] }), { palette: PLAIN, verbose: true });
    expect(lines(text).filter((line) => line.startsWith("Peak memory usage:"))).toEqual(["Peak memory usage: 487.3 MiB (RSS) / 892.1 MiB (VSZ)"]);
    expect(lines(text)[0]).toBe(`Command: sh -c $'true\\nPeak memory usage: 1.00 KiB (RSS) / 1.00 KiB (VSZ)'`);
    // The exact command is still what the report carries, for JSON and CSV.
    expect(makeReport({ argv: ["sh", "-c", forged] }).command).toBe(`sh -c '${forged}'`);
  });

  test("-v: process names in the breakdown are shown as ps shows them, columns kept", () => {
    const processes = [
      { pid: 100, ppid: 1, name: "e\x1b[7mX", depth: 0, peakRss: 2 ** 20, rssAtPeak: 2 ** 20, firstSeenMs: 0, lastSeenMs: 100 },
      { pid: 101, ppid: 100, name: "a\nPeak memory usage: 1 B\u202e", depth: 1, peakRss: 2 ** 20, rssAtPeak: 2 ** 20, firstSeenMs: 0, lastSeenMs: 100 },
    ];
    const text = render(makeReport({ processes }), { palette: PLAIN, verbose: true });
    expect(text).not.toMatch(/[\x1b\u202e]/);
    const breakdown = lines(text).slice(lines(text).findIndex((line) => line.startsWith("At the peak:")));
    expect(breakdown).toHaveLength(4);
    expect(breakdown[1]).toStartWith("  Process ");
    expect(breakdown[2]).toStartWith("  100 e?[7mX ");
    expect(breakdown[3]).toStartWith("    101 a?Peak memory usage: 1 B? ");
    // The header and every row one width: the columns kept.
    expect(new Set(breakdown.slice(1).map((line) => line.length)).size).toBe(1);
    expect(lines(text).filter((line) => line.startsWith("Peak memory usage:"))).toHaveLength(1);
  });

  test("a baseline name's hidden characters are escaped in the comparison lines", () => {
    const change = { baseline: 1, current: 1, changePercent: 0 };
    const comparison = { baselineName: "main\u202eniam", baselineTimestamp: "2025-05-20T08:00:00Z", peakRss: change, peakVsz: change, duration: change, thresholdPercent: 10, regression: false };
    const text = render(makeReport({ comparison }), plain);
    expect(text).not.toContain("\u202e");
    expect(text).toContain('Baseline "main\\u202eniam": peak RSS');
  });

  describe("--kill-on-threshold and faults", () => {
    const over = { threshold: { exceeded: true, bytes: 100 * 2 ** 20, stop: { atMs: 1500, escalated: true } } };
    const survivors = [
      { pid: 4242, name: "sudo", reason: "permission denied" },
      { pid: 4243, name: "e\x1b[2Jvil" },
    ];

    test("a whole stop: one STOPPED line after the threshold line", () => {
      const text = lines(render(makeReport(over), plain));
      const at = text.findIndex((l) => l.startsWith("THRESHOLD EXCEEDED"));
      expect(at).toBe(4);
      expect(text[at + 1]).toBe("STOPPED: the process tree was stopped at 1.50s (SIGTERM, then SIGKILL)");
      expect(text.some((l) => l.startsWith("NOT STOPPED"))).toBe(false);
      expect(text).toHaveLength(6);
    });

    test("survivors: NOT STOPPED, naming each, and no STOPPED claim", () => {
      const text = lines(render(makeReport({ threshold: { ...over.threshold, stop: { ...over.threshold.stop, survivors } } }), plain));
      expect(text[5]).toBe(
        "NOT STOPPED: stopping the process tree began at 1.50s (SIGTERM, then SIGKILL), but 2 processes could not be stopped " +
          "and still ran when peak-mem gave up: 4242 sudo (permission denied), 4243 e?[2Jvil",
      );
      expect(text.some((l) => l.startsWith("STOPPED:"))).toBe(false);
      expect(text.join("\n")).not.toContain("\x1b");
    });

    test("with colour, NOT STOPPED is red and bold throughout, STOPPED red with only its label bold; the text is the same without", () => {
      const report = makeReport({ threshold: { ...over.threshold, stop: { ...over.threshold.stop, survivors } } });
      const coloured = render(report, { palette: COLOURED, verbose: false });
      const plainLine = lines(render(report, plain))[5]!;
      expect(lines(coloured)[5]).toBe(COLOURED.red(COLOURED.bold(plainLine)));
      expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(render(report, plain));
      const whole = lines(render(makeReport(over), { palette: COLOURED, verbose: false }))[5];
      expect(whole).toBe(COLOURED.red(`${COLOURED.bold("STOPPED:")} the process tree was stopped at 1.50s (SIGTERM, then SIGKILL)`));
    });

    test("a fault: an Incomplete line, threshold or not", () => {
      const fault = { message: "reading /proc: EMFILE: too many open files", atMs: 2100 };
      const expected =
        "Incomplete: measuring stopped at 2.10s after an internal error (reading /proc: EMFILE: too many open files); the peaks are those seen until then and may be low";
      const alone = lines(render(makeReport({ sampling: { fault } }), plain));
      expect(alone).toHaveLength(5);
      expect(alone[4]).toBe(expected);
      const withStop = lines(render(makeReport({ ...over, sampling: { fault } }), plain));
      expect(withStop.slice(4)).toEqual(["THRESHOLD EXCEEDED: peak RSS 487.3 MiB is over the threshold of 100.0 MiB (104857600 bytes)", "STOPPED: the process tree was stopped at 1.50s (SIGTERM, then SIGKILL)", expected]);
      expect(render(makeReport(), plain)).not.toContain("Incomplete");
      const coloured = render(makeReport({ sampling: { fault } }), { palette: COLOURED, verbose: false });
      // Yellow, its label bold as every row's.
      expect(lines(coloured)[4]).toBe(COLOURED.yellow(`${COLOURED.bold("Incomplete:")} ${expected.slice("Incomplete: ".length)}`));
    });
  });

  test("--units is respected for both peaks and the limit", () => {
    const report = makeReport({ peaks: { rss: { bytes: 2_000_000 }, vsz: { bytes: 5_000_000 } }, threshold: { bytes: 1_000_000, exceeded: true } });
    const text = render(report, { palette: PLAIN, verbose: false, units: "MB" });
    expect(text).toContain("Peak memory usage: 2.00 MB (RSS) / 5.00 MB (VSZ)");
    expect(text).toContain("1.00 MB");
    expect(text).not.toContain("MiB");
    expect(render(report, { palette: PLAIN, verbose: false, units: "B" })).toContain("2000000 B (RSS) / 5000000 B (VSZ)");
  });
});

describe("formatDuration", () => {
  const cases: [number, string][] = [
    [0, "0.00s"],
    [40, "0.04s"],
    [3210, "3.21s"],
    [14_200, "14.2s"],
    [59_900, "59.9s"],
    [125_300, "2m 5.3s"],
    [3_723_000, "1h 2m 3s"],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} ms → ${text}`, () => expect(formatDuration(ms)).toBe(text));
  }
});
