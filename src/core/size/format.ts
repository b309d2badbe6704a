import { UNIT_FACTORS, type Unit } from "./units.ts";

// Displayed sizes: binary units with IEC labels (487.3 MiB) unless --units forces one. Every
// figure keeps at least three significant digits (1.05 GiB, not 1.1 GiB; 95.4 MiB), and one
// that is not zero never reads as zero (0.00104 GiB under --units GiB). The unit is chosen
// after rounding, so 1048575 bytes reads 1.00 MiB, not 1024.0 KiB.

const AUTO_UNITS: readonly Unit[] = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatSize(value: number, unit?: Unit): string {
  if (unit === "B" || (!unit && value < 1024)) return `${Math.round(value)} B`;
  if (unit) return `${significant(value / UNIT_FACTORS[unit])} ${unit}`;
  let index = 1;
  while (index < AUTO_UNITS.length - 1 && Number((value / 1024 ** index).toFixed(1)) >= 1024) index++;
  return `${significant(value / 1024 ** index)} ${AUTO_UNITS[index]}`;
}

/** At least three significant digits: one decimal from 10 up, two from 1, and as many as it takes below 1. */
function significant(figure: number): string {
  if (figure === 0) return "0";
  const size = Math.abs(figure);
  if (size >= 9.995) return figure.toFixed(1);
  if (size >= 0.9995) return figure.toFixed(2);
  return figure.toFixed(Math.min(20, 2 - Math.floor(Math.log10(size))));
}

/**
 * Whether a size typed on the command line ("100M", "1GiB", "5000") needs its binary form
 * beside it to be read as the reports read it: a decimal unit (K, M, G, T, with or without B)
 * does; a binary one (KiB…) or plain bytes already say the same as the reports.
 */
export function typedDiffers(given: string): boolean {
  return /[kmgt]b?\s*$/i.test(given.trim());
}

/** A size as the user typed it, its binary form beside it where the two differ: "100M (95.4 MiB)", "1GiB". */
export function asTyped(given: string | undefined, bytes: number, size: (bytes: number) => string): string {
  if (given === undefined) return size(bytes);
  return typedDiffers(given) ? `${given} (${size(bytes)})` : given;
}
