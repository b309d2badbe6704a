// Size units: a prefix without "i" is decimal (1K = 1000),
// with "i" binary (1Ki = 1024), as in Kubernetes and the Rust peak-mem.

export type Unit = "B" | "KB" | "MB" | "GB" | "TB" | "KiB" | "MiB" | "GiB" | "TiB";

export const UNIT_FACTORS: Readonly<Record<Unit, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

export const UNIT_NAMES = Object.keys(UNIT_FACTORS) as Unit[];

/** The canonical unit for a user's spelling (`mib`, `MiB`, `gb`), or undefined. */
export function unitNamed(text: string): Unit | undefined {
  const wanted = text.trim().toLowerCase();
  return UNIT_NAMES.find((unit) => unit.toLowerCase() === wanted);
}
