// The structs NVML fills, decoded from their bytes. Layouts are nvml.h's, on the 64-bit ABIs
// peak-mem runs on (each field at the next multiple of its size; u64 on 8):
//
//   nvmlProcessInfo_v1_t   { u32 pid @0; u64 usedGpuMemory @8 }                     16 bytes
//   nvmlProcessInfo_v2_t   { u32 pid @0; u64 usedGpuMemory @8;
//     (and _t, as _v3 calls  u32 gpuInstanceId @16; u32 computeInstanceId @20 }     24 bytes
//      take it)
//   nvmlMemory_t           { u64 total @0; u64 free @8; u64 used @16 }              24 bytes
//   nvmlMemory_v2_t        { u32 version @0; u64 total @8; u64 reserved @16;
//                            u64 free @24; u64 used @32 }                           40 bytes
//   nvmlAccountingStats_t  { u32 gpuUtilization @0; u32 memoryUtilization @4;
//                            u64 maxMemoryUsage @8; u64 time @16; u64 startTime @24;
//                            u32 isRunning @32; u32 reserved[5] @36 }               56 bytes
//
// A versioned struct carries its size and version in its first field, set by the caller:
// sizeof | version << 24.

/** nvmlProcessInfo_v1_t's size; _v2 and _v3 (and _t since) add the two instance ids. */
export const PROCESS_INFO_V1_SIZE = 16;
export const PROCESS_INFO_V2_SIZE = 24;
export const MEMORY_SIZE = 24;
export const MEMORY_V2_SIZE = 40;
/** nvmlMemory_v2: what the caller puts in its version field. */
export const MEMORY_V2_VERSION = MEMORY_V2_SIZE | (2 << 24);
export const ACCOUNTING_STATS_SIZE = 56;

/** usedGpuMemory where the driver does not say (NVML_VALUE_NOT_AVAILABLE: all ones). */
const NOT_AVAILABLE = 0xffff_ffff;

// nvmlReturn_t values peak-mem acts on.
export const NVML_SUCCESS = 0;
export const NVML_ERROR_NOT_SUPPORTED = 3;
export const NVML_ERROR_NOT_FOUND = 6;
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;

/** A u64 as a number: exact below 2^53 bytes (8 PiB), which any memory size is. */
function u64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 0x1_0000_0000;
}

/**
 * The `count` entries of a running-process list of `stride` bytes each (16 or 24), each
 * given to `entry` with its pid and bytes (-1 where the driver does not say how much).
 * Allocates nothing.
 */
export function decodeProcessInfos(view: DataView, count: number, stride: number, entry: (pid: number, bytes: number) => void): void {
  for (let i = 0; i < count; i++) {
    const at = i * stride;
    const pid = view.getUint32(at, true);
    const notAvailable = view.getUint32(at + 8, true) === NOT_AVAILABLE && view.getUint32(at + 12, true) === NOT_AVAILABLE;
    entry(pid, notAvailable ? -1 : u64(view, at + 8));
  }
}

export interface DeviceMemory {
  total: number;
  free: number;
  used: number;
}

/** nvmlMemory_t. */
export function decodeMemory(view: DataView): DeviceMemory {
  return { total: u64(view, 0), free: u64(view, 8), used: u64(view, 16) };
}

/** nvmlMemory_v2_t (its used leaves out the memory the driver reserves for itself). */
export function decodeMemoryV2(view: DataView): DeviceMemory {
  return { total: u64(view, 8), free: u64(view, 24), used: u64(view, 32) };
}

export interface AccountingStats {
  /** The process's largest use of the device over its life, bytes. */
  maxMemoryUsage: number;
  /** When it started, µs since the epoch (as the driver stamps it). */
  startTimeUs: number;
  running: boolean;
}

/** nvmlAccountingStats_t. */
export function decodeAccountingStats(view: DataView): AccountingStats {
  return { maxMemoryUsage: u64(view, 8), startTimeUs: u64(view, 24), running: view.getUint32(32, true) !== 0 };
}

/** A NUL-terminated string the driver wrote into `bytes` (a device's name, its UUID). */
export function decodeCString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, end < 0 ? bytes.length : end).toString("utf8");
}
