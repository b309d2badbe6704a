import { PeakMemError, UsageError } from "../core/errors.ts";
import type { PeakCgroup } from "./linux/cgroup.ts";
import { WORKAROUNDS_ON } from "../runtime/workarounds.ts";
import { cgroupOption } from "./cgroup-option.ts";
import type { ProcessReader } from "./types.ts";

// The one door to the operating system: everything above this layer reaches a system's code
// through here, chosen once. Each system's code is loaded only on that system, by require()
// in the branch that runs there: the binary for Linux carries the FreeBSD reader, but never
// runs its module (nor binds its libraries).

/** The reader for the platform peak-mem runs on, chosen once. */
export function platformReader(platform: NodeJS.Platform = process.platform): ProcessReader {
  switch (platform) {
    case "linux":
      return (require("./linux/reader.ts") as typeof import("./linux/reader.ts")).createLinuxReader();
    case "darwin":
      return (require("./darwin/reader.ts") as typeof import("./darwin/reader.ts")).createDarwinReader();
    case "win32":
      return (require("./windows/reader.ts") as typeof import("./windows/reader.ts")).createWindowsReader();
    case "freebsd": // unreachable until Bun can target FreeBSD; kept ready and tested
      return (require("./freebsd/reader.ts") as typeof import("./freebsd/reader.ts")).createFreebsdReader();
    default:
      throw new PeakMemError(`peak-mem does not support ${platform} yet; supported: linux, darwin, win32`, 1);
  }
}

/** A new memory cgroup for --cgroup, where the platform has cgroups. */
export function platformCgroup(limitBytes?: number, platform: NodeJS.Platform = process.platform): PeakCgroup {
  if (platform !== "linux") throw new UsageError(`${cgroupOption(limitBytes)} needs Linux cgroups`);
  return (require("./linux/cgroup.ts") as typeof import("./linux/cgroup.ts")).createPeakCgroup(limitBytes);
}

/**
 * First thing at start-up, before anything is opened: under a tight process limit on Linux
 * peak-mem re-executes itself with a runtime that starts no threads later
 * (src/platform/linux/runtime/threads.ts). Returns the environment the command must get
 * then (without the variable that re-execution set), or undefined for peak-mem's own.
 */
export function fitRuntimeToSystem(platform: NodeJS.Platform = process.platform): Record<string, string | undefined> | undefined {
  if (platform !== "linux" || !WORKAROUNDS_ON) return undefined;
  return (require("./linux/runtime/threads.ts") as typeof import("./linux/runtime/threads.ts")).fitRuntimeToProcessLimits();
}

/**
 * Ends peak-mem with `code`. On Windows exit codes are 32-bit (an access violation is
 * 0xC0000005) but the runtime's process.exit keeps 8 bits: ExitProcess passes it whole.
 */
export function exitWith(code: number, platform: NodeJS.Platform = process.platform): never {
  if (platform === "win32" && WORKAROUNDS_ON) (require("./windows/ffi.ts") as typeof import("./windows/ffi.ts")).exitProcess(code);
  process.exit(code);
}

export type { PeakCgroup };
