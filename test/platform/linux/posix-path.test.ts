import { describe, expect, test } from "bun:test";
import * as path from "node:path";
import { dirname, join } from "../../../src/platform/linux/posix-path.ts";

// A port of POSIX join/dirname, so that start-up need not load node:path: it must agree with it.
const SAMPLES = ["", "/", "//", "a", "a/", "/a", "/a/", "a/b", "a//b", "/a/b/", "./a", "../a", "a/..", "a/./b", ".", "..", "/..", "a/b/../../..", "/tmp//x/./y/../z", "peak-mem-1/memory.peak"];

describe("posix-path", () => {
  test("dirname agrees with node:path", () => {
    for (const sample of SAMPLES) expect({ sample, dir: dirname(sample) }).toEqual({ sample, dir: path.posix.dirname(sample) });
  });

  test("join agrees with node:path, pairs and triples", () => {
    for (const a of SAMPLES) {
      for (const b of SAMPLES) {
        expect({ a, b, joined: join(a, b) }).toEqual({ a, b, joined: path.posix.join(a, b) });
        expect(join(a, b, "c")).toBe(path.posix.join(a, b, "c"));
      }
    }
  });
});
