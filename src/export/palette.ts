// Colours for the human report. picocolors is loaded only when colour is on: loading it
// reads process.stdout.isTTY, which costs Bun's whole tty stack (about 20 ms and 8 MiB at
// start-up) for a report that is usually piped.

export interface Palette {
  bold(text: string): string;
  cyan(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const same = (text: string) => text;

export const PLAIN: Palette = { bold: same, cyan: same, red: same, yellow: same };

export async function loadPalette(color: boolean): Promise<Palette> {
  if (!color) return PLAIN;
  const { createColors } = await import("picocolors");
  return createColors(true);
}
