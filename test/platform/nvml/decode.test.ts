import { describe, expect, test } from "bun:test";
import {
  ACCOUNTING_STATS_SIZE,
  decodeAccountingStats,
  decodeCString,
  decodeMemory,
  decodeMemoryV2,
  decodeProcessInfos,
  MEMORY_SIZE,
  MEMORY_V2_SIZE,
  MEMORY_V2_VERSION,
  PROCESS_INFO_V1_SIZE,
  PROCESS_INFO_V2_SIZE,
} from "../../../src/platform/nvml/decode.ts";
import { array, C, Fixture, layout } from "../c-layout.ts";

// NVML's structs laid out from nvml.h's field lists (in header order, with their C types) by
// the layout calculator, independently of the offsets the decoders hard-code.

const processInfoV1 = layout([
  ["pid", C.u32],
  ["usedGpuMemory", C.u64],
]);
// nvmlProcessInfo_v2_t, and nvmlProcessInfo_t as the _v3 calls take it.
const processInfoV2 = layout([
  ["pid", C.u32],
  ["usedGpuMemory", C.u64],
  ["gpuInstanceId", C.u32],
  ["computeInstanceId", C.u32],
]);
const memory = layout([
  ["total", C.u64],
  ["free", C.u64],
  ["used", C.u64],
]);
const memoryV2 = layout([
  ["version", C.u32],
  ["total", C.u64],
  ["reserved", C.u64],
  ["free", C.u64],
  ["used", C.u64],
]);
const accountingStats = layout([
  ["gpuUtilization", C.u32],
  ["memoryUtilization", C.u32],
  ["maxMemoryUsage", C.u64],
  ["time", C.u64],
  ["startTime", C.u64],
  ["isRunning", C.u32],
  ["reserved", array(C.u32, 5)],
]);

const view = (fixture: Fixture) => new DataView(fixture.bytes.buffer, fixture.bytes.byteOffset, fixture.bytes.byteLength);
const GiB = 1024 ** 3;

describe("NVML's structs", () => {
  test("sizes agree with the headers' layouts", () => {
    expect(PROCESS_INFO_V1_SIZE).toBe(processInfoV1.size);
    expect(PROCESS_INFO_V2_SIZE).toBe(processInfoV2.size);
    expect(MEMORY_SIZE).toBe(memory.size);
    expect(MEMORY_V2_SIZE).toBe(memoryV2.size);
    expect(ACCOUNTING_STATS_SIZE).toBe(accountingStats.size);
    // A versioned struct's first field: its size, and version 2 in the top byte.
    expect(MEMORY_V2_VERSION).toBe(0x0200_0028);
  });

  for (const [name, shape] of [
    ["nvmlProcessInfo_v1_t", processInfoV1],
    ["nvmlProcessInfo_v2_t", processInfoV2],
  ] as const) {
    test(`${name}: every entry's pid and bytes; all ones is "not available"`, () => {
      const count = 3;
      const bytes = new Uint8Array(shape.size * count);
      const entries: [number, number | bigint][] = [
        [4211, 6 * GiB],
        [4212, 0xffff_ffff_ffff_ffffn],
        [77, 80 * GiB + 12345],
      ];
      entries.forEach(([pid, used], i) => {
        const entry = new Fixture(shape, bytes.length, i * shape.size, bytes).u32("pid", pid).u64("usedGpuMemory", used);
        if ("gpuInstanceId" in shape.offsets) entry.u32("gpuInstanceId", 0xffff_ffff).u32("computeInstanceId", 0xffff_ffff);
      });
      const seen: [number, number][] = [];
      decodeProcessInfos(new DataView(bytes.buffer), count, shape.size, (pid, used) => seen.push([pid, used]));
      expect(seen).toEqual([
        [4211, 6 * GiB],
        [4212, -1],
        [77, 80 * GiB + 12345],
      ]);
    });
  }

  test("nvmlMemory_t and nvmlMemory_v2_t", () => {
    const v1 = new Fixture(memory).u64("total", 80 * GiB).u64("free", 74 * GiB).u64("used", 6 * GiB);
    expect(decodeMemory(view(v1))).toEqual({ total: 80 * GiB, free: 74 * GiB, used: 6 * GiB });
    const v2 = new Fixture(memoryV2).u32("version", MEMORY_V2_VERSION).u64("total", 80 * GiB).u64("reserved", 512 * 1024 ** 2).u64("free", 73 * GiB).u64("used", 6 * GiB);
    expect(decodeMemoryV2(view(v2))).toEqual({ total: 80 * GiB, free: 73 * GiB, used: 6 * GiB });
  });

  test("nvmlAccountingStats_t: the process's own peak, when it started, whether it runs", () => {
    const stats = new Fixture(accountingStats)
      .u32("gpuUtilization", 97)
      .u32("memoryUtilization", 40)
      .u64("maxMemoryUsage", 7 * GiB + 3)
      .u64("time", 1500)
      .u64("startTime", 1_796_000_000_123_456)
      .u32("isRunning", 1)
      .noise("reserved", 20);
    expect(decodeAccountingStats(view(stats))).toEqual({ maxMemoryUsage: 7 * GiB + 3, startTimeUs: 1_796_000_000_123_456, running: true });
    expect(decodeAccountingStats(view(stats.u32("isRunning", 0))).running).toBe(false);
  });

  test("a name the driver wrote, up to its NUL, the rest of the buffer ignored", () => {
    const buffer = new Uint8Array(96).fill(0x41);
    buffer.set(Buffer.from("NVIDIA H100 80GB HBM3\0"), 0);
    expect(decodeCString(buffer)).toBe("NVIDIA H100 80GB HBM3");
    expect(decodeCString(new Uint8Array(Buffer.from("no end")))).toBe("no end");
  });
});
