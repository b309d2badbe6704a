import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type DrmClient, drmClientBytes, drmDeviceName, drmDevicePresent, drmDeviceTotalBytes, isDrmDevicePath, parseDrmFdinfo, readDrmClients } from "../../../src/platform/linux/drm.ts";
import type { SyncFiles } from "../../../src/platform/linux/ffi.ts";
import { fakeFiles } from "./fake-files.ts";

// /proc/PID/fdinfo/FD of DRM files, written as each driver prints them (tab after the colon;
// amdgpu's older drm-memory-gtt and -cpu lines with a space before it), with made-up values:
// amdgpu-memory.txt is amdgpu's older form (drm-memory-<region> only), amdgpu-total-resident.txt
// its newer one (the common drm-total-/drm-resident- keys and the older ones beside them),
// i915.txt an integrated Intel GPU, xe.txt a discrete one, panfrost.txt a GPU not on PCI (no
// drm-pdev), with sizes in MiB and one below a KiB, which has no unit. not-drm.txt is a plain file's.
const fixture = (name: string) => readFileSync(join(import.meta.dir, "../../fixtures/drm", name), "latin1");

const KiB = 1024;
const MiB = 1024 * 1024;

describe("parseDrmFdinfo", () => {
  test("amdgpu, older form: drm-memory-<region> is what is resident, in KiB", () => {
    const client = parseDrmFdinfo(fixture("amdgpu-memory.txt"));
    expect(client).toEqual({
      driver: "amdgpu",
      clientId: 57,
      pdev: "0000:03:00.0",
      regions: { vram: { resident: 262144 * KiB }, gtt: { resident: 8236 * KiB }, cpu: { resident: 0 } },
    });
    expect(drmClientBytes(client as DrmClient)).toBe(262144 * KiB + 8236 * KiB);
  });

  test("amdgpu as a user's machine printed it (its values, an integrated GPU's pasid line), and an accelerator's memory region", () => {
    const client = parseDrmFdinfo(fixture("amdgpu-reported.txt"));
    expect(client).toEqual({
      driver: "amdgpu",
      clientId: 217,
      pdev: "0000:08:00.0",
      regions: { vram: { resident: 2068 * KiB }, gtt: { resident: 8192 * KiB }, cpu: { resident: 0 } },
    });
    expect(drmClientBytes(client as DrmClient)).toBe((2068 + 8192) * KiB);
    // amdxdna (an NPU, /dev/accel): one region named "memory", values in bytes, nothing resident said.
    const npu = parseDrmFdinfo(fixture("amdxdna-accel.txt"));
    expect(npu).toEqual({ driver: "amdxdna_accel_driver", clientId: 76, pdev: "0000:c5:00.1", regions: { memory: { total: 0, shared: 0, active: 0 } } });
    expect(drmClientBytes(npu as DrmClient)).toBe(0);
  });

  test("amdgpu, newer form: drm-resident- wins over the older drm-memory- beside it", () => {
    const client = parseDrmFdinfo(fixture("amdgpu-total-resident.txt"));
    expect(client).toEqual({
      driver: "amdgpu",
      clientId: 112,
      pdev: "0000:0c:00.0",
      regions: {
        cpu: { total: 0, shared: 0, active: 0, resident: 0, purgeable: 0 },
        gtt: { total: 18 * MiB, shared: 2 * MiB, active: 0, resident: 18 * MiB, purgeable: 0 },
        // drm-memory-vram says 318212 KiB (the total), drm-resident-vram 301828 KiB.
        vram: { total: 318212 * KiB, shared: 12292 * KiB, active: 160004 * KiB, resident: 301828 * KiB, purgeable: 0 },
      },
    });
    // Resident, not total: 301828 KiB of vram, not 318212.
    expect(drmClientBytes(client as DrmClient)).toBe(18 * MiB + 301828 * KiB);
  });

  test("i915: region names with a dash in them (stolen-system0)", () => {
    const client = parseDrmFdinfo(fixture("i915.txt"));
    expect(client).toEqual({
      driver: "i915",
      clientId: 41,
      pdev: "0000:00:02.0",
      regions: {
        system0: { total: 61364 * KiB, shared: 3076 * KiB, active: 0, resident: 59316 * KiB, purgeable: 2 * MiB },
        "stolen-system0": { total: 0, shared: 0, active: 0, resident: 0, purgeable: 0 },
      },
    });
    expect(drmClientBytes(client as DrmClient)).toBe(59316 * KiB);
  });

  test("xe: drm-total-cycles-<engine> is GPU time, not a region", () => {
    const client = parseDrmFdinfo(fixture("xe.txt"));
    expect(client).toEqual({
      driver: "xe",
      clientId: 9,
      pdev: "0000:03:00.0",
      regions: {
        system: { total: 0, shared: 0, active: 0, resident: 0, purgeable: 0 },
        gtt: { total: 4236 * KiB, shared: 0, active: 0, resident: 4236 * KiB },
        vram0: { total: 733188 * KiB, shared: 32 * MiB, active: 0, resident: 733188 * KiB },
        stolen: { total: 0, shared: 0, active: 0, resident: 0 },
      },
    });
    expect(Object.keys(client?.regions ?? {})).not.toContain("cycles-rcs");
    expect(drmClientBytes(client as DrmClient)).toBe(4236 * KiB + 733188 * KiB);
  });

  test("panfrost: no drm-pdev; MiB, and bytes where there is no unit", () => {
    const client = parseDrmFdinfo(fixture("panfrost.txt"));
    expect(client).toEqual({
      driver: "panfrost",
      clientId: 14,
      regions: { memory: { total: 93 * MiB, shared: 0, active: 644, resident: 71 * MiB, purgeable: 4 * MiB } },
    });
    expect(client && "pdev" in client).toBe(false);
    expect(drmClientBytes(client as DrmClient)).toBe(71 * MiB);
  });

  test("a file that is not a DRM client's is undefined", () => {
    expect(parseDrmFdinfo(fixture("not-drm.txt"))).toBeUndefined();
    expect(parseDrmFdinfo("")).toBeUndefined();
  });

  test("no drm-client-id, or no drm-driver: undefined", () => {
    const text = fixture("i915.txt");
    expect(parseDrmFdinfo(text.replace("drm-client-id:\t41\n", ""))).toBeUndefined();
    expect(parseDrmFdinfo(text.replace("drm-driver:\ti915\n", ""))).toBeUndefined();
    expect(parseDrmFdinfo(text.replace("drm-client-id:\t41\n", "drm-client-id:\tx41\n"))).toBeUndefined();
  });

  test("a value in a unit not known is left out, not guessed", () => {
    const client = parseDrmFdinfo("drm-driver:\tmsm\ndrm-client-id:\t3\ndrm-total-memory:\t5 GiB\ndrm-resident-memory:\t7 kB\ndrm-shared-memory:\t2 KiB\ndrm-active-memory:\tmany\n");
    expect(client?.regions).toEqual({ memory: { shared: 2 * KiB } });
  });

  test("drm-memory- fills in resident whichever line comes first, and only where resident is missing", () => {
    const text = "drm-driver:\tamdgpu\ndrm-client-id:\t5\ndrm-memory-vram:\t100 KiB\ndrm-resident-vram:\t80 KiB\ndrm-total-gtt:\t30 KiB\ndrm-memory-gtt: \t20 KiB\n";
    expect(parseDrmFdinfo(text)?.regions).toEqual({ vram: { resident: 80 * KiB }, gtt: { total: 30 * KiB, resident: 20 * KiB } });
  });

  test("region names that are Object's own keys are regions like any other", () => {
    const client = parseDrmFdinfo("drm-driver:\tx\ndrm-client-id:\t1\ndrm-total-constructor:\t1 KiB\ndrm-total-__proto__:\t2 KiB\ndrm-memory-toString:\t3 KiB\n");
    expect(Object.keys(client?.regions ?? {}).sort()).toEqual(["__proto__", "constructor", "toString"]);
    expect(drmClientBytes(client as DrmClient)).toBe(6 * KiB);
  });
});

describe("drmClientBytes", () => {
  test("a region with no resident figure counts its total", () => {
    const client: DrmClient = { driver: "x", clientId: 1, regions: { vram: { total: 500, resident: 300 }, gtt: { total: 70 }, other: { shared: 9 } } };
    expect(drmClientBytes(client)).toBe(370);
  });

  test("no regions: 0", () => {
    expect(drmClientBytes({ driver: "x", clientId: 1, regions: {} })).toBe(0);
  });
});

describe("isDrmDevicePath", () => {
  test("card, render and accel nodes", () => {
    expect(isDrmDevicePath("/dev/dri/card0")).toBe(true);
    expect(isDrmDevicePath("/dev/dri/card12")).toBe(true);
    expect(isDrmDevicePath("/dev/dri/renderD128")).toBe(true);
    expect(isDrmDevicePath("/dev/accel/accel0")).toBe(true);
  });

  test("anything else", () => {
    for (const link of ["/dev/null", "/dev/dri", "/dev/dri/by-path/pci-0000:03:00.0-render", "/dev/dri/card", "/dev/dri/renderD", "/dev/dri/card0x", "/dev/nvidia0", "/dev/nvidiactl", "/dev/kfd", "/dev/accel/accel", "socket:[12345]", "anon_inode:[eventfd]", "pipe:[99]", "/tmp/dev/dri/card0", "/dev/dri/card0 (deleted)", ""]) {
      expect([link, isDrmDevicePath(link)]).toEqual([link, false]);
    }
  });
});


describe("readDrmClients", () => {
  // Process 100: a terminal, a pipe, the amdgpu render node twice (one client, dup'd), an
  // i915 card node, a socket, a panfrost render node, an fd closed after the listing, and a DRM fd whose
  // fdinfo is gone. Process 101, its child, inherited the amdgpu fd: the same client again.
  const files = () =>
    fakeFiles({
      dirs: {
        "/proc/100/fd": ["0", "1", "5", "6", "7", "8", "9", "10", "11"],
        "/proc/101/fd": ["0", "3"],
        "/proc/102/fd": "EACCES",
      },
      links: {
        "/proc/100/fd/0": "/dev/pts/3",
        "/proc/100/fd/1": "pipe:[88812]",
        "/proc/100/fd/5": "/dev/dri/renderD128",
        "/proc/100/fd/6": "/dev/dri/renderD128",
        "/proc/100/fd/7": "/dev/dri/card1",
        "/proc/100/fd/8": "socket:[90211]",
        "/proc/100/fd/9": "/dev/dri/renderD129",
        // 10: closed after the listing (no link).
        "/proc/100/fd/11": "/dev/dri/renderD130",
        "/proc/101/fd/0": "/dev/null",
        "/proc/101/fd/3": "/dev/dri/renderD128",
      },
      files: {
        "/proc/100/fdinfo/0": fixture("not-drm.txt"),
        "/proc/100/fdinfo/5": fixture("amdgpu-memory.txt"),
        "/proc/100/fdinfo/6": fixture("amdgpu-memory.txt"),
        "/proc/100/fdinfo/7": fixture("i915.txt"),
        "/proc/100/fdinfo/9": fixture("panfrost.txt"),
        // 11: no fdinfo (closed between the readlink and the read).
        "/proc/101/fdinfo/3": fixture("amdgpu-memory.txt"),
      },
    });

  test("each client once, keyed by device and client id, over fds and processes", () => {
    const f = files();
    const seen = new Map<string, DrmClient>();
    expect(readDrmClients(100, seen, f)).toBe(true);
    expect(readDrmClients(101, seen, f)).toBe(true);
    expect([...seen.keys()].sort()).toEqual(["0000:00:02.0:41", "0000:03:00.0:57", "panfrost:14"]);
    expect(seen.get("0000:03:00.0:57")?.driver).toBe("amdgpu");
    expect(seen.get("0000:00:02.0:41")?.driver).toBe("i915");
    const total = [...seen.values()].reduce((sum, client) => sum + drmClientBytes(client), 0);
    expect(total).toBe(262144 * KiB + 8236 * KiB + 59316 * KiB + 71 * MiB);
  });

  test("the same client id on two devices is two clients", () => {
    const f = fakeFiles({
      dirs: { "/proc/7/fd": ["3", "4"] },
      links: { "/proc/7/fd/3": "/dev/dri/renderD128", "/proc/7/fd/4": "/dev/dri/renderD129" },
      files: { "/proc/7/fdinfo/3": fixture("amdgpu-memory.txt"), "/proc/7/fdinfo/4": fixture("amdgpu-memory.txt").replace("0000:03:00.0", "0000:04:00.0") },
    });
    const seen = new Map<string, DrmClient>();
    expect(readDrmClients(7, seen, f)).toBe(true);
    expect([...seen.keys()].sort()).toEqual(["0000:03:00.0:57", "0000:04:00.0:57"]);
  });

  test("only DRM fds have their fdinfo read", () => {
    const f = files();
    readDrmClients(100, new Map(), f);
    expect(f.asked.filter((call) => call.startsWith("read "))).toEqual([
      "read /proc/100/fdinfo/5",
      "read /proc/100/fdinfo/6",
      "read /proc/100/fdinfo/7",
      "read /proc/100/fdinfo/9",
      "read /proc/100/fdinfo/11",
    ]);
  });

  test("a process that is gone, or whose fds are not ours to read: false, nothing added", () => {
    const f = files();
    const seen = new Map<string, DrmClient>();
    expect(readDrmClients(999, seen, f)).toBe(false);
    expect(readDrmClients(102, seen, f)).toBe(false);
    expect(seen.size).toBe(0);
  });

  test("a process with no DRM fds: true, nothing added", () => {
    const f = fakeFiles({ dirs: { "/proc/5/fd": ["0", "1"] }, links: { "/proc/5/fd/0": "/dev/null", "/proc/5/fd/1": "/dev/null" } });
    const seen = new Map<string, DrmClient>();
    expect(readDrmClients(5, seen, f)).toBe(true);
    expect(seen.size).toBe(0);
  });

  test("this process, through the real files(): true, and no throw", () => {
    const seen = new Map<string, DrmClient>();
    expect(readDrmClients(process.pid, seen)).toBe(true);
    expect(readDrmClients(2 ** 22 + 12345, seen)).toBe(false); // above any pid_max: never a process
  });
});

describe("drmDevicePresent", () => {
  test("a card or render node in /dev/dri", () => {
    expect(drmDevicePresent(fakeFiles({ dirs: { "/dev/dri": ["by-path", "card1", "renderD128"] } }))).toBe(true);
    expect(drmDevicePresent(fakeFiles({ dirs: { "/dev/dri": ["renderD128"] } }))).toBe(true);
    expect(drmDevicePresent(fakeFiles({ dirs: { "/dev/dri": ["card0"] } }))).toBe(true);
  });

  test("an accel node", () => {
    expect(drmDevicePresent(fakeFiles({ dirs: { "/dev/accel": ["accel0"] } }))).toBe(true);
    expect(drmDevicePresent(fakeFiles({ dirs: { "/dev/dri": ["by-path"], "/dev/accel": ["accel0"] } }))).toBe(true);
  });

  test("none: no directories, or none of the nodes in them", () => {
    expect(drmDevicePresent(fakeFiles({}))).toBe(false);
    expect(drmDevicePresent(fakeFiles({ dirs: { "/dev/dri": ["by-path", "by-id"], "/dev/accel": [] } }))).toBe(false);
    expect(drmDevicePresent(fakeFiles({ dirs: { "/dev/dri": "EACCES", "/dev/accel": "EACCES" } }))).toBe(false);
  });

  test("on this machine, through the real files(): a boolean, no throw", () => {
    expect(typeof drmDevicePresent()).toBe("boolean");
  });
});

describe("drmDeviceName", () => {
  const sysfs = "/sys/bus/pci/devices/0000:03:00.0";

  test("driver and PCI slot", () => {
    expect(drmDeviceName("0000:03:00.0", "amdgpu", fakeFiles({}))).toBe("amdgpu 0000:03:00.0");
    expect(drmDeviceName("0000:03:00.0", "amdgpu", fakeFiles({ files: { [`${sysfs}/product_name`]: "\n" } }))).toBe("amdgpu 0000:03:00.0");
  });

  test("the board's product name first where the driver has one", () => {
    const f = fakeFiles({ files: { [`${sysfs}/product_name`]: "AMD Instinct MI210\n" } });
    expect(drmDeviceName("0000:03:00.0", "amdgpu", f)).toBe("AMD Instinct MI210 (amdgpu 0000:03:00.0)");
  });

  test("a product name that is not printable text is left out", () => {
    const f = fakeFiles({ files: { [`${sysfs}/product_name`]: "\u00ff\u00ff\u0001\n" } });
    expect(drmDeviceName("0000:03:00.0", "amdgpu", f)).toBe("amdgpu 0000:03:00.0");
  });

  test("no PCI slot: the driver alone", () => {
    expect(drmDeviceName(undefined, "panfrost", fakeFiles({}))).toBe("panfrost");
  });

  test("a slot that is not a PCI slot reads nothing", () => {
    const f = fakeFiles({});
    expect(drmDeviceName("../../../etc", "x", f)).toBe("x ../../../etc");
    expect(f.asked).toEqual([]);
  });
});

describe("drmDeviceTotalBytes", () => {
  const path = "/sys/bus/pci/devices/0000:03:00.0/mem_info_vram_total";

  test("amdgpu's mem_info_vram_total", () => {
    expect(drmDeviceTotalBytes("0000:03:00.0", fakeFiles({ files: { [path]: "17163091968\n" } }))).toBe(17163091968);
  });

  test("undefined without it, without a slot, or when it is not a count", () => {
    expect(drmDeviceTotalBytes("0000:03:00.0", fakeFiles({}))).toBeUndefined();
    expect(drmDeviceTotalBytes(undefined, fakeFiles({ files: { [path]: "17163091968\n" } }))).toBeUndefined();
    expect(drmDeviceTotalBytes("0000:03:00.0", fakeFiles({ files: { [path]: "16 GiB\n" } }))).toBeUndefined();
    expect(drmDeviceTotalBytes("0000:03:00.0", fakeFiles({ files: { [path]: "0\n" } }))).toBeUndefined();
  });

  test("a slot that is not a PCI slot reads nothing", () => {
    const f = fakeFiles({});
    expect(drmDeviceTotalBytes("0000:03:00.0/../../x", f)).toBeUndefined();
    expect(f.asked).toEqual([]);
  });
});
