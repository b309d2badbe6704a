import { describe, expect, test } from "bun:test";
import { UNIT_FACTORS, UNIT_NAMES, unitNamed } from "../../../src/core/size/units.ts";

describe("unitNamed", () => {
  test("is case-insensitive and returns the canonical spelling", () => {
    expect(unitNamed("mib")).toBe("MiB");
    expect(unitNamed("MIB")).toBe("MiB");
    expect(unitNamed("MiB")).toBe("MiB");
    expect(unitNamed("gb")).toBe("GB");
    expect(unitNamed("kib")).toBe("KiB");
    expect(unitNamed("b")).toBe("B");
  });

  test("unknown names are undefined", () => {
    expect(unitNamed("")).toBeUndefined();
    expect(unitNamed("M")).toBeUndefined();
    expect(unitNamed("megabytes")).toBeUndefined();
    expect(unitNamed("PiB")).toBeUndefined();
  });

  test("every listed name resolves to itself", () => {
    for (const name of UNIT_NAMES) expect(unitNamed(name.toLowerCase())).toBe(name);
  });
});

test("unit factors: no i is decimal, i is binary", () => {
  expect(UNIT_FACTORS.KB).toBe(1000);
  expect(UNIT_FACTORS.GB).toBe(1e9);
  expect(UNIT_FACTORS.KiB).toBe(1024);
  expect(UNIT_FACTORS.GiB).toBe(2 ** 30);
});
