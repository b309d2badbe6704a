import { describe, expect, test } from "bun:test";
import { HEADER, MEMORY_HEADER, quoteField, render } from "../../src/export/csv.ts";
import { parseCsv } from "./csv-reader.ts";
import { makeReport } from "./fixture.ts";

describe("CSV report", () => {
  test("the original header first and unchanged, then the memory columns, then one row", () => {
    const text = render(makeReport());
    expect(HEADER).toBe("command,peak_rss_bytes,peak_vsz_bytes,duration_ms,exit_code,threshold_exceeded,timestamp");
    const lines = text.split("\n");
    expect(lines[0]).toBe(`${HEADER},${MEMORY_HEADER}`);
    expect(lines[0]).toEndWith(",timestamp,memory_limit_bytes,memory_limit_source,peak_rss_percent_of_limit,oom_kills,oom_killed,peak_swap_bytes");
    // The original seven cells first; the memory cells are tested in memory.test.ts.
    expect(lines[1]).toStartWith(`cargo build --release,${Math.round(487.3 * 2 ** 20)},${Math.round(892.1 * 2 ** 20)},14200,0,false,2025-05-24T10:30:45Z,`);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
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
    expect(records[0]).toEqual([...HEADER.split(","), ...MEMORY_HEADER.split(",")]);
    expect(records[1]?.[0]).toBe(command);
    expect(records[1]).toHaveLength(13);
  });

  test("quoteField quotes only when needed and doubles quotes", () => {
    expect(quoteField("plain")).toBe("plain");
    expect(quoteField("a,b")).toBe('"a,b"');
    expect(quoteField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteField("two\nlines")).toBe('"two\nlines"');
    expect(quoteField("cr\r")).toBe('"cr\r"');
  });
});
