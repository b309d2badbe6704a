import { describe, expect, test } from "bun:test";
import { splitCommands } from "../../src/cli/separator.ts";

describe("splitCommands", () => {
  test("one command without a separator", () => {
    expect(splitCommands(["make", "-j8"])).toEqual([["make", "-j8"]]);
  });

  test("--- separates commands; -- and other dashes are arguments", () => {
    expect(splitCommands(["a", "--", "x", "---", "b", "----", "-"])).toEqual([
      ["a", "--", "x"],
      ["b", "----", "-"],
    ]);
  });

  test("a backslash before --- makes it a literal argument, and loses one backslash", () => {
    expect(splitCommands(["echo", "\\---", "\\\\---", "\\x---"])).toEqual([["echo", "---", "\\---", "\\x---"]]);
  });

  test("empty commands are kept, for the configuration to refuse", () => {
    expect(splitCommands(["a", "---"])).toEqual([["a"], []]);
  });
});
