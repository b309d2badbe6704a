import { describe, expect, test } from "bun:test";
import { parseSize } from "../../../src/core/size/parse.ts";

const KiB = 1024;
const GiB = 2 ** 30;

describe("parseSize accepts", () => {
  const cases: [string, number][] = [
    ["2048", 2048],
    ["1", 1],
    ["512K", 512_000],
    ["512k", 512_000],
    ["512M", 512_000_000],
    ["512m", 512_000_000],
    ["1G", 1e9],
    ["1g", 1e9],
    ["1.5G", 1.5e9],
    ["1GB", 1e9],
    ["1gb", 1e9],
    ["1Gb", 1e9],
    ["1 g", 1e9],
    ["  1G  ", 1e9],
    ["1T", 1e12],
    ["600000K", 600_000_000],
    ["1GiB", GiB],
    ["1gib", GiB],
    ["1GIB", GiB],
    ["1.5GiB", 1.5 * GiB],
    ["1KiB", KiB],
    ["1Ki", KiB],
    ["1ki", KiB],
    ["600000Ki", 600_000 * KiB],
    ["2MiB", 2 * 2 ** 20],
    ["1TiB", 2 ** 40],
  ];
  for (const [input, bytes] of cases) {
    test(JSON.stringify(input), () => {
      expect(parseSize(input)).toEqual({ ok: true, bytes });
    });
  }

  test("fractional results are rounded to whole bytes", () => {
    for (const input of ["1.0001K", "1.1KiB", "0.5K", "1.7"]) {
      const result = parseSize(input);
      expect(result.ok).toBe(true);
      if (result.ok) expect(Number.isInteger(result.bytes)).toBe(true);
    }
  });
});

describe("parseSize rejects", () => {
  const bad = [
    "",
    "   ",
    "0",
    "0K",
    "0.1",
    "-1",
    "-5M",
    "abc",
    "1X",
    "1iB",
    "1.5.5",
    "1e3",
    "0x10",
    "Infinity",
    "NaN",
    "G",
    "99999999P",
    "9007199254740993",
  ];
  for (const input of bad) {
    test(JSON.stringify(input), () => {
      const result = parseSize(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason.trim()).not.toBe("");
    });
  }
});
