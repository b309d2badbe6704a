// GPU memory of AMD, Intel and other DRM drivers' clients, per process, from the kernel's DRM
// usage stats: the lines a DRM driver adds to /proc/PID/fdinfo/FD for each open DRM file
// (a /dev/dri card or render node, or a /dev/accel node). One open of a node is one client; the
// memory it holds is the buffers allocated through it, by region (vram, gtt, system0, ...).
import { files } from "../files.ts";
import type { SyncFiles } from "./ffi.ts";

/** One memory region of a client, in bytes; a figure the driver does not give is absent. */
export interface DrmRegion {
  total?: number;
  shared?: number;
  resident?: number;
  purgeable?: number;
  active?: number;
}

/** One DRM client (one open DRM file) as its fdinfo describes it. */
export interface DrmClient {
  driver: string;
  clientId: number;
  /** The PCI slot of the device; absent for devices not on PCI. */
  pdev?: string;
  regions: Record<string, DrmRegion>;
}

const KIB = 1024;
const MIB = 1024 * 1024;

/** A memory value: digits, then optionally " KiB" or " MiB"; undefined for anything else. */
function parseSize(value: string): number | undefined {
  const space = value.indexOf(" ");
  const digits = space < 0 ? value : value.slice(0, space);
  if (!/^\d+$/.test(digits)) return undefined;
  const n = Number(digits);
  if (space < 0) return n;
  const unit = value.slice(space + 1).trim();
  if (unit === "KiB") return n * KIB;
  if (unit === "MiB") return n * MIB;
  return undefined; // a unit we do not know: guessing could be off by a factor of 1024
}

/** Adds `stat` of `region` to `regions`, making the region on first sight. */
function setStat(regions: Record<string, DrmRegion>, region: string, stat: keyof DrmRegion, bytes: number): void {
  // A null prototype: a region name is the driver's text, and must not reach Object's own keys.
  const entry = (regions[region] ??= Object.create(null) as DrmRegion);
  entry[stat] = bytes;
}

/**
 * One DRM file's fdinfo; undefined when it is not a DRM client's (no drm-driver or no
 * drm-client-id line). Memory keys are `drm-<stat>-<region>` with stat one of total, shared,
 * resident, purgeable, active; amdgpu's older `drm-memory-<region>` means resident and is
 * used only where the same region has no drm-resident- line (newer amdgpu prints both).
 */
export function parseDrmFdinfo(text: string): DrmClient | undefined {
  let driver: string | undefined;
  let clientId: number | undefined;
  let pdev: string | undefined;
  const regions = Object.create(null) as Record<string, DrmRegion>;
  let legacy: Record<string, number> | undefined;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (!line.startsWith("drm-")) continue; // pos:, flags:, pasid:, amd-*, and the like
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(4, colon);
    // The value follows a tab; amdgpu puts a space before the tab on some of its lines.
    const value = line.slice(colon + 1).trim();
    if (key === "driver") driver = value;
    else if (key === "client-id") clientId = /^\d+$/.test(value) ? Number(value) : undefined;
    else if (key === "pdev") pdev = value;
    else {
      const dash = key.indexOf("-");
      if (dash < 0) continue;
      const stat = key.slice(0, dash);
      const region = key.slice(dash + 1);
      if (region === "") continue;
      if (stat === "memory") {
        const bytes = parseSize(value);
        if (bytes !== undefined) (legacy ??= Object.create(null) as Record<string, number>)[region] = bytes;
        continue;
      }
      if (stat !== "total" && stat !== "shared" && stat !== "resident" && stat !== "purgeable" && stat !== "active") continue;
      // drm-total-cycles-<engine> is GPU time, not memory, though it reads as a "cycles-..." region.
      if (stat === "total" && region.startsWith("cycles-")) continue;
      const bytes = parseSize(value);
      if (bytes !== undefined) setStat(regions, region, stat, bytes);
    }
  }
  if (driver === undefined || driver === "" || clientId === undefined) return undefined;
  if (legacy) {
    for (const region in legacy) {
      if (regions[region]?.resident === undefined) setStat(regions, region, "resident", legacy[region] as number);
    }
  }
  const client: DrmClient = { driver, clientId, regions };
  if (pdev !== undefined && pdev !== "") client.pdev = pdev;
  return client;
}

/**
 * The GPU memory peak-mem reports for a client: over its regions, what is resident (or, where
 * the driver gives no resident figure, the total). Resident is what the client really holds
 * now; the total also counts buffers it has allocated but that have no backing yet or were
 * evicted. On a discrete GPU this is mostly its own memory (vram) plus the system memory the
 * GPU maps (gtt). On an integrated GPU it is system memory that the GPU uses for the process:
 * memory a process's RSS does not count unless the process also maps those buffers.
 * A buffer shared between clients is counted in each of them.
 */
export function drmClientBytes(client: DrmClient): number {
  let bytes = 0;
  for (const region in client.regions) {
    const entry = client.regions[region] as DrmRegion;
    bytes += entry.resident ?? entry.total ?? 0;
  }
  return bytes;
}

const DRM_NODE = /^\/dev\/dri\/(?:card|renderD)\d+$/;
const ACCEL_NODE = /^\/dev\/accel\/accel\d+$/;

/** Whether a readlink of /proc/PID/fd/N names a DRM device node (card, render or accel). */
export function isDrmDevicePath(link: string): boolean {
  return DRM_NODE.test(link) || ACCEL_NODE.test(link);
}

/** Whether `dir` lists a name `pattern` matches; false when it cannot be listed. */
function lists(f: SyncFiles, dir: string, pattern: RegExp): boolean {
  try {
    return f.list(dir).some((name) => pattern.test(name));
  } catch {
    return false;
  }
}

/**
 * Whether this machine has a DRM device node: without one, no process can be a DRM client,
 * and the per-process scan can be skipped. One directory listing each for /dev/dri and
 * /dev/accel; never throws.
 */
export function drmDevicePresent(f: SyncFiles = files()): boolean {
  return lists(f, "/dev/dri", /^(?:card|renderD)\d+$/) || lists(f, "/dev/accel", /^accel\d+$/);
}

/**
 * Adds the DRM clients process `pid` has open to `seen`, keyed by device and client id: fds
 * that share one open file (dup'd, inherited, passed over a socket) show the same client, and
 * it is counted once however many fds or processes hold it. A later reading of a client
 * replaces an earlier one. False when the process's fds cannot be listed (it has exited, or
 * is not ours to look into), else true; never throws.
 */
export function readDrmClients(pid: number, seen: Map<string, DrmClient>, f: SyncFiles = files()): boolean {
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = f.list(dir);
  } catch {
    return false;
  }
  for (const fd of fds) {
    let link: string;
    try {
      link = f.readlink(`${dir}/${fd}`);
    } catch {
      continue; // closed since the listing
    }
    if (!isDrmDevicePath(link)) continue;
    const file = f.tryReadAll(`/proc/${pid}/fdinfo/${fd}`);
    if (!file) continue;
    // The buffer is shared and reused by the next read: decode it now.
    const client = parseDrmFdinfo(file.buffer.toString("latin1", 0, file.length));
    if (client) seen.set(`${client.pdev ?? client.driver}:${client.clientId}`, client);
  }
  return true;
}

// A PCI slot as drm-pdev writes it (domain:bus:device.function): checked before it becomes
// part of a path, so text that is not one can name no other file.
const PCI_SLOT = /^[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;

/** Whether `text` is a PCI slot (domain:bus:device.function), as drm-pdev and sysfs name one. */
export function isPciSlot(text: string): boolean {
  return PCI_SLOT.test(text);
}

/** A one-line text file's contents, trimmed; undefined when it cannot be read. */
function readLine(f: SyncFiles, path: string): string | undefined {
  const file = f.tryReadAll(path);
  return file ? file.buffer.toString("latin1", 0, file.length).trim() : undefined;
}

/**
 * A device's name for the report: "amdgpu 0000:03:00.0", or the driver alone for a device not
 * on PCI. Where amdgpu knows the board's product name (some boards store it, many leave it
 * empty), it leads: "AMD Instinct MI210 (amdgpu 0000:03:00.0)".
 */
export function drmDeviceName(pdev: string | undefined, driver: string, f: SyncFiles = files()): string {
  if (pdev === undefined || pdev === "") return driver;
  const name = `${driver} ${pdev}`;
  if (!PCI_SLOT.test(pdev)) return name;
  const product = readLine(f, `/sys/bus/pci/devices/${pdev}/product_name`);
  // Only printable text: an unprogrammed board can hand back bytes of noise.
  return product && /^[\x20-\x7e]+$/.test(product) ? `${product} (${name})` : name;
}

/**
 * The size of a device's own memory in bytes, where its driver says (amdgpu's
 * mem_info_vram_total); undefined elsewhere, and for a device with none.
 */
export function drmDeviceTotalBytes(pdev: string | undefined, f: SyncFiles = files()): number | undefined {
  if (pdev === undefined || !PCI_SLOT.test(pdev)) return undefined;
  const text = readLine(f, `/sys/bus/pci/devices/${pdev}/mem_info_vram_total`);
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const bytes = Number(text);
  return bytes > 0 ? bytes : undefined;
}
