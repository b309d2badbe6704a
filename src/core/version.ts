// Replaced at build time by scripts/build.ts (Bun's `define`); "dev" when run from source.
declare const PEAK_MEM_VERSION: string | undefined;

export const VERSION: string = typeof PEAK_MEM_VERSION === "string" ? PEAK_MEM_VERSION : "dev";
