import { dlopen, FFIType, ptr, type Pointer } from "bun:ffi";
import type { NativeLibrary, NativeThread } from "../native-library.ts";

// A vendor's library (NVML: nvml.dll) loaded through LoadLibrary, its functions looked up one
// by one with GetProcAddress, and its slow start-up call run on a thread of its own
// (CreateThread; WaitForSingleObject with no wait asks whether it has returned, and
// GetExitCodeThread gives its int). A thread's start routine takes one pointer and returns a
// DWORD: on x64 a function of no argument returning an int is called the same way. Bound
// apart from the reader's kernel32 calls, and only when a GPU is looked for.

const WAIT_OBJECT_0 = 0;
const WAIT_TIMEOUT = 0x102;
const HANDLE = FFIType.i64;

const SYMBOLS = {
  LoadLibraryW: { args: [FFIType.ptr], returns: HANDLE },
  GetProcAddress: { args: [HANDLE, FFIType.ptr], returns: FFIType.ptr },
  GetLastError: { args: [], returns: FFIType.u32 },
  CreateThread: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr, FFIType.u32, FFIType.ptr], returns: HANDLE },
  WaitForSingleObject: { args: [HANDLE, FFIType.u32], returns: FFIType.u32 },
  GetExitCodeThread: { args: [HANDLE, FFIType.ptr], returns: FFIType.i32 },
  CloseHandle: { args: [HANDLE], returns: FFIType.i32 },
} as const;

let kernel32: ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"] | null | undefined;

/** Loads `name` (a DLL name or path): the library, or why it could not be (the system's error number). */
export function loadNativeLibrary(name: string): NativeLibrary | string {
  if (kernel32 === undefined) {
    try {
      kernel32 = dlopen("kernel32.dll", SYMBOLS).symbols;
    } catch {
      kernel32 = null;
    }
  }
  if (!kernel32) return "kernel32 could not be loaded";
  const k = kernel32;
  const handle = k.LoadLibraryW(ptr(Buffer.from(`${name}\0`, "utf16le"))) as bigint;
  if (handle === 0n) return `${name} could not be loaded (error ${k.GetLastError()})`;
  return {
    name,
    symbol: (symbol) => (k.GetProcAddress(handle, ptr(Buffer.from(`${symbol}\0`, "latin1"))) as number | null) || null,
    startThread(fn): NativeThread | string {
      const thread = k.CreateThread(null, 0, fn as Pointer, null, 0, null) as bigint;
      if (thread === 0n) return `a thread could not be started (error ${k.GetLastError()})`;
      const code = new Uint32Array(1);
      let returned: number | undefined;
      return {
        poll() {
          if (returned !== undefined) return returned;
          const state = k.WaitForSingleObject(thread, 0);
          if (state === WAIT_TIMEOUT) return undefined;
          returned = state === WAIT_OBJECT_0 && k.GetExitCodeThread(thread, ptr(code)) !== 0 ? (code[0] as number) | 0 : -1;
          k.CloseHandle(thread);
          return returned;
        },
      };
    },
  };
}

