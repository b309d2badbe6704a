import type { GpuProvider, GpuSource } from "../types.ts";
import { files } from "../files.ts";
import type { NativeLibrary } from "../native-library.ts";
import { drmDevicePresent } from "./drm.ts";
import { inInitPidNamespace } from "./namespace.ts";

// GPU memory on Linux: NVIDIA's through NVML (libnvidia-ml.so.1, found as any client of it
// finds it), every other DRM driver's through the kernel's usage stats. Whether a GPU is
// there at all is told by files alone (the NVIDIA driver's /proc entry or control device, a
// DRM device node), so that a machine without one loads nothing and reads nothing more;
// the code that reads them is loaded only where they are.

const NVML_LIBRARY = "libnvidia-ml.so.1";

export function createLinuxGpu(procRoot = "/proc"): GpuProvider {
  const f = files();
  let nvml: NativeLibrary | string | undefined;
  const loadNvml = () => (nvml ??= (require("./native-library.ts") as typeof import("./native-library.ts")).loadNativeLibrary(NVML_LIBRARY));
  const nvidiaPresent = () => f.exists("/proc/driver/nvidia/version") || f.exists("/dev/nvidiactl");
  const pidsMatch = () => {
    try {
      return inInitPidNamespace(f.readlink(`${procRoot}/self/ns/pid`));
    } catch {
      return inInitPidNamespace(undefined);
    }
  };
  return {
    present: () => nvidiaPresent() || drmDevicePresent(f),
    unusable() {
      const library = loadNvml();
      if (typeof library !== "string" || drmDevicePresent(f)) return undefined;
      return `no GPU memory can be read: the NVIDIA management library could not be loaded (${library}) and there is no DRM device (/dev/dri)`;
    },
    open(forced) {
      const sources: GpuSource[] = [];
      const drm = drmDevicePresent(f);
      const nvidia = nvidiaPresent();
      if (nvidia || forced) {
        const library = loadNvml();
        const nvml = () => require("../nvml/source.ts") as typeof import("../nvml/source.ts");
        if (typeof library !== "string") sources.push(nvml().openNvml(library, pidsMatch()));
        else if (nvidia || !drm) sources.push(nvml().nvmlNotLoaded(library));
      }
      if (drm) sources.push((require("./drm-source.ts") as typeof import("./drm-source.ts")).openDrm(f));
      return sources;
    },
  };
}
