// A shared library loaded at run time through the system's loader (dlopen, LoadLibrary),
// with its functions looked up one by one, and a way to run one of them on a thread of its
// own. Used for vendors' libraries that may or may not be installed (NVML).

export interface NativeLibrary {
  /** The name it was loaded by. */
  readonly name: string;
  /** The address of function `name`, or null where this version of the library lacks it. */
  symbol(name: string): number | null;
  /**
   * Calls `fn` (a C function that takes no argument and returns an int) on a thread of its
   * own, so that a slow call does not hold up the caller; or why no thread could start.
   */
  startThread(fn: number): NativeThread | string;
}

export interface NativeThread {
  /** Undefined while the call runs; its int once it has returned (-1 where that was lost). Cheap: no wait. */
  poll(): number | undefined;
}
