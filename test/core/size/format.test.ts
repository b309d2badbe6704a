import { describe, expect, test } from "bun:test";
import { formatSize } from "../../../src/core/size/format.ts";

const KiB = 1024;
const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe("formatSize with automatic units (binary, IEC labels)", () => {
  test("bytes below 1 KiB", () => {
    expect(formatSize(0)).toBe("0 B");
    expect(formatSize(1)).toBe("1 B");
    expect(formatSize(1023)).toBe("1023 B");
  });

  test("KiB, MiB, GiB, TiB", () => {
    expect(formatSize(KiB)).toBe("1.00 KiB");
    expect(formatSize(1536)).toBe("1.50 KiB");
    expect(formatSize(Math.round(487.3 * MiB))).toBe("487.3 MiB");
    expect(formatSize(MiB)).toBe("1.00 MiB");
    expect(formatSize(2.5 * GiB)).toBe("2.50 GiB");
    expect(formatSize(3 * 2 ** 40)).toBe("3.00 TiB");
  });

  test("never a decimal label such as MB", () => {
    expect(formatSize(5 * MiB)).not.toMatch(/\b[KMGT]B\b/);
  });
});

describe("formatSize with a forced unit", () => {
  test("decimal units divide by powers of 1000", () => {
    expect(formatSize(1_500_000, "MB")).toBe("1.50 MB");
    expect(formatSize(2e9, "GB")).toBe("2.00 GB");
    expect(formatSize(1000, "KB")).toBe("1.00 KB");
  });

  test("binary units divide by powers of 1024", () => {
    expect(formatSize(2048, "KiB")).toBe("2.00 KiB");
    expect(formatSize(3 * MiB, "MiB")).toBe("3.00 MiB");
    expect(formatSize(GiB, "MiB")).toBe("1024.0 MiB");
  });

  test("B shows all the digits", () => {
    expect(formatSize(123_456_789, "B")).toBe("123456789 B");
    expect(formatSize(0, "B")).toBe("0 B");
  });
});

describe("formatSize keeps three significant digits", () => {
  test("one decimal from 10 up, two from 1, more below 1; never a zero for what is not zero", () => {
    expect(formatSize(1077 * MiB)).toBe("1.05 GiB");
    expect(formatSize(Math.round(95.37 * MiB))).toBe("95.4 MiB");
    expect(formatSize(Math.round(9.996 * MiB))).toBe("10.0 MiB");
    expect(formatSize(1_003_520, "GiB")).toBe("0.000935 GiB");
    expect(formatSize(512 * MiB, "GiB")).toBe("0.500 GiB");
    expect(formatSize(1, "TiB")).not.toMatch(/^0(\.0+)? /);
    expect(formatSize(0, "GiB")).toBe("0 GiB");
  });
});

describe("a size as typed", () => {
  test("a decimal unit gets its binary form beside it; a binary unit or plain bytes says the same already", async () => {
    const { asTyped, typedDiffers } = await import("../../../src/core/size/format.ts");
    expect(typedDiffers("100M")).toBe(true);
    expect(typedDiffers("1.5GB")).toBe(true);
    expect(typedDiffers("1GiB")).toBe(false);
    expect(typedDiffers("5000")).toBe(false);
    expect(asTyped("100M", 100_000_000, formatSize)).toBe("100M (95.4 MiB)");
    expect(asTyped("1GiB", GiB, formatSize)).toBe("1GiB");
    expect(asTyped(undefined, GiB, formatSize)).toBe("1.00 GiB");
  });
});
