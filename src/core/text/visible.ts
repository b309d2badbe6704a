import { displayCommand } from "./display-command.ts";

// Text from outside (argv, process names, file names) shown on a terminal or a Markdown page.
// Raw, a control character can clear the screen or recolour it, a line break can forge a
// report line, and a bidirectional or zero-width character can make text read as something
// else. Each function here makes such characters visible; JSON and CSV carry text exactly
// and never come here.

/**
 * What must not be shown raw: C0 controls, DEL, C1 controls, the invisible and bidirectional
 * format characters, and (the `u` flag matches a surrogate only when it is unpaired) lone
 * surrogates, which no terminal can show faithfully.
 */
const HIDDEN_CLASS = String.raw`[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]`;
const HIDDEN = new RegExp(HIDDEN_CLASS, "gu");
const HAS_HIDDEN = new RegExp(HIDDEN_CLASS, "u");
/** Inside $'…' a backslash and a single quote need escaping too. */
const HIDDEN_OR_QUOTING = new RegExp(String.raw`[\\']|${HIDDEN_CLASS}`, "gu");

/** Escapes bash's $'…' knows by name. */
const BASH_NAMED: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\E", "\\": "\\\\", "'": "\\'" };

/** Escapes in a one-line message: the three everyone reads, hex for the rest. */
const TEXT_NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

const hex = (char: string, digits: number) => (char.codePointAt(0) ?? 0).toString(16).padStart(digits, "0");

/**
 * The command for a terminal or Markdown: words holding a hidden character in bash's $'…'
 * form, which retypes them exactly; every other word quoted as displayCommand does.
 */
export function terminalCommand(argv: readonly string[]): string {
  return argv.map(terminalWord).join(" ");
}

function terminalWord(word: string): string {
  if (!HAS_HIDDEN.test(word)) return displayCommand([word]);
  const body = word.replace(HIDDEN_OR_QUOTING, (char) => {
    const named = BASH_NAMED[char];
    if (named) return named;
    // Below 0x80 only: bash's \x85 is the lone byte 0x85, while \u0085 is the character U+0085
    // in the locale's encoding (C2 85 in UTF-8), which is what argv held.
    return char < "\x80" ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`;
  });
  return `$'${body}'`;
}

/** A process name as ps(1) shows it: each hidden character becomes `?`. */
export function psName(name: string): string {
  return name.replace(HIDDEN, "?");
}

/**
 * Any one-line message: each hidden character becomes a visible escape (`\n`, `\x1b`,
 * `\u202e`). Text without one comes back unchanged, so applying it twice is harmless.
 */
export function visibleText(text: string): string {
  return text.replace(HIDDEN, (char) => TEXT_NAMED[char] ?? (char < "\u0100" ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`));
}
