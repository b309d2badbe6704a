import type { GpuDeviceFacts, GpuFacts, GpuProcessFacts, GpuThresholdFacts } from "../model/report.ts";
import type { GpuDevice, GpuSource } from "../platform/types.ts";
import { BudgetCadence } from "./cadence.ts";
import type { MonitorEntry, MonitorPlan } from "./monitor.ts";
import type { Member } from "./tree.ts";

// GPU memory of the tree: at each reading, what the driver says each process holds on each
// device, the tree's processes summed per device and over all of them. Its phases:
//
//   start   where no GPU driver or device is present (by a file's existence) and --gpu was
//           not given, nothing more: no library loaded, no reads, ever. Else the sources are
//           opened; NVML starts on a thread of its own, beside the command.
//   sample  asks a source still starting whether it is ready (a cheap call); reads the devices
//           on a cadence of their own, within GPU_BUDGET_PERCENT of a core (src/monitor/cadence.ts):
//           a driver's process lists cost far more than a sample of RSS.
//   finish  where the driver keeps each process's own peak (NVML accounting mode), reads it for
//           every process the tree had, even those gone: a burst between two readings is caught.
//
// A sum read at one reading is a lower bound of the tree's peak: a burst between readings can
// go higher. It is exact where the driver's own peaks show no more was possible (one process
// on the device, or the sum of their peaks reached). Where the driver's pids are not the
// tree's (NVML inside a pid namespace reports the host's), the tree cannot be told from the
// rest: each device's rise in use over the run is reported instead, said to be device-wide.

/** The share of one core the GPU readings may take, percent. */
export const GPU_BUDGET_PERCENT = 2;

interface DeviceState {
  source: GpuSource;
  device: GpuDevice;
  /** Its index in the report: NVML's own, other sources' after them. */
  index: number;
  /** This reading's sum over the tree (or the device's rise, device-wide). */
  now: number;
  peak: number;
  atMs?: number;
  usedAtPeak?: number;
  /** Device-wide: its use at the first reading. */
  usedAtStart?: number;
  /** Device-wide: pids not the tree's, or figures the driver would not give. */
  deviceWide?: string;
  /** The tree's processes seen on it. */
  members: Set<Member>;
}

interface ProcessState {
  member: Member;
  /** Its sum over devices at this reading, and at its largest. */
  now: number;
  peak: number;
  devices: Set<number>;
  /** Its figure on each device at this reading. */
  onDevice: Map<number, number>;
  /** Its largest figure on each device. */
  peakOn: Map<number, number>;
  /** Devices where the driver's own peak of it was read: exact there. */
  exactOn?: Set<number>;
}

/** The tree as the GPU monitor sees it at a reading. */
export interface GpuTree {
  /** The latest process under a pid. */
  byId(pid: number): Member | undefined;
  /** Every process ever seen, for the driver's own peaks at the end. */
  readonly members: readonly Member[];
}

export class GpuMonitor {
  private readonly cadence: BudgetCadence;
  private readonly pending: GpuSource[];
  private readonly failures: string[] = [];
  private readonly devices: DeviceState[] = [];
  /** The sources that are ready, each read once a reading. */
  private readonly ready: GpuSource[] = [];
  private readonly processes = new Map<Member, ProcessState>();
  private total = 0;
  private peak = 0;
  private peakAtMs: number | undefined;
  private setupMs: number | undefined;
  /** The source being read, for the bound callback. */
  private reading: GpuSource | undefined;
  private readonly pids: number[] = [];
  private readonly onUse = (device: number, pid: number, bytes: number) => this.use(device, pid, bytes);
  private tree: GpuTree | undefined;

  constructor(
    sources: readonly GpuSource[],
    intervalMs: number,
    private readonly clock: () => number,
    /** When the command started, ms since the epoch: the driver's records older than that are another process's. */
    private readonly startedAtEpochMs: number,
    budgetPercent = GPU_BUDGET_PERCENT,
  ) {
    this.cadence = new BudgetCadence(intervalMs, budgetPercent);
    this.pending = [...sources];
  }

  /** The tree's GPU memory at the latest reading (undefined before the first). */
  get latest(): number | undefined {
    return this.cadence.readings > 0 ? this.total : undefined;
  }

  sample(tMs: number, tree: GpuTree, live: Iterable<Member>): void {
    if (this.pending.length > 0) this.settle();
    if (this.devices.length === 0 || !this.cadence.due(tMs)) return;
    const started = this.clock();
    this.tree = tree;
    this.pids.length = 0;
    for (const member of live) if (member.alive) this.pids.push(member.pid);
    for (const device of this.devices) device.now = 0;
    for (const process of this.processes.values()) {
      process.now = 0;
      process.onDevice.clear();
    }
    let read = false;
    for (const source of this.ready) {
      this.reading = source;
      if (source.read(this.onUse, this.pids)) read = true;
    }
    this.reading = undefined;
    if (!read) return;
    this.total = 0;
    for (const device of this.devices) {
      if (device.deviceWide) {
        const used = device.source.deviceUsed?.(device.device.index);
        if (used === undefined) continue;
        device.usedAtStart ??= used;
        device.now = Math.max(0, used - device.usedAtStart);
      }
      this.total += device.now;
      if (device.now > device.peak) {
        device.peak = device.now;
        device.atMs = tMs;
        device.usedAtPeak = device.source.deviceUsed?.(device.device.index);
      }
    }
    for (const process of this.processes.values()) {
      if (process.now > process.peak) process.peak = process.now;
      for (const [index, bytes] of process.onDevice) if (bytes > (process.peakOn.get(index) ?? 0)) process.peakOn.set(index, bytes);
    }
    if (this.total > this.peak) {
      this.peak = this.total;
      this.peakAtMs = tMs;
    }
    this.cadence.took(tMs, this.clock() - started);
  }

  /** One process's use of one device at this reading. */
  private use(index: number, pid: number, bytes: number): void {
    const device = this.devices.find((d) => d.source === this.reading && d.device.index === index);
    if (!device || device.deviceWide) return;
    const member = this.tree?.byId(pid);
    if (!member?.alive) return; // another's process, on a device the tree shares
    if (bytes < 0) {
      // The driver will not say what this process holds (no rights to know, or a display
      // driver model that does not keep it): only the device's whole use can stand in.
      device.deviceWide = "the driver does not say how much each process holds";
      return;
    }
    device.now += bytes;
    device.members.add(member);
    const process = this.processOf(member);
    process.now += bytes;
    process.devices.add(device.index);
    process.onDevice.set(device.index, (process.onDevice.get(device.index) ?? 0) + bytes);
  }

  /** A process's state, made the first time it is seen on a device. */
  private processOf(member: Member): ProcessState {
    let process = this.processes.get(member);
    if (!process) {
      process = { member, now: 0, peak: 0, devices: new Set(), onDevice: new Map(), peakOn: new Map() };
      this.processes.set(member, process);
    }
    return process;
  }

  /** Sources still starting: the devices of those now ready join the readings. */
  private settle(): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const source = this.pending[i] as GpuSource;
      const ready = source.ready();
      if (ready === undefined) continue;
      this.pending.splice(i, 1);
      if (source.setupMs !== undefined) this.setupMs = Math.max(this.setupMs ?? 0, source.setupMs);
      if (ready !== true) {
        this.failures.push(ready);
        continue;
      }
      this.ready.push(source);
      const offset = source.source === "nvml" ? 0 : this.devices.reduce((next, d) => Math.max(next, d.index + 1), 0);
      for (const device of source.devices()) {
        this.devices.push({
          source,
          device,
          index: offset + device.index,
          now: 0,
          peak: 0,
          members: new Set(),
          ...(!source.pidsMatch && { deviceWide: "peak-mem runs in a pid namespace, and the driver names processes by the host's pids" }),
        });
      }
      // Device-wide, the rise counts from now: as early as the driver can answer.
      for (const device of this.devices) if (device.source === source && device.deviceWide) device.usedAtStart ??= source.deviceUsed?.(device.device.index);
      this.devices.sort((a, b) => a.index - b.index);
    }
  }

  finish(tree: GpuTree, threshold?: { bytes?: number; percent?: number; given?: string }): GpuFacts {
    if (this.pending.length > 0) this.settle();
    const since = this.startedAtEpochMs - 1000; // the driver's clock and ours may differ a little
    const devices: GpuDeviceFacts[] = [];
    for (const device of this.devices) devices.push(this.deviceFacts(device, tree, since));
    const used = devices.filter((d) => d.peakBytes > 0);
    // Over every device: exact where one device was used and its figure is; else at least the
    // largest sum read, or one device's peak, and at most every device's most at once.
    const lower = Math.max(this.peak, ...used.map((d) => d.peakBytes));
    const uppers = used.map((d) => (d.exact ? d.peakBytes : d.upperBytes));
    const upper = uppers.every((u) => u !== undefined) ? uppers.reduce((sum: number, u) => sum + (u as number), 0) : undefined;
    const exact = (used.length === 1 && (used[0] as GpuDeviceFacts).exact) || (upper !== undefined && used.length > 0 && lower >= upper);
    const deviceWide = this.devices.find((d) => d.deviceWide && d.peak > 0) ?? this.devices.find((d) => d.deviceWide);
    const processes = [...this.processes.values()].map((p) => this.processFacts(p)).sort((a, b) => b.peakBytes - a.peakBytes || a.pid - b.pid);
    const unread =
      this.devices.length === 0
        ? this.failures.length > 0
          ? this.failures.join("; ")
          : this.pending.length > 0
            ? "the command ended before the GPU driver had started"
            : "no GPU device was found"
        : this.cadence.readings === 0
          ? "the command ended before the first reading of the GPUs"
          : undefined;
    return {
      scope: deviceWide ? "device" : "tree",
      ...(deviceWide?.deviceWide && { scopeWhy: deviceWide.deviceWide }),
      peakBytes: lower,
      exact,
      ...(!exact && upper !== undefined && upper > lower && { upperBytes: upper }),
      ...(this.peakAtMs !== undefined && { atMs: Math.round(this.peakAtMs) }),
      devices,
      processes,
      ...this.cadence.facts(),
      ...(this.setupMs !== undefined && { setupMs: Math.round(this.setupMs) }),
      ...(unread && { unread }),
      ...(threshold && { threshold: thresholdFacts(devices, threshold) }),
    };
  }

  private deviceFacts(device: DeviceState, tree: GpuTree, since: number): GpuDeviceFacts {
    const base = {
      index: device.index,
      name: device.device.name,
      ...(device.device.id && { id: device.device.id }),
      ...(device.device.totalBytes !== undefined && { totalBytes: device.device.totalBytes }),
      ...(device.usedAtPeak !== undefined && { usedAtPeakBytes: device.usedAtPeak }),
    };
    if (device.deviceWide) return { ...base, peakBytes: device.peak, exact: false, source: `${device.source.source}-device`, processes: 0 };
    let peak = device.peak;
    let exact = false;
    let upper: number | undefined;
    if (device.device.accounting && device.source.processPeak) {
      // The driver's own peak of every process the tree had, those never read alive included.
      let sum = 0;
      let users = 0;
      for (const member of tree.members) {
        const own = device.source.processPeak(device.device.index, member.pid, since);
        if (!own) continue;
        users++;
        sum += own;
        device.members.add(member);
        peak = Math.max(peak, own);
        const process = this.processOf(member);
        process.devices.add(device.index);
        process.peakOn.set(device.index, Math.max(process.peakOn.get(device.index) ?? 0, own));
        process.exactOn ??= new Set();
        process.exactOn.add(device.index);
      }
      exact = users <= 1 || peak >= sum;
      if (!exact) upper = sum;
    }
    return {
      ...base,
      peakBytes: peak,
      exact,
      ...(upper !== undefined && { upperBytes: upper }),
      source: device.device.accounting && device.source.processPeak ? `${device.source.source}-accounting` : device.source.source,
      processes: device.members.size,
    };
  }

  private processFacts(process: ProcessState): GpuProcessFacts {
    const devices = [...process.devices].sort((a, b) => a - b);
    // On one device its own peak there is its peak; over several, the most read at once, or one device's peak.
    const single = devices.length === 1 ? (process.peakOn.get(devices[0] as number) ?? 0) : 0;
    const largest = Math.max(process.peak, single, ...process.peakOn.values());
    return {
      pid: process.member.pid,
      name: process.member.name,
      peakBytes: largest,
      exact: devices.length === 1 && process.exactOn?.has(devices[0] as number) === true,
      devices,
    };
  }

  close(): void {
    for (const source of [...this.ready, ...this.pending]) source.close();
  }
}

/** --gpu-threshold against each device's peak: a size, or a share of that device's memory. */
export function thresholdFacts(devices: readonly GpuDeviceFacts[], threshold: { bytes?: number; percent?: number; given?: string }): GpuThresholdFacts {
  const over = devices.filter((d) => {
    const limit = threshold.bytes ?? (threshold.percent !== undefined && d.totalBytes !== undefined ? Math.floor((d.totalBytes * threshold.percent) / 100) : undefined);
    return limit !== undefined && d.peakBytes > limit;
  });
  return {
    ...(threshold.bytes !== undefined && { bytes: threshold.bytes }),
    ...(threshold.given !== undefined && { given: threshold.given }),
    ...(threshold.percent !== undefined && { percent: threshold.percent }),
    exceeded: over.length > 0,
    devices: over.map((d) => d.index),
  };
}

/** Whether a plan asks for GPU memory: --gpu or --gpu-threshold force it, --no-gpu stops it. */
export function gpuWanted(plan: MonitorPlan): "on" | "auto" | "off" {
  if (plan.gpu === "off") return "off";
  return plan.gpu === "on" || plan.gpuThresholdBytes !== undefined || plan.gpuThresholdPercent !== undefined ? "on" : "auto";
}

export const gpuMonitor: MonitorEntry = {
  key: "gpu",
  option: "--gpu",
  enabled(plan, reader) {
    const wanted = gpuWanted(plan);
    if (wanted === "off") return false;
    // Asked without loading the provider: a run that reads no GPU loads none of its code.
    if (wanted === "auto") return "gpu" in reader;
    if (!reader.gpu) return "peak-mem reads no GPU memory here";
    return reader.gpu.unusable() ?? true;
  },
  create(context) {
    const { plan, sampler, clock } = context;
    let monitor: GpuMonitor | undefined;
    const threshold =
      plan.gpuThresholdBytes !== undefined || plan.gpuThresholdPercent !== undefined
        ? {
            ...(plan.gpuThresholdBytes !== undefined && { bytes: plan.gpuThresholdBytes }),
            ...(plan.gpuThresholdPercent !== undefined && { percent: plan.gpuThresholdPercent }),
            ...(plan.gpuThresholdText !== undefined && { given: plan.gpuThresholdText }),
          }
        : undefined;
    return {
      name: "reading GPU memory",
      start() {
        const forced = gpuWanted(plan) === "on";
        // The provider's code loads here, after the spawn. Nothing at all where there is no
        // GPU: a file's existence is the whole cost.
        const provider = context.reader.gpu;
        if (!provider || (!forced && !provider.present())) return;
        monitor = new GpuMonitor(provider.open(forced), plan.intervalMs, clock, Date.now() - clock());
      },
      sample(tMs) {
        monitor?.sample(tMs, sampler.tree, sampler.tree.latest);
      },
      record(sample) {
        const latest = monitor?.latest;
        if (latest !== undefined) sample.gpu = latest;
      },
      finish() {
        if (!monitor) return undefined;
        try {
          return { gpu: monitor.finish(sampler.tree, threshold) };
        } finally {
          monitor.close();
        }
      },
    };
  },
};
