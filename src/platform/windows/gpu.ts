import type { GpuProvider, GpuSource } from "../types.ts";

// GPU memory on Windows: NVIDIA's, through nvml.dll, which the driver installs in System32
// (older drivers beside nvidia-smi, under Program Files). Whether it is there is told by the
// file alone, so a machine without one loads nothing. Windows has no pid namespaces: the
// driver's pids are the tree's. Under the display driver model most consumer GPUs run
// (WDDM), the driver does not say what each process holds: the figures are then the
// device's whole use, and the report says so.

function candidates(): string[] {
  const root = process.env.SystemRoot ?? process.env.windir ?? "C:\\Windows";
  const programs = process.env.ProgramW6432 ?? process.env.ProgramFiles ?? "C:\\Program Files";
  return [`${root}\\System32\\nvml.dll`, `${programs}\\NVIDIA Corporation\\NVSMI\\nvml.dll`];
}

export function createWindowsGpu(): GpuProvider {
  const fs = () => process.getBuiltinModule("node:fs");
  const found = () => candidates().find((path) => fs().existsSync(path));
  let library: ReturnType<typeof import("./native-library.ts").loadNativeLibrary> | undefined;
  const load = () => {
    const { loadNativeLibrary } = require("./native-library.ts") as typeof import("./native-library.ts");
    return (library ??= loadNativeLibrary(found() ?? "nvml.dll"));
  };
  return {
    present: () => found() !== undefined,
    unusable() {
      const loaded = load();
      return typeof loaded === "string" ? `no GPU memory can be read: the NVIDIA management library could not be loaded (${loaded})` : undefined;
    },
    open(): GpuSource[] {
      const loaded = load();
      const nvml = require("../nvml/source.ts") as typeof import("../nvml/source.ts");
      return [typeof loaded === "string" ? nvml.nvmlNotLoaded(loaded) : nvml.openNvml(loaded, true)];
    },
  };
}
