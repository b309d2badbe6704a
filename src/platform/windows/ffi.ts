import { dlopen, FFIType } from "bun:ffi";

// kernel32 through bun:ffi, loaded once, on first use. Since Windows 7 the psapi functions
// are exported by kernel32 itself with a K32 prefix (K32GetProcessMemoryInfo), so one DLL
// is enough. HANDLEs are pointer-sized: passed and returned as i64 (bigint), so that
// INVALID_HANDLE_VALUE is -1n and NULL is 0n. Buffers are filled in place and handed back
// as DataViews for src/platform/windows/decode.ts; a view is valid until the next call.
//
// Every handle opened here is closed here or by the caller's close (try/finally).

export type Handle = bigint;

// winnt.h / processthreadsapi.h / synchapi.h / tlhelp32.h / processenv.h / winbase.h
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000; // Vista+: enough for K32GetProcessMemoryInfo, GetProcessTimes
const PROCESS_QUERY_INFORMATION = 0x0400; // what XP needed instead, with PROCESS_VM_READ
const PROCESS_VM_READ = 0x0010;
const SYNCHRONIZE = 0x0010_0000; // to ask WaitForSingleObject whether it has exited
const WAIT_OBJECT_0 = 0;
const TH32CS_SNAPPROCESS = 0x2;
const INVALID_HANDLE_VALUE = -1n;
const NULL_HANDLE = 0n;
/** STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE: (DWORD)-10, -11, -12. */
const STD_HANDLES = [0xffff_fff6, 0xffff_fff5, 0xffff_fff4] as const;

const PROCESS_MEMORY_COUNTERS_SIZE = 72; // psapi.h, see decode.ts
const PROCESSENTRY32W_SIZE = 568; // tlhelp32.h, see decode.ts
const MEMORYSTATUSEX_SIZE = 64; // sysinfoapi.h, see decode.ts
const JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE = 144; // winnt.h, see decode.ts
const JobObjectExtendedLimitInformation = 9; // JOBOBJECTINFOCLASS, winnt.h

const HANDLE = FFIType.i64;
const BOOL = FFIType.i32;
const DWORD = FFIType.u32;

const SYMBOLS = {
  OpenProcess: { args: [DWORD, BOOL, DWORD], returns: HANDLE },
  CloseHandle: { args: [HANDLE], returns: BOOL },
  WaitForSingleObject: { args: [HANDLE, DWORD], returns: DWORD },
  K32GetProcessMemoryInfo: { args: [HANDLE, FFIType.ptr, DWORD], returns: BOOL },
  GetProcessTimes: { args: [HANDLE, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: BOOL },
  GetSystemTimePreciseAsFileTime: { args: [FFIType.ptr], returns: FFIType.void },
  CreateToolhelp32Snapshot: { args: [DWORD, DWORD], returns: HANDLE },
  Process32FirstW: { args: [HANDLE, FFIType.ptr], returns: BOOL },
  Process32NextW: { args: [HANDLE, FFIType.ptr], returns: BOOL },
  QueryFullProcessImageNameW: { args: [HANDLE, DWORD, FFIType.ptr, FFIType.ptr], returns: BOOL },
  GetExitCodeProcess: { args: [HANDLE, FFIType.ptr], returns: BOOL },
  ExitProcess: { args: [FFIType.u32], returns: FFIType.void },
  GetStdHandle: { args: [DWORD], returns: HANDLE },
  GetConsoleMode: { args: [HANDLE, FFIType.ptr], returns: BOOL },
  GlobalMemoryStatusEx: { args: [FFIType.ptr], returns: BOOL },
  QueryInformationJobObject: { args: [HANDLE, DWORD, FFIType.ptr, DWORD, FFIType.ptr], returns: BOOL },
} as const;

type Kernel32 = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let loaded: Kernel32 | null | undefined;

function kernel32(): Kernel32 | null {
  if (loaded !== undefined) return loaded;
  try {
    loaded = dlopen("kernel32.dll", SYMBOLS).symbols;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** Whether kernel32 could be loaded (always, on Windows). */
export function available(): boolean {
  return kernel32() !== null;
}

const counters = new Uint8Array(PROCESS_MEMORY_COUNTERS_SIZE);
const entry = new Uint8Array(PROCESSENTRY32W_SIZE);
const entryView = new DataView(entry.buffer);
// GetProcessTimes writes all four FILETIMEs: creation, exit, kernel, user.
const times = [0, 1, 2, 3].map(() => new Uint8Array(8)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
const now = new Uint8Array(8);
const mode = new Uint8Array(4);
const exitStatus = new Uint32Array(1);
/** Room for the longest path Windows has (32,767 WCHARs and a NUL). */
const IMAGE_NAME_UNITS = 32_768;
let imageName: Uint8Array | undefined; // 64 KiB: made on first use
const imageNameLength = new Uint32Array(1);

// The rights that work, settled by the first open that succeeds: the limited right on
// Vista and later, the full query right with VM read before.
let rights: number[] = [PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, PROCESS_QUERY_INFORMATION | PROCESS_VM_READ | SYNCHRONIZE];

/**
 * A handle to a process with the least rights that read its memory and times and tell
 * whether it has exited; undefined if it is gone or not ours to open (access denied).
 * While the handle is open, the process object and so its pid cannot be reused.
 */
export function openProcess(pid: number): Handle | undefined {
  const k = kernel32();
  if (!k) return undefined;
  for (const access of rights) {
    const handle = k.OpenProcess(access, 0, pid) as bigint;
    if (handle !== NULL_HANDLE) {
      if (rights.length > 1) rights = [access];
      return handle;
    }
  }
  return undefined;
}

export function closeHandle(handle: Handle): void {
  kernel32()?.CloseHandle(handle);
}

/** Whether the process has exited (its handle is signalled). */
export function hasExited(handle: Handle): boolean {
  const k = kernel32();
  return !k || k.WaitForSingleObject(handle, 0) === WAIT_OBJECT_0;
}

/** PROCESS_MEMORY_COUNTERS of the process, or undefined if the call failed. */
export function memoryCounters(handle: Handle): DataView | undefined {
  const k = kernel32();
  if (!k || !k.K32GetProcessMemoryInfo(handle, counters, PROCESS_MEMORY_COUNTERS_SIZE)) return undefined;
  return new DataView(counters.buffer);
}

/** The FILETIME of the process's creation, or undefined if the call failed. */
export function creationTime(handle: Handle): DataView | undefined {
  const k = kernel32();
  if (!k || !k.GetProcessTimes(handle, times[0], times[1], times[2], times[3])) return undefined;
  return new DataView(times[0].buffer);
}

/**
 * The system time now, as a FILETIME, to the microsecond (Windows 8+). Not the coarse
 * GetSystemTimeAsFileTime, which lags by up to a clock tick (15.6 ms): a process created
 * just before it was read could seem created after.
 */
export function systemTime(): DataView {
  kernel32()?.GetSystemTimePreciseAsFileTime(now);
  return new DataView(now.buffer);
}

/**
 * Walks a new Toolhelp snapshot of every process, calling `visit` with each
 * PROCESSENTRY32W (the same buffer each time). False if no snapshot could be taken.
 */
export function forEachProcess(visit: (entry: DataView) => void): boolean {
  const k = kernel32();
  if (!k) return false;
  const snapshot = k.CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) as bigint;
  if (snapshot === INVALID_HANDLE_VALUE) return false;
  try {
    entryView.setUint32(0, PROCESSENTRY32W_SIZE, true); // dwSize, read by the first call
    for (let more = k.Process32FirstW(snapshot, entry); more; more = k.Process32NextW(snapshot, entry)) visit(entryView);
    return true;
  } finally {
    k.CloseHandle(snapshot);
  }
}

/**
 * The full path of the process's executable, as UTF-16 bytes (no NUL), or undefined if the
 * call failed. Needs only PROCESS_QUERY_LIMITED_INFORMATION.
 */
export function imagePath(handle: Handle): DataView | undefined {
  const k = kernel32();
  if (!k) return undefined;
  imageName ??= new Uint8Array(2 * IMAGE_NAME_UNITS);
  imageNameLength[0] = IMAGE_NAME_UNITS; // in: the buffer's size in WCHARs; out: the length written
  if (!k.QueryFullProcessImageNameW(handle, 0, imageName, imageNameLength)) return undefined;
  return new DataView(imageName.buffer, 0, 2 * Math.min(imageNameLength[0] as number, IMAGE_NAME_UNITS));
}

/**
 * The exit code of an exited process, all 32 bits, as cmd's %ERRORLEVEL% and PowerShell's
 * $LASTEXITCODE show it: signed (an NTSTATUS such as 0xC0000005 is -1073741819). Bun 1.4
 * keeps only the low 8 bits in Subprocess.exitCode. Undefined if the call failed.
 */
export function exitCode(handle: Handle): number | undefined {
  const k = kernel32();
  if (!k || !k.GetExitCodeProcess(handle, exitStatus)) return undefined;
  return (exitStatus[0] as number) | 0;
}

/**
 * Ends peak-mem with all 32 bits of `code` (Bun 1.4's process.exit keeps the low 8).
 * Everything peak-mem writes is written synchronously, so nothing is left to flush.
 */
export function exitProcess(code: number): never {
  kernel32()?.ExitProcess(code >>> 0);
  process.exit(code); // without kernel32: the low 8 bits are better than nothing
}

/**
 * Whether standard handle 0, 1 or 2 is a console (GetConsoleMode succeeds only on one);
 * undefined for other descriptors or without kernel32. A handle from GetStdHandle is not
 * to be closed.
 */
export function isConsole(fd: number): boolean | undefined {
  const k = kernel32();
  const which = STD_HANDLES[fd as 0 | 1 | 2];
  if (!k || which === undefined) return undefined;
  const handle = k.GetStdHandle(which) as bigint;
  if (handle === INVALID_HANDLE_VALUE || handle === NULL_HANDLE) return false;
  return k.GetConsoleMode(handle, mode) !== 0;
}

/**
 * MEMORYSTATUSEX of the system now, or undefined if the call failed. Made per call:
 * it is read once per run.
 */
export function memoryStatus(): DataView | undefined {
  const k = kernel32();
  if (!k) return undefined;
  const status = new Uint8Array(MEMORYSTATUSEX_SIZE);
  const view = new DataView(status.buffer);
  view.setUint32(0, MEMORYSTATUSEX_SIZE, true); // dwLength, or the call fails
  return k.GlobalMemoryStatusEx(status) ? view : undefined;
}

/**
 * JOBOBJECT_EXTENDED_LIMIT_INFORMATION of the job peak-mem runs in (a NULL job handle
 * means the calling process's own job; of nested jobs, the innermost), or undefined when
 * peak-mem is in no job: the call then fails. The command inherits that job. Wine 8
 * answers success with all zeros, in a job or not (it keeps no job limits): no flags set,
 * so no limit.
 */
export function jobLimitInformation(): DataView | undefined {
  const k = kernel32();
  if (!k) return undefined;
  const info = new Uint8Array(JOBOBJECT_EXTENDED_LIMIT_INFORMATION_SIZE);
  const ok = k.QueryInformationJobObject(NULL_HANDLE, JobObjectExtendedLimitInformation, info, info.byteLength, null);
  return ok ? new DataView(info.buffer) : undefined;
}
