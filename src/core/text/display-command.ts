// The command as a person would retype it in a POSIX shell: words that need it are
// single-quoted, so `sh -c 'exit 3'` reads back unambiguously.

const SAFE = /^[\w@%+=:,./-]+$/;

export function displayCommand(argv: readonly string[]): string {
  return argv.map(quoteWord).join(" ");
}

function quoteWord(word: string): string {
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
