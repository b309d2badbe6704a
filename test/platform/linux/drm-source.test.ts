import { describe, expect, test } from "bun:test";
import { listDrmDevices, openDrm } from "../../../src/platform/linux/drm-source.ts";
import { fakeFiles } from "./fake-files.ts";

// The DRM GPU source over a fake /sys and /proc: its devices from sysfs, each process's clients
// attributed to it, a client shared by two processes counted once, NVIDIA's own DRM left to NVML.

const KiB = 1024;
const fdinfo = (client: number, pdev: string, vramKiB: number, driver = "amdgpu") =>
  `pos:\t0\nflags:\t02100002\ndrm-driver:\t${driver}\ndrm-pdev:\t${pdev}\ndrm-client-id:\t${client}\ndrm-memory-vram:\t${vramKiB} KiB\ndrm-memory-gtt:\t0 KiB\n`;

const machine = () =>
  fakeFiles({
    dirs: {
      "/sys/class/drm": ["card1", "renderD128", "card0", "card0-DP-1", "version", "card2"],
      "/proc/10/fd": ["0", "5", "6"],
      "/proc/11/fd": ["3"],
      "/proc/12/fd": ["4"],
    },
    links: {
      "/sys/class/drm/card0/device": "../../../0000:03:00.0",
      "/sys/class/drm/card0/device/driver": "../../../../bus/pci/drivers/amdgpu",
      "/sys/class/drm/card1/device": "../../../0000:00:02.0",
      "/sys/class/drm/card1/device/driver": "../../../../bus/pci/drivers/i915",
      "/sys/class/drm/card2/device": "../../../0000:41:00.0",
      "/sys/class/drm/card2/device/driver": "../../../../bus/pci/drivers/nvidia",
      "/proc/10/fd/0": "/dev/null",
      "/proc/10/fd/5": "/dev/dri/renderD128",
      "/proc/10/fd/6": "/dev/dri/renderD129",
      "/proc/11/fd/3": "/dev/dri/renderD128",
      "/proc/12/fd/4": "/dev/dri/renderD130",
    },
    files: {
      "/sys/bus/pci/devices/0000:03:00.0/mem_info_vram_total": "17163091968\n",
      "/proc/10/fdinfo/5": fdinfo(7, "0000:03:00.0", 1024),
      "/proc/10/fdinfo/6": fdinfo(3, "0000:00:02.0", 256, "i915"),
      // The same client as 10's fd 5, passed over a socket: counted once, for 10.
      "/proc/11/fdinfo/3": fdinfo(7, "0000:03:00.0", 1024),
      "/proc/12/fdinfo/4": fdinfo(1, "0000:41:00.0", 4096, "nvidia-drm"),
    },
  });

describe("the DRM GPU source", () => {
  test("devices from sysfs in card order, NVIDIA's own left to NVML, named with their memory where the driver says", () => {
    const f = machine();
    expect(listDrmDevices(f)).toEqual([
      { pdev: "0000:03:00.0", driver: "amdgpu" },
      { pdev: "0000:00:02.0", driver: "i915" },
    ]);
    const source = openDrm(f);
    expect(source.ready()).toBe(true);
    expect(source.devices().map((d) => [d.index, d.id, d.totalBytes])).toEqual([
      [0, "0000:03:00.0", 17163091968],
      [1, "0000:00:02.0", undefined],
    ]);
  });

  test("each process's clients on each device; a shared client once", () => {
    const source = openDrm(machine());
    const uses: [number, number, number][] = [];
    expect(source.read((device, pid, bytes) => uses.push([device, pid, bytes]), [10, 11, 12, 99])).toBe(true);
    expect(uses).toEqual([
      [0, 10, 1024 * KiB],
      [1, 10, 256 * KiB],
    ]);
  });
});
