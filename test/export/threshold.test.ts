// A size the user typed is shown as typed, with its binary form beside it.
import { describe, expect, test } from "bun:test";
import { thresholdText, thresholdView } from "../../src/export/views/threshold.ts";
import { terminalShow } from "../../src/export/human.ts";
import { makeReport } from "./fixture.ts";

const MiB = 2 ** 20;
const show = terminalShow(undefined);

describe("the threshold as typed", () => {
  test("as typed first, then its binary form and bytes; a share keeps its own wording", () => {
    expect(thresholdText(100_000_000, undefined, show.size, "100M")).toBe("100M (95.4 MiB, 100000000 bytes)");
    expect(thresholdText(100_000_000, undefined, show.size)).toBe("95.4 MiB (100000000 bytes)");
    expect(thresholdText(40 * MiB, undefined, show.size, "40MiB")).toBe("40MiB (41943040 bytes)");
    expect(thresholdText(100 * MiB, 50, show.size)).toBe("100.0 MiB (104857600 bytes, 50% of the memory limit)");
  });

  test("the row, and JSON's threshold_given", () => {
    const report = makeReport({ threshold: { bytes: 100_000_000, given: "100M", exceeded: true } });
    expect(thresholdView.rows?.(report, show)[0]?.text).toBe("peak RSS 487.3 MiB is over the threshold of 100M (95.4 MiB, 100000000 bytes)");
    expect(thresholdView.json?.(report, false)).toMatchObject({ threshold_bytes: 100_000_000, threshold_given: "100M" });
  });
});
