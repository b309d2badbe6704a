import { UsageError } from "../core/errors.ts";

// A baseline name becomes exactly one file, `<name>.json`, directly inside the baseline
// directory, on every system peak-mem runs on. So a name is a plain name: nothing that a
// path, a shell or Windows would read as something else. Refused names are usage errors,
// found before anything runs; nothing is ever written outside the baseline directory.

/** At most this many characters (code points)… */
export const MAX_NAME_CHARS = 100;
/** …and this many bytes in UTF-8, so that `<name>.json` and its temp file fit any file system's 255. */
export const MAX_NAME_BYTES = 200;

/** Characters Windows refuses in file names (a colon would even open an alternate data stream). */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
/** Device names Windows opens instead of a file, whatever the extension: CON.json is the console. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `name` is not a baseline name, or undefined when it is one. */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name === "." || name === "..") return "it is a directory reference, not a name";
  if (name.includes("/") || name.includes("\\")) return "it contains a path separator ('/' or '\\'): a name cannot lead out of the baseline directory";
  if (CONTROL.test(name)) return "it contains a control character (NUL, newline, tab, …)";
  if (name.startsWith("-")) return "it starts with '-' and would read like an option";
  const chars = [...name].length;
  if (chars > MAX_NAME_CHARS) return `it is too long: ${chars} characters, at most ${MAX_NAME_CHARS}`;
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes > MAX_NAME_BYTES) return `it is too long: ${bytes} bytes in UTF-8, at most ${MAX_NAME_BYTES}`;
  const forbidden = WINDOWS_FORBIDDEN.exec(name);
  if (forbidden) return `it contains '${forbidden[0]}', which file names cannot hold on Windows`;
  if (/[. ]$/.test(name)) return "it ends with a dot or a space, which Windows drops from file names";
  if (WINDOWS_DEVICE.test(name)) return "it is a device name on Windows (CON, NUL, COM1, …)";
  return undefined;
}

export function isBaselineName(name: string): boolean {
  return nameProblem(name) === undefined;
}

/** The name itself, or a UsageError naming the option it came with and what is wrong. */
export function checkBaselineName(name: string, option: string): string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new UsageError(`invalid ${option} name ${showName(name)}: ${problem}`);
  return name;
}

/** A name as shown in one-line messages: quoted, control characters escaped, long ones cut. */
export function showName(name: string): string {
  const chars = [...name];
  const shown = chars.length > 40 ? `${chars.slice(0, 40).join("")}…` : name;
  return JSON.stringify(shown);
}
