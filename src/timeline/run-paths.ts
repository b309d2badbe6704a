// --timeline FILE in a series: one file per counted run, each a whole timeline that --chart
// reads as it is, named by inserting the run before the extension: mem.json → mem.run1.json,
// mem.run2.json, …; with several commands also the command: mem.cmd2.run1.json. Warm-up runs
// record none. The directory part is kept exactly as typed.

/** `command`: 1-based, given only when there are several commands. */
export function runTimelinePath(path: string, run: number, command?: number): string {
  const slash = path.lastIndexOf("/");
  const [dir, name] = [path.slice(0, slash + 1), path.slice(slash + 1)];
  const dot = name.lastIndexOf(".");
  // A leading dot starts a hidden name, not an extension (as node:path's extname has it).
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  return `${dir}${stem}${command === undefined ? "" : `.cmd${command}`}.run${run}${extension}`;
}
