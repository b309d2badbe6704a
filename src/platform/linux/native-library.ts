import { CString, dlopen, FFIType, ptr, type Pointer } from "bun:ffi";
import type { NativeLibrary, NativeThread } from "../native-library.ts";
import { dlopenFirst, libcNames } from "./ffi.ts";

// A vendor's library (NVML) loaded through the system's dynamic loader, by its soname, so
// that ld.so.cache, the system's library path and LD_LIBRARY_PATH find it as they would for
// any client of it. Its functions are looked up one by one (dlsym): a driver that lacks a
// newer version of a call answers null, and the caller falls back to an older one, where
// binding them all at once would refuse the whole library.
//
// A library's start-up call can take a hundred milliseconds or more (NVML's does). Run on
// the runtime's own thread it would stall the sampling of the command's memory that long;
// pthread_create runs it on a thread of its own, and pthread_tryjoin_np asks, without
// waiting, whether it has returned. The call takes no argument and returns an int: a
// thread's start routine takes one pointer and returns one, and on the 64-bit ABIs peak-mem
// runs on the unused argument is ignored and the int comes back in the low half.
//
// These come from libc (glibc 2.34 and later, musl), else from the older glibc's libdl and
// libpthread. Loaded only when a GPU source is wanted.

const RTLD_NOW = 2;
const EBUSY = 16;

const DL = {
  dlopen: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.ptr },
  dlsym: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
  dlerror: { args: [], returns: FFIType.ptr },
} as const;

const THREADS = {
  pthread_create: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  pthread_tryjoin_np: { args: [FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
} as const;

type Dl = ReturnType<typeof dlopen<typeof DL>>["symbols"];
type Threads = ReturnType<typeof dlopen<typeof THREADS>>["symbols"];

let dl: Dl | null | undefined;
let threads: Threads | null | undefined;

const cString = (text: string) => Buffer.from(`${text}\0`);

function lastError(symbols: Dl): string {
  const message = symbols.dlerror();
  return message ? new CString(message).toString() : "unknown error";
}

/** Loads `soname`: the library, or why it could not be (the loader's own message). */
export function loadNativeLibrary(soname: string): NativeLibrary | string {
  dl ??= dlopenFirst([...libcNames(), "libdl.so.2"], DL) ?? null;
  if (!dl) return "the system's dynamic loader could not be reached";
  const symbols = dl;
  const handle = symbols.dlopen(ptr(cString(soname)), RTLD_NOW);
  if (!handle) return lastError(symbols);
  return {
    name: soname,
    symbol: (name) => (symbols.dlsym(handle, ptr(cString(name))) as number | null) || null,
    startThread: (fn) => startThread(fn),
  };
}

function startThread(fn: number): NativeThread | string {
  threads ??= dlopenFirst([...libcNames(), "libpthread.so.0"], THREADS) ?? null;
  if (!threads) return "threads could not be started (no pthread_create)";
  const symbols = threads;
  const id = new BigUint64Array(1);
  const result = new BigUint64Array(1);
  const failed = symbols.pthread_create(ptr(id), null, fn as Pointer, null);
  if (failed !== 0) return `a thread could not be started (error ${failed})`;
  let returned: number | undefined;
  return {
    poll() {
      if (returned !== undefined) return returned;
      const status = symbols.pthread_tryjoin_np(id[0] as bigint, ptr(result));
      if (status === EBUSY) return undefined;
      // The start routine's int, in the low half of the pointer it returned.
      returned = status === 0 ? Number((result[0] as bigint) & 0xffff_ffffn) | 0 : -1;
      return returned;
    },
  };
}
