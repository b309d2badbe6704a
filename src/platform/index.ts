import { PeakMemError } from "../errors.ts";
import { createLinuxReader } from "./linux/reader.ts";
import type { ProcessReader } from "./types.ts";

/** The reader for the platform peak-mem runs on, chosen once. */
export function platformReader(platform: NodeJS.Platform = process.platform): ProcessReader {
  switch (platform) {
    case "linux":
      return createLinuxReader();
    default:
      throw new PeakMemError(`peak-mem does not support ${platform} yet; supported: linux`, 1);
  }
}
