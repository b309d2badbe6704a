import { describe, expect, test } from "bun:test";
import { displayCommand } from "../../../src/core/text/display-command.ts";

describe("displayCommand", () => {
  test("plain words stay as they are", () => {
    expect(displayCommand(["cargo", "build", "--release"])).toBe("cargo build --release");
    expect(displayCommand(["make", "-j8", "CC=gcc", "./a/b.c"])).toBe("make -j8 CC=gcc ./a/b.c");
  });

  test("a word with a space is single-quoted", () => {
    expect(displayCommand(["sh", "-c", "exit 3"])).toBe("sh -c 'exit 3'");
  });

  test("a single quote inside a word is escaped the POSIX way", () => {
    expect(displayCommand(["echo", "it's"])).toBe(`echo 'it'\\''s'`);
  });

  test("an empty argument is ''", () => {
    expect(displayCommand(["printf", ""])).toBe("printf ''");
  });

  test("shell metacharacters are quoted", () => {
    for (const word of ["$HOME", "a;b", "a|b", "*", "a\nb", "~", "a&b", "(x)", '"q"']) {
      expect(displayCommand([word])).toBe(`'${word}'`);
    }
  });

  test("quoted output reads back through a real shell", () => {
    const argv = ["it's", "", "a b", '"x"', "$y", "\\z"];
    const child = Bun.spawnSync(["/bin/sh", "-c", `for a in ${displayCommand(argv)}; do printf '%s\\0' "$a"; done`]);
    expect(child.stdout.toString().split("\0").slice(0, -1)).toEqual(argv);
  });
});
