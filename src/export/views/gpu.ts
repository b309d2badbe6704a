import { typedDiffers } from "../../core/size/format.ts";
import type { GpuDeviceFacts, GpuFacts, Report } from "../../model/report.ts";
import { percentText } from "./memory.ts";
import { readingsJson, sampleNumber, type FactRow, type FactTable, type Show, type View } from "./view.ts";

// GPU memory: the tree's peak on each device and over all of them, with how far it can be
// trusted (exact where the driver's own peaks of each process settle it, else at least what
// a reading saw), each device's name and memory, and --gpu-threshold. Quiet where the tree
// used no GPU memory: the line then shows with -v only, as a machine with a GPU runs many
// commands that never touch it.

/** "process" or "processes". */
const processes = (n: number) => (n === 1 ? "1 process" : `${n} processes`);

/** "GPU 0 (NVIDIA H100 80GB HBM3)". */
const deviceName = (device: GpuDeviceFacts, show: Show) => `GPU ${device.index} (${show.name(device.name)})`;

/** ", 7.5% of 80 GiB", where the device's memory is known. */
function share(bytes: number, device: GpuDeviceFacts, show: Show): string {
  return device.totalBytes ? `, ${percentText((bytes / device.totalBytes) * 100)} of ${show.size(device.totalBytes)}` : "";
}

/** What a figure is, in words, by its source. */
const SOURCE_WORDS: Record<string, string> = {
  nvml: "the driver's figure for each process, summed over the tree at one reading",
  "nvml-accounting": "the driver's own peak of each process (accounting mode)",
  "nvml-device": "the device's whole use, every process's",
  "drm-fdinfo": "the kernel's DRM usage stats of the tree's GPU clients, summed at one reading",
};

/** The devices the tree used (device-wide: whose use rose). */
const usedDevices = (gpu: GpuFacts) => gpu.devices.filter((d) => d.peakBytes > 0);

/** One device's figure: "6.0 GiB peak over 2 processes<where>, 7.5% of 80 GiB", or its rise when device-wide. */
function deviceFigure(device: GpuDeviceFacts, show: Show, where: string): string {
  const figure = device.source.endsWith("-device") ? `rose by ${show.size(device.peakBytes)}` : `${show.size(device.peakBytes)} peak over ${processes(device.processes)}`;
  return `${figure}${where}${share(device.peakBytes, device, show)}`;
}

/** How far the peak can be trusted: empty where exact (said with -v), else its bounds. */
function boundRow(gpu: GpuFacts, show: Show): FactRow[] {
  if (gpu.exact) return [{ label: "GPU peak bound", text: "exact: the driver's own peak of each process settles it", detail: true }];
  const least = `at least ${show.size(gpu.peakBytes)}`;
  if (gpu.upperBytes !== undefined) return [{ label: "GPU peak bound", text: `${least}, at most ${show.size(gpu.upperBytes)} (the driver's own peaks of the tree's processes, summed)`, tone: "warn" }];
  const every = gpu.readings > 1 ? `about every ${Math.round(gpu.effectiveIntervalMs)} ms` : "once";
  const why = gpu.scope === "device" ? "the device's use was read" : "the devices were read";
  return [{ label: "GPU peak bound", text: `${least}: ${why} ${every}, and a burst between readings can go higher (the driver's accounting mode keeps each process's own peak)`, tone: "warn" }];
}

function thresholdRow(gpu: GpuFacts, show: Show): FactRow[] {
  const threshold = gpu.threshold;
  if (!threshold) return [];
  const limit =
    threshold.percent !== undefined
      ? `${threshold.percent}% of each device's memory`
      : threshold.given !== undefined && typedDiffers(threshold.given)
        ? `${threshold.given} (${show.size(threshold.bytes ?? 0)}, ${threshold.bytes} bytes)`
        : `${threshold.given ?? show.size(threshold.bytes ?? 0)} (${threshold.bytes} bytes)`;
  if (!threshold.exceeded) return [{ label: "GPU threshold", text: `the tree's GPU memory on each device is within the GPU threshold of ${limit}`, tone: "good", detail: true }];
  const over = gpu.devices.filter((d) => threshold.devices.includes(d.index)).map((d) => `${show.size(d.peakBytes)} on ${deviceName(d, show)}`);
  return [{ label: "GPU THRESHOLD EXCEEDED", text: `the tree's GPU memory peak of ${over.join(", ")} is over the GPU threshold of ${limit}`, tone: "bad", loud: true }];
}

function rows(gpu: GpuFacts, show: Show): FactRow[] {
  if (gpu.unread !== undefined) return [{ label: "GPU memory", text: `not read: ${gpu.unread}`, tone: "warn", detail: gpu.devices.length === 0 && !gpu.threshold && gpu.unread === "no GPU device was found" }, ...thresholdRow(gpu, show)];
  const used = usedDevices(gpu);
  const cadence: FactRow = {
    label: "GPU readings",
    text: `${gpu.readings}, ${gpu.readings > 1 ? `every ${Math.round(gpu.effectiveIntervalMs)} ms on average, ` : ""}${gpu.meanReadMs.toFixed(2)} ms each, within ${gpu.budgetPercent}% of a core${gpu.setupMs !== undefined ? `; the driver started in ${gpu.setupMs} ms, beside the command` : ""}`,
    detail: true,
  };
  if (used.length === 0) {
    const where = gpu.devices.length === 1 ? deviceName(gpu.devices[0] as GpuDeviceFacts, show) : `${gpu.devices.length} GPUs`;
    return [{ label: "GPU memory", text: `none used by the tree on ${where}`, detail: !gpu.threshold }, cadence, ...thresholdRow(gpu, show)];
  }
  const since = gpu.setupMs ? `; counted from when the driver answered, ${gpu.setupMs} ms after the start` : "";
  const deviceWide = gpu.scope === "device" ? `: device-wide, every process's (${gpu.scopeWhy ?? "the tree's own could not be told"}${since})` : "";
  const tone = gpu.scope === "device" ? ("warn" as const) : undefined;
  const lines: FactRow[] = [];
  if (used.length === 1) {
    const device = used[0] as GpuDeviceFacts;
    lines.push({ label: "GPU memory", text: `${deviceFigure(device, show, ` on ${deviceName(device, show)}`)}${deviceWide}`, ...(tone && { tone }) });
  } else {
    const holders = gpu.processes.length;
    lines.push({
      label: "GPU memory",
      text: `${gpu.scope === "device" ? `rose by ${show.size(gpu.peakBytes)} in total` : `${show.size(gpu.peakBytes)} peak in total over ${processes(holders)}`} on ${used.length} GPUs${deviceWide}`,
      ...(tone && { tone }),
    });
    for (const device of used) lines.push({ label: `GPU ${device.index}`, text: deviceFigure(device, show, ` (${show.name(device.name)})`) });
  }
  lines.push(...boundRow(gpu, show));
  for (const device of used) {
    if (device.usedAtPeakBytes === undefined || device.source.endsWith("-device")) continue;
    lines.push({ label: `GPU ${device.index} in use at the peak`, text: `${show.size(device.usedAtPeakBytes)}${share(device.usedAtPeakBytes, device, show)}, by every process on it`, detail: true });
  }
  lines.push({ label: "GPU figures", text: [...new Set(used.map((d) => SOURCE_WORDS[d.source] ?? d.source))].join("; "), detail: true }, cadence);
  return [...lines, ...thresholdRow(gpu, show)];
}

/** Where the tree's total came from: each used device's source, in device order. */
function totalSource(gpu: GpuFacts): string {
  const sources = [...new Set((usedDevices(gpu).length > 0 ? usedDevices(gpu) : gpu.devices).map((d) => d.source))];
  return sources.join("+");
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** The run's GPU facts where some figure was read; undefined where none was (CSV cells, figures). */
const readGpu = (report: Report): GpuFacts | undefined => (report.gpu?.unread === undefined ? report.gpu : undefined);

export const gpuView: View = {
  group: "gpu",
  sample: [sampleNumber("gpu_bytes", "gpu")],
  rows: (report, show) => (report.gpu ? rows(report.gpu, show) : []),
  tables(report, show): FactTable[] {
    const gpu = report.gpu;
    if (!gpu || gpu.processes.length === 0) return [];
    return [
      {
        title: "GPU memory by process",
        header: ["PID", "Process", "GPU peak", "GPUs"],
        rows: gpu.processes.map((p) => [String(p.pid), { name: p.name }, `${p.exact ? "" : "≥ "}${show.size(p.peakBytes)}`, p.devices.join(", ")]),
        detail: true,
      },
    ];
  },
  json(report) {
    const gpu = report.gpu;
    if (!gpu) return {};
    const read = gpu.unread === undefined;
    return {
      ...(read && { peak_gpu_bytes: gpu.peakBytes }),
      gpu: {
        ...(read && { peak_bytes: gpu.peakBytes, exact: gpu.exact, upper_bytes: gpu.upperBytes ?? null, source: totalSource(gpu) }),
        scope: gpu.scope,
        ...(gpu.scopeWhy !== undefined && { scope_why: gpu.scopeWhy }),
        ...(gpu.atMs !== undefined && { at_ms: gpu.atMs }),
        ...(gpu.unread !== undefined && { unread: gpu.unread }),
        devices: gpu.devices.map((d) => ({
          index: d.index,
          name: d.name,
          ...(d.id !== undefined && { id: d.id }),
          total_bytes: d.totalBytes ?? null,
          peak_bytes: d.peakBytes,
          exact: d.exact,
          upper_bytes: d.upperBytes ?? null,
          percent_of_total: d.totalBytes ? round((d.peakBytes / d.totalBytes) * 100, 2) : null,
          source: d.source,
          used_at_peak_bytes: d.usedAtPeakBytes ?? null,
          processes: d.processes,
        })),
        processes: gpu.processes.map((p) => ({ pid: p.pid, name: p.name, peak_bytes: p.peakBytes, exact: p.exact, devices: p.devices })),
        ...readingsJson(gpu),
        ...(gpu.setupMs !== undefined && { setup_ms: gpu.setupMs }),
        ...(gpu.threshold && {
          threshold: {
            ...(gpu.threshold.bytes !== undefined && { bytes: gpu.threshold.bytes }),
            ...(gpu.threshold.given !== undefined && { given: gpu.threshold.given }),
            ...(gpu.threshold.percent !== undefined && { percent: gpu.threshold.percent }),
            exceeded: gpu.threshold.exceeded,
            devices: gpu.threshold.devices,
          },
        }),
      },
    };
  },
  // Empty where no GPU was read.
  csv: [
    { name: "peak_gpu_bytes", cell: (report) => readGpu(report)?.peakBytes },
    { name: "peak_gpu_exact", cell: (report) => readGpu(report)?.exact },
    { name: "peak_gpu_upper_bytes", cell: (report) => report.gpu?.upperBytes },
    { name: "gpu_source", cell: (report) => (readGpu(report) ? totalSource(report.gpu as GpuFacts) : undefined) },
    { name: "gpu_scope", cell: (report) => readGpu(report)?.scope },
    { name: "gpu_threshold_exceeded", cell: (report) => report.gpu?.threshold?.exceeded },
  ],
  figures: [{ key: "peak_gpu_bytes", label: "Peak GPU memory", unit: "bytes", of: (report) => readGpu(report)?.peakBytes }],
  note: (report) => (report.gpu?.threshold?.exceeded ? "over the GPU threshold" : undefined),
};
