import { CString, FFIType, linkSymbols, ptr, type Pointer } from "bun:ffi";
import type { GpuDevice, GpuSource } from "../types.ts";
import type { NativeLibrary, NativeThread } from "../native-library.ts";
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
  NVML_ERROR_INSUFFICIENT_SIZE,
  NVML_SUCCESS,
  PROCESS_INFO_V1_SIZE,
  PROCESS_INFO_V2_SIZE,
} from "./decode.ts";

// NVIDIA's GPUs, through the driver's management library (NVML), the same on Linux and
// Windows. Its start-up call (nvmlInit) runs on a thread of its own: it can take a hundred
// milliseconds or more, which the sampling of the command's memory must not wait for. Until
// it returns the source is not ready; then the devices are listed once.
//
// At each reading: every device's running processes, compute and graphics (one process may
// be in both: counted once, by the larger figure), from the newest list call the driver has
// (_v3, _v2, then the first), the buffer grown when the driver says it is too small. What
// the driver gives per process is its allocation on the device, not what a framework's
// caching allocator has handed out of it. Where accounting mode is on, the driver keeps each
// process's own peak, even after it has exited: an exact figure that a burst between two
// readings cannot escape.

const P = FFIType.ptr;
const I32 = FFIType.i32;
const U32 = FFIType.u32;

/** The calls peak-mem makes, newest first where the driver may have several versions. */
const CALLS = {
  nvmlShutdown: { names: ["nvmlShutdown"], args: [], required: true },
  nvmlErrorString: { names: ["nvmlErrorString"], args: [I32], returns: P, required: true },
  count: { names: ["nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"], args: [P], required: true },
  handle: { names: ["nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"], args: [U32, P], required: true },
  name: { names: ["nvmlDeviceGetName"], args: [P, P, U32] },
  uuid: { names: ["nvmlDeviceGetUUID"], args: [P, P, U32] },
  memoryV2: { names: ["nvmlDeviceGetMemoryInfo_v2"], args: [P, P] },
  memory: { names: ["nvmlDeviceGetMemoryInfo"], args: [P, P] },
  accountingMode: { names: ["nvmlDeviceGetAccountingMode"], args: [P, P] },
  accountingStats: { names: ["nvmlDeviceGetAccountingStats"], args: [P, U32, P] },
} as const;

/** The running-process lists, each with its struct's size, newest first. */
const LISTS = {
  compute: [
    ["nvmlDeviceGetComputeRunningProcesses_v3", PROCESS_INFO_V2_SIZE],
    ["nvmlDeviceGetComputeRunningProcesses_v2", PROCESS_INFO_V2_SIZE],
    ["nvmlDeviceGetComputeRunningProcesses", PROCESS_INFO_V1_SIZE],
  ],
  graphics: [
    ["nvmlDeviceGetGraphicsRunningProcesses_v3", PROCESS_INFO_V2_SIZE],
    ["nvmlDeviceGetGraphicsRunningProcesses_v2", PROCESS_INFO_V2_SIZE],
    ["nvmlDeviceGetGraphicsRunningProcesses", PROCESS_INFO_V1_SIZE],
  ],
} as const;

type Call = (...args: (number | null)[]) => number;

/** The first of `names` the library has, bound; undefined where it has none. */
function bindFirst(library: NativeLibrary, names: readonly string[], args: readonly FFIType[], returns: FFIType = I32): Call | undefined {
  for (const name of names) {
    const address = library.symbol(name);
    if (address !== null) return linkSymbols({ f: { ptr: address as Pointer, args: [...args], returns } }).symbols.f as unknown as Call;
  }
  return undefined;
}

interface ProcessList {
  call: Call;
  stride: number;
  /** Entries the buffer holds; grown when the driver asks for more. */
  capacity: number;
  buffer: Uint8Array;
  view: DataView;
}

/** Entries a process list's buffer holds at first. */
const FIRST_CAPACITY = 64;

function processList(library: NativeLibrary, versions: readonly (readonly [string, number])[]): ProcessList | undefined {
  for (const [name, stride] of versions) {
    const call = bindFirst(library, [name], [P, P, P]);
    if (!call) continue;
    const buffer = new Uint8Array(stride * FIRST_CAPACITY);
    return { call, stride, capacity: FIRST_CAPACITY, buffer, view: new DataView(buffer.buffer) };
  }
  return undefined;
}

/** NVML where its library could not be loaded (the loader's message): ready() says why. */
export function nvmlNotLoaded(loaderMessage: string): GpuSource {
  const why = `the NVIDIA management library could not be loaded: ${loaderMessage}`;
  return { source: "nvml", pidsMatch: true, ready: () => why, devices: () => [], read: () => false, close() {} };
}

interface Device extends GpuDevice {
  handle: number;
}

/** NVML from `library` (already loaded), started on a thread of its own now. */
export function openNvml(library: NativeLibrary, pidsMatch: boolean, clock: () => number = () => performance.now()): GpuSource {
  const began = clock();
  let failure: string | undefined;
  let thread: NativeThread | undefined;
  const init = library.symbol("nvmlInit_v2") ?? library.symbol("nvmlInit");
  if (init === null) failure = `${library.name} has no nvmlInit`;
  else {
    const started = library.startThread(init);
    if (typeof started === "string") failure = started;
    else thread = started;
  }
  const calls = {} as Record<keyof typeof CALLS, Call | undefined>;
  for (const [key, spec] of Object.entries(CALLS) as [keyof typeof CALLS, (typeof CALLS)[keyof typeof CALLS]][]) {
    const bound = bindFirst(library, spec.names, spec.args, "returns" in spec ? spec.returns : I32);
    if (!bound && "required" in spec) failure ??= `${library.name} has no ${spec.names[0]}`;
    calls[key] = bound;
  }
  const compute = processList(library, LISTS.compute);
  const graphics = processList(library, LISTS.graphics);
  if (!compute && !graphics) failure ??= `${library.name} has no call listing a device's processes`;

  const devices: Device[] = [];
  let state: true | string | undefined = failure;
  let started = false;
  let setupMs: number | undefined;
  const cell = new Uint32Array(2);
  const handleCell = new BigUint64Array(1);
  const text = new Uint8Array(96);
  const memoryBuffer = new Uint8Array(MEMORY_V2_SIZE);
  const memoryView = new DataView(memoryBuffer.buffer);
  const statsBuffer = new Uint8Array(ACCOUNTING_STATS_SIZE);
  const statsView = new DataView(statsBuffer.buffer);
  // One process's figure per device at a reading: compute and graphics merged.
  const merged = new Map<number, number>();
  const mergeEntry = (pid: number, bytes: number) => {
    const before = merged.get(pid);
    if (before === undefined || bytes > before) merged.set(pid, bytes);
  };

  const errorText = (code: number) => {
    const message = calls.nvmlErrorString?.(code);
    return message ? new CString(message as Pointer).toString() : `error ${code}`;
  };

  const readString = (call: Call | undefined, handle: number): string | undefined => {
    if (!call) return undefined;
    text.fill(0);
    return call(handle, ptr(text), text.length) === NVML_SUCCESS ? decodeCString(text) : undefined;
  };

  const memoryOf = (handle: number) => {
    if (calls.memoryV2) {
      memoryView.setUint32(0, MEMORY_V2_VERSION, true);
      if (calls.memoryV2(handle, ptr(memoryBuffer)) === NVML_SUCCESS) return decodeMemoryV2(memoryView);
    }
    if (calls.memory && calls.memory(handle, ptr(memoryBuffer.subarray(0, MEMORY_SIZE))) === NVML_SUCCESS) return decodeMemory(memoryView);
    return undefined;
  };

  const listDevices = (): true | string => {
    const count = calls.count as Call;
    const code = count(ptr(cell));
    if (code !== NVML_SUCCESS) return `NVML could not count the devices: ${errorText(code)}`;
    const n = cell[0] as number;
    for (let index = 0; index < n; index++) {
      if ((calls.handle as Call)(index, ptr(handleCell)) !== NVML_SUCCESS) continue; // one the driver cannot reach (lost, or not ours)
      const handle = Number(handleCell[0]);
      const accounting = calls.accountingMode !== undefined && calls.accountingMode(handle, ptr(cell)) === NVML_SUCCESS && cell[0] === 1;
      const total = memoryOf(handle)?.total;
      const id = readString(calls.uuid, handle);
      devices.push({ index, handle, name: readString(calls.name, handle) ?? `GPU ${index}`, ...(id && { id }), ...(total !== undefined && { totalBytes: total }), accounting });
    }
    return true;
  };

  const readList = (list: ProcessList, handle: number): boolean => {
    for (let attempt = 0; attempt < 4; attempt++) {
      cell[0] = list.capacity;
      const code = list.call(handle, ptr(cell), ptr(list.buffer));
      if (code === NVML_SUCCESS) {
        decodeProcessInfos(list.view, Math.min(cell[0] as number, list.capacity), list.stride, mergeEntry);
        return true;
      }
      if (code !== NVML_ERROR_INSUFFICIENT_SIZE) return false;
      // More processes than the buffer holds: grow it past what the driver asked for, as more may start meanwhile.
      list.capacity = Math.max((cell[0] as number) + 16, list.capacity * 2);
      list.buffer = new Uint8Array(list.capacity * list.stride);
      list.view = new DataView(list.buffer.buffer);
    }
    return false;
  };

  return {
    source: "nvml",
    pidsMatch,
    get setupMs() {
      return setupMs;
    },
    ready() {
      if (state !== undefined) return state;
      const code = thread?.poll();
      if (code === undefined) return undefined;
      setupMs = clock() - began;
      if (code !== NVML_SUCCESS) return (state = code === -1 ? "NVML's start could not be followed" : `NVML did not start: ${errorText(code)}`);
      started = true;
      state = listDevices();
      return state;
    },
    devices: () => devices,
    read(use) {
      if (state !== true) return false;
      let any = false;
      for (const device of devices) {
        merged.clear();
        const computeRead = compute !== undefined && readList(compute, device.handle);
        const graphicsRead = graphics !== undefined && readList(graphics, device.handle);
        if (!computeRead && !graphicsRead) continue;
        any = true;
        for (const [pid, bytes] of merged) use(device.index, pid, bytes);
      }
      return any;
    },
    deviceUsed(index) {
      const device = devices.find((d) => d.index === index);
      return device && memoryOf(device.handle)?.used;
    },
    processPeak(index, pid, sinceEpochMs) {
      const device = devices.find((d) => d.index === index);
      if (!device?.accounting || !calls.accountingStats) return undefined;
      if (calls.accountingStats(device.handle, pid, ptr(statsBuffer)) !== NVML_SUCCESS) return undefined;
      const stats = decodeAccountingStats(statsView);
      // Pids are reused: the driver's record must be of a process that started during this run.
      if (stats.startTimeUs / 1000 < sinceEpochMs) return undefined;
      return stats.maxMemoryUsage;
    },
    close() {
      if (started) calls.nvmlShutdown?.();
      started = false;
    },
  };
}
