import { UNIT_FACTORS, type Unit } from "./units.ts";

// Displayed sizes: binary units with IEC labels (487.3 MiB) unless --units forces one.
// The unit is chosen after rounding, so 1048575 bytes reads 1.0 MiB, not 1024.0 KiB.

const AUTO_UNITS: readonly Unit[] = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatSize(value: number, unit?: Unit): string {
  if (unit === "B" || (!unit && value < 1024)) return `${Math.round(value)} B`;
  if (unit) return `${(value / UNIT_FACTORS[unit]).toFixed(1)} ${unit}`;
  let index = 1;
  while (index < AUTO_UNITS.length - 1 && Number((value / 1024 ** index).toFixed(1)) >= 1024) index++;
  return `${(value / 1024 ** index).toFixed(1)} ${AUTO_UNITS[index]}`;
}
