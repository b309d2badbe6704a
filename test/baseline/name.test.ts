import { describe, expect, test } from "bun:test";
import { checkBaselineName, isBaselineName, MAX_NAME_CHARS, nameProblem, showName } from "../../src/baseline/name.ts";
import { UsageError } from "../../src/core/errors.ts";
import { REFUSED } from "./refused-names.ts";

describe("baseline names", () => {
  test.each(REFUSED)("refused: %s", (_label, name, word) => {
    expect(isBaselineName(name)).toBe(false);
    let error: unknown;
    try {
      checkBaselineName(name, "--save-baseline");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as UsageError).message;
    expect((error as UsageError).exitCode).toBe(2);
    expect(message).toContain("--save-baseline");
    expect(message).toContain(word);
    expect(message).not.toMatch(/[\0\n\r\t]/); // one line, whatever the name holds
  });

  test.each(["main", "v1.2.3", "feature_x", "release-2025-05", "a", "ä-ünicode", "x".repeat(MAX_NAME_CHARS), "with space", ".hidden", "a-", "CONSOLE", "com10"])(
    "accepted: %p",
    (name) => {
      expect(nameProblem(name)).toBeUndefined();
      expect(checkBaselineName(name, "--compare-baseline")).toBe(name);
    },
  );

  test("characters are code points; the byte limit counts UTF-8", () => {
    expect(isBaselineName("é".repeat(MAX_NAME_CHARS))).toBe(true); // 200 bytes: the most allowed
    expect(isBaselineName("😀".repeat(50))).toBe(true); // 100 UTF-16 units, 200 bytes
    expect(nameProblem("é".repeat(MAX_NAME_CHARS + 1))).toContain("101 characters");
    expect(nameProblem("😀".repeat(51))).toContain("204 bytes");
  });

  test("shown quoted and escaped, long names cut", () => {
    expect(showName("main")).toBe('"main"');
    expect(showName("a\nb")).toBe('"a\\nb"');
    expect(showName("x".repeat(300))).toBe(`"${"x".repeat(40)}…"`);
  });
});
