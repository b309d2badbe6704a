import { describe, expect, test } from "bun:test";
import { runTimelinePath } from "../../src/timeline/run-paths.ts";

describe("runTimelinePath", () => {
  test("the run before the extension; the command too when there are several", () => {
    expect(runTimelinePath("mem.json", 3)).toBe("mem.run3.json");
    expect(runTimelinePath("out/mem.jsonl", 1, 2)).toBe("out/mem.cmd2.run1.jsonl");
    expect(runTimelinePath("/tmp/a.b/chart.html", 10)).toBe("/tmp/a.b/chart.run10.html");
  });

  test("no extension, or a hidden name: appended at the end", () => {
    expect(runTimelinePath("mem", 2)).toBe("mem.run2");
    expect(runTimelinePath("dir/.mem", 2)).toBe("dir/.mem.run2");
    expect(runTimelinePath("./x.d/mem", 1)).toBe("./x.d/mem.run1");
  });
});
