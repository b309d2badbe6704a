import { describe, expect, test } from "bun:test";
import { displayCommand } from "../../../src/core/text/display-command.ts";
import { psName, terminalCommand, visibleText } from "../../../src/core/text/visible.ts";

/** Every character the module must never let through raw, one of each range's ends and middle. */
const HIDDEN = [
  "\u0000", "\u0001", "\u0007", "\u0008", "\u0009", "\u000a", "\u000b", "\u000c", "\u000d", "\u001b", "\u001f",
  "\u007f", "\u0080", "\u0085", "\u009b", "\u009f",
  "\u061c", "\u200b", "\u200d", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2060", "\u2066", "\u2069", "\ufeff",
  "\ud800", "\udbff", "\udc00", "\udfff",
];
/** Close neighbours that are ordinary text and stay as they are. */
const SHOWN = [" ", "~", "\u00a0", "é", "\u0600", "\u200a", "\u2010", "\u2027", "\u202f", "\u205f", "\u206a", "\ufefe", "\uff01", "😀", "\ud83d\ude00"];

/** Whatever is left raw that a terminal would act on or hide. */
const RAW_HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/u;

describe("terminalCommand", () => {
  test("words without hidden characters are quoted exactly as displayCommand quotes them", () => {
    const argv = ["cargo", "build", "--release", "sh", "-c", "exit 3", "it's", "", "$HOME", "a\\b", "é😀", "\u00a0"];
    expect(terminalCommand(argv)).toBe(displayCommand(argv));
  });

  test("a word with a hidden character is written in bash's $'…' form", () => {
    expect(terminalCommand(["/bin/true", "\x1b[2J\x1b[31mred", "x\ry", "\x07"])).toBe(`/bin/true $'\\E[2J\\E[31mred' $'x\\ry' $'\\a'`);
    expect(terminalCommand(["sh", "-c", "true\nPeak memory usage: 1.00 KiB"])).toBe(`sh -c $'true\\nPeak memory usage: 1.00 KiB'`);
  });

  test("bash's named escapes, \\xHH below 0x80, \\uHHHH above", () => {
    const cases: Array<[string, string]> = [
      ["\x07", "\\a"], ["\b", "\\b"], ["\t", "\\t"], ["\n", "\\n"], ["\v", "\\v"], ["\f", "\\f"], ["\r", "\\r"], ["\x1b", "\\E"],
      ["\x00", "\\x00"], ["\x01", "\\x01"], ["\x1f", "\\x1f"], ["\x7f", "\\x7f"],
      ["\u0085", "\\u0085"], ["\u009b", "\\u009b"], ["\u061c", "\\u061c"], ["\u200b", "\\u200b"], ["\u2028", "\\u2028"],
      ["\u202e", "\\u202e"], ["\u2066", "\\u2066"], ["\ufeff", "\\ufeff"], ["\ud800", "\\ud800"], ["\udfff", "\\udfff"],
    ];
    for (const [char, escape] of cases) expect(terminalCommand([`a${char}b`])).toBe(`$'a${escape}b'`);
  });

  test("inside $'…' a backslash and a single quote are escaped; the rest stays literal", () => {
    expect(terminalCommand(["it's\\\n $x \"q\" é😀"])).toBe(`$'it\\'s\\\\\\n $x "q" é😀'`);
  });

  test("a hex escape is never extended by the digit after it", () => {
    // bash reads at most two digits after \x and four after \u: the escapes always have them all.
    expect(terminalCommand(["\x01" + "23", "\u202e" + "1234"])).toBe(`$'\\x0123' $'\\u202e1234'`);
  });

  test("no hidden character survives, whatever the input", () => {
    for (const char of HIDDEN) expect(terminalCommand([`x${char}y`, char])).not.toMatch(RAW_HIDDEN);
    for (const char of SHOWN) expect(terminalCommand([`x${char}y`])).toContain(char);
  });

  test("bash reads every word back exactly", () => {
    const argv = [
      "/bin/true", "\x1b[2J\x1b[31mred", "x\ry", "\x07", "true\nPeak memory usage: 1.00 KiB",
      "all\x01\x08\t\x0b\x0c\x1f\x7f", "it's \\ $HOME `x` \"q\"", "c1\u0085\u009b", "bidi\u202eevil\u202c\u2066\u2069", "zw\u200b\u200d\ufeff\u2060", "\u2028\u2029", "é😀", "",
    ];
    const script = `for a in ${terminalCommand(argv)}; do printf '%s\\0' "$a"; done`;
    const child = Bun.spawnSync(["bash", "-c", script], { env: { ...process.env, LC_ALL: "C.UTF-8" } });
    expect(child.exitCode).toBe(0);
    expect(child.stdout.toString().split("\0").slice(0, -1)).toEqual(argv);
  });
});

describe("psName", () => {
  test("each hidden character becomes ?, as ps(1) shows it", () => {
    expect(psName("e\x1b[7mX")).toBe("e?[7mX");
    expect(psName("a\nb\r\tc")).toBe("a?b??c");
    expect(psName("\u202eexe.txt")).toBe("?exe.txt");
    expect(psName("lone\ud800")).toBe("lone?");
    for (const char of HIDDEN) expect(psName(`x${char}y`)).toBe("x?y");
  });

  test("exactly the listed ranges are hidden, across every UTF-16 code unit", () => {
    const ranges = [[0x00, 0x1f], [0x7f, 0x9f], [0x61c, 0x61c], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x2069], [0xfeff, 0xfeff], [0xd800, 0xdfff]];
    const hidden = (unit: number) => ranges.some(([low, high]) => unit >= low! && unit <= high!);
    const wrong: number[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const char = String.fromCharCode(unit);
      const ps = psName(char);
      if (ps !== (hidden(unit) ? "?" : char) || (visibleText(char) !== char) !== hidden(unit)) wrong.push(unit);
    }
    expect(wrong.map((unit) => unit.toString(16))).toEqual([]);
  });

  test("ordinary names, spaces and non-ASCII text stay as they are", () => {
    for (const name of ["cargo", "build script", "kworker/0:1", "node é 😀", "(sd-pam)", ...SHOWN]) expect(psName(name)).toBe(name);
  });
});

describe("visibleText", () => {
  test("hidden characters become visible escapes", () => {
    expect(visibleText("a\x1b[2Jb")).toBe("a\\x1b[2Jb");
    expect(visibleText("line\nPeak memory usage: 1 B")).toBe("line\\nPeak memory usage: 1 B");
    expect(visibleText("\t\r\x00\x7f\u0085")).toBe("\\t\\r\\x00\\x7f\\x85");
    expect(visibleText("file\u202etxt.exe\u200b\ufeff\ud800")).toBe("file\\u202etxt.exe\\u200b\\ufeff\\ud800");
  });

  test("text without any comes back unchanged, so it is idempotent", () => {
    for (const text of ["peak-mem: cannot write 'out.json': EACCES", "a\\nb (already escaped)", "é 😀 \u00a0", "", ...SHOWN]) {
      expect(visibleText(text)).toBe(text);
    }
    for (const char of HIDDEN) {
      const once = visibleText(`x${char}y`);
      expect(once).not.toMatch(RAW_HIDDEN);
      expect(visibleText(once)).toBe(once);
    }
  });
});
