// Parses --threshold sizes: `2048`, `512K`, `1.5G`, `1GB`, `1GiB`, `1 g`, `600000Ki`.
// bytes.parse alone is wrong for this contract (`bytes.parse("1G")` is 1, "1KB" is 1024),
// so the syntax is checked here and bytes only ever sees a well-formed binary size. It is
// required only then: evaluating it costs every start a fifth of a millisecond.

const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kmgtp])(i)?b?|b)?$/i;
const DECIMAL_PREFIX: Readonly<Record<string, number>> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

export type SizeResult = { ok: true; bytes: number } | { ok: false; reason: string };

export function parseSize(input: string): SizeResult {
  const text = input.trim();
  if (text === "") return { ok: false, reason: "it is empty" };
  if (text.startsWith("-")) return { ok: false, reason: "it must be greater than zero" };
  const match = SIZE.exec(text);
  if (!match) return { ok: false, reason: "expected a number with an optional unit, e.g. 512M, 1.5GiB, 2048" };
  const [, number = "", prefix, binary] = match;
  const value = Number(number);
  let result: number;
  if (!prefix) result = value;
  else if (binary) result = (require("bytes") as typeof import("bytes")).parse(`${number}${prefix}b`) ?? Number.NaN;
  else result = value * (DECIMAL_PREFIX[prefix.toLowerCase()] ?? Number.NaN);
  result = Math.round(result);
  if (!Number.isFinite(result)) return { ok: false, reason: "it is not a number" };
  if (result <= 0) return { ok: false, reason: "it must be at least one byte" };
  if (result > Number.MAX_SAFE_INTEGER) return { ok: false, reason: "it is too large" };
  return { ok: true, bytes: result };
}
