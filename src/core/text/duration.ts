// Durations as every format shows them to a reader (JSON and CSV keep milliseconds).

/** 0.04s, 3.21s, 14.2s, 2m 5.3s, 1h 2m 3s. Rounded before splitting, so 59.96 s is 1m 0.0s. */
export function formatDuration(ms: number): string {
  const hundredths = Math.round(ms / 10);
  if (hundredths < 1000) return `${(hundredths / 100).toFixed(2)}s`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  if (tenths < 36_000) return `${Math.floor(tenths / 600)}m ${((tenths % 600) / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m ${seconds % 60}s`;
}
