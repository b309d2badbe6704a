import { expect, test } from "bun:test";
import { render } from "../../src/export/quiet.ts";
import { makeReport } from "./fixture.ts";

test("quiet: the peak RSS in bytes, digits and one newline only", () => {
  const text = render(makeReport({ peaks: { rss: { bytes: 510_966_579 } } }));
  expect(text).toBe("510966579\n");
  expect(text).toMatch(/^\d+\n$/);
});

test("quiet: a large peak is not written in exponent notation", () => {
  expect(render(makeReport({ peaks: { rss: { bytes: 123 * 2 ** 40 } } }))).toMatch(/^\d+\n$/);
});
