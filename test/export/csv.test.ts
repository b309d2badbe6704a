import { describe, expect, test } from "bun:test";
import { CSV_HEADER, HEADER, quoteField, render } from "../../src/export/csv.ts";
import { parseCsv } from "./csv-reader.ts";
import { makeReport } from "./fixture.ts";

describe("CSV report", () => {
  test("the original header first and unchanged, then every view's columns, then one row", () => {
    const text = render(makeReport());
    expect(HEADER).toBe("command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp");
    // One fixed header for every CSV, whatever was measured.
    expect(CSV_HEADER).toBe(
      `${HEADER},signal,peak_rss_source,peak_rss_exact,peak_rss_upper_bytes,peak_swap_bytes,cgroup_peak_bytes,threshold_bytes,` +
        "memory_limit_bytes,memory_limit_source,peak_rss_percent_of_limit,cgroup_peak_percent_of_limit,memory_soft_limit_bytes,memory_swap_limit_bytes,oom_kills,oom_killed," +
        "peak_pss_bytes,uss_at_pss_peak_bytes,swap_pss_at_pss_peak_bytes,peak_gpu_bytes,peak_gpu_exact,peak_gpu_upper_bytes,gpu_source,gpu_scope,gpu_threshold_exceeded,peak_processes,still_running,baseline,baseline_peak_rss_bytes,rss_change_percent,regression",
    );
    const lines = text.split("\n");
    expect(lines[0]).toBe(CSV_HEADER);
    // The original seven cells first; then only what this run knows (the memory cells are tested in memory.test.ts).
    expect(lines[1]).toBe(`cargo build --release,${Math.round(487.3 * 2 ** 20)},${Math.round(892.1 * 2 ** 20)},14200,0,false,2025-05-24T10:30:45Z,,sampled-sum${",".repeat(28)}`);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
  });

  test("the same header whatever was measured; each view's cells where it knows them", () => {
    const report = makeReport({
      signal: "SIGKILL",
      exitCode: 137,
      peaks: { swapBytes: 4096, cgroup: { bytes: 5000, source: "memory.peak" } },
      threshold: { bytes: 1000, exceeded: true },
      concurrency: { peakProcesses: 12, exact: false },
    });
    const [header, row] = parseCsv(render(report));
    expect(header!.join(",")).toBe(CSV_HEADER);
    const cells = Object.fromEntries(header!.map((name, i) => [name, row![i]]));
    expect(cells).toMatchObject({ exit_code: "137", threshold_exceeded: "true", signal: "SIGKILL", peak_swap_bytes: "4096", cgroup_peak_bytes: "5000", threshold_bytes: "1000", peak_processes: "12" });
    expect(cells.memory_limit_bytes).toBe("");
    expect(cells.regression).toBe("");
  });

  test("threshold_exceeded is true/false", () => {
    const [, row] = parseCsv(render(makeReport({ threshold: { bytes: 1, exceeded: true } })));
    expect(row?.[5]).toBe("true");
  });

  test("a command with a comma, a double quote and a newline round-trips", () => {
    const command = `sh -c 'echo "a,b"\necho done'`;
    const text = render(makeReport({ command }));
    const records = parseCsv(text);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(CSV_HEADER.split(","));
    expect(records[1]?.[0]).toBe(command);
    expect(records[1]).toHaveLength(CSV_HEADER.split(",").length);
    expect(records[1]).toHaveLength(37);
  });

  test("quoteField quotes only when needed and doubles quotes", () => {
    expect(quoteField("plain")).toBe("plain");
    expect(quoteField("a,b")).toBe('"a,b"');
    expect(quoteField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteField("two\nlines")).toBe('"two\nlines"');
    expect(quoteField("cr\r")).toBe('"cr\r"');
  });
});
