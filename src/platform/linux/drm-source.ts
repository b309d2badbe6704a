import type { GpuDevice, GpuSource } from "../types.ts";
import { files } from "../files.ts";
import type { SyncFiles } from "./ffi.ts";
import { drmClientBytes, drmDeviceName, drmDeviceTotalBytes, isPciSlot, readDrmClients, type DrmClient } from "./drm.ts";

// AMD, Intel and every other DRM driver's GPUs, from the kernel's DRM usage stats: at each
// reading, each live process of the tree has its DRM descriptors' stats read, a client shared
// by several descriptors or processes counted once (for the first process found holding it).
// The devices are those sysfs lists (DRM cards and compute accelerators), numbered in that
// order, each known by its PCI slot (or, off PCI, its driver), as the stats name it. NVIDIA's
// own DRM driver is left to NVML, which knows what its processes hold.

/** A device as the stats name it: its PCI slot, else its driver. */
const deviceKey = (pdev: string | undefined, driver: string) => pdev ?? driver;

/** The last part of where a sysfs link points ("amdgpu", "0000:03:00.0"); undefined without one. */
function linkBase(f: SyncFiles, path: string): string | undefined {
  try {
    return f.readlink(path).split("/").pop();
  } catch {
    return undefined;
  }
}

/** The DRM devices sysfs lists, with their PCI slot and driver. */
export function listDrmDevices(f: SyncFiles = files()): { pdev?: string; driver: string }[] {
  const found: { pdev?: string; driver: string }[] = [];
  const keys = new Set<string>();
  for (const [dir, pattern] of [
    ["/sys/class/drm", /^card\d+$/],
    ["/sys/class/accel", /^accel\d+$/],
  ] as const) {
    let names: string[];
    try {
      names = f.list(dir).filter((name) => pattern.test(name));
    } catch {
      continue;
    }
    names.sort((a, b) => Number(a.replace(/\D/g, "")) - Number(b.replace(/\D/g, "")));
    for (const name of names) {
      const driver = linkBase(f, `${dir}/${name}/device/driver`);
      if (!driver || driver.startsWith("nvidia")) continue;
      const slot = linkBase(f, `${dir}/${name}/device`);
      const pdev = slot && isPciSlot(slot) ? slot : undefined;
      const key = deviceKey(pdev, driver);
      if (keys.has(key)) continue;
      keys.add(key);
      found.push({ ...(pdev && { pdev }), driver });
    }
  }
  return found;
}

export function openDrm(f: SyncFiles = files()): GpuSource {
  const devices: GpuDevice[] = [];
  const index = new Map<string, number>();
  for (const device of listDrmDevices(f)) {
    const total = drmDeviceTotalBytes(device.pdev, f);
    index.set(deviceKey(device.pdev, device.driver), devices.length);
    devices.push({
      index: devices.length,
      name: drmDeviceName(device.pdev, device.driver, f),
      ...(device.pdev && { id: device.pdev }),
      ...(total !== undefined && { totalBytes: total }),
      accounting: false,
    });
  }
  const counted = new Set<string>();
  const clients = new Map<string, DrmClient>();
  const perDevice = new Map<number, number>();
  return {
    source: "drm-fdinfo",
    pidsMatch: true, // read through peak-mem's own /proc
    setupMs: 0,
    ready: () => true,
    devices: () => devices,
    read(use, pids) {
      counted.clear();
      for (const pid of pids) {
        clients.clear();
        if (!readDrmClients(pid, clients, f)) continue;
        perDevice.clear();
        for (const [key, client] of clients) {
          if (counted.has(key) || client.driver.startsWith("nvidia")) continue;
          counted.add(key);
          const device = index.get(deviceKey(client.pdev, client.driver));
          if (device === undefined) continue;
          perDevice.set(device, (perDevice.get(device) ?? 0) + drmClientBytes(client));
        }
        for (const [device, bytes] of perDevice) use(device, pid, bytes);
      }
      return devices.length > 0;
    },
    close() {},
  };
}
