// Several commands in one invocation, to compare them: `peak-mem --runs 5 -- a x --- b y`.
// No shell is involved, so the commands are told apart by an argument of their own: `---`.
// An argument that is `---` after one or more backslashes loses one of them, so that a
// command can still be given a literal `---` (type `'\---'`; `'\\---'` gives `\---`).

export const SEPARATOR = "---";
const ESCAPED = /^\\+---$/;

/** The command argv split at each `---`, escapes undone; one element when there is none. */
export function splitCommands(argv: readonly string[]): string[][] {
  const commands: string[][] = [[]];
  for (const arg of argv) {
    if (arg === SEPARATOR) commands.push([]);
    else commands[commands.length - 1]!.push(ESCAPED.test(arg) ? arg.slice(1) : arg);
  }
  return commands;
}
