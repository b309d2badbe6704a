import { PeakMemError, UsageError } from "../core/errors.ts";
import { cgroupOption, createPeakCgroup, type PeakCgroup } from "./linux/cgroup.ts";
import { createDarwinReader } from "./darwin/reader.ts";
import { createFreebsdReader } from "./freebsd/reader.ts";
import { createLinuxReader } from "./linux/reader.ts";
import { createWindowsReader } from "./windows/reader.ts";
import type { ProcessReader } from "./types.ts";

/** The reader for the platform peak-mem runs on, chosen once. */
export function platformReader(platform: NodeJS.Platform = process.platform): ProcessReader {
  switch (platform) {
    case "linux":
      return createLinuxReader();
    case "darwin":
      return createDarwinReader();
    case "win32":
      return createWindowsReader();
    case "freebsd": // unreachable until Bun can target FreeBSD; kept ready and tested
      return createFreebsdReader();
    default:
      throw new PeakMemError(`peak-mem does not support ${platform} yet; supported: linux, darwin, win32`, 1);
  }
}

/** A new memory cgroup for --cgroup, where the platform has cgroups. */
export function platformCgroup(limitBytes?: number, platform: NodeJS.Platform = process.platform): PeakCgroup {
  if (platform !== "linux") throw new UsageError(`${cgroupOption(limitBytes)} needs Linux cgroups`);
  return createPeakCgroup(limitBytes);
}

export type { PeakCgroup };
