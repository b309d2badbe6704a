// Shared by the unit tests (test/baseline/name.test.ts) and the end-to-end ones.
import { MAX_NAME_CHARS } from "../../src/baseline/name.ts";

/** Every name the contract refuses, with a word its message must contain. */
export const REFUSED: [string, string, string][] = [
  ["empty", "", "empty"],
  ["dot", ".", "directory reference"],
  ["dot dot", "..", "directory reference"],
  ["a slash", "a/b", "path separator"],
  ["a leading slash", "/etc/passwd", "path separator"],
  ["climbing out", "../escape", "path separator"],
  ["a backslash", "a\\b", "path separator"],
  ["climbing out with backslashes", "..\\escape", "path separator"],
  ["NUL", "a\0b", "control character"],
  ["newline", "a\nb", "control character"],
  ["tab", "a\tb", "control character"],
  ["leading dash", "-x", "starts with '-'"],
  ["an option's look", "--json", "starts with '-'"],
  ["101 characters", "a".repeat(MAX_NAME_CHARS + 1), "too long"],
  ["over 200 bytes in UTF-8", "😀".repeat(51), "too long"],
  ["a colon (Windows)", "c:x", "Windows"],
  ["a star (Windows)", "a*", "Windows"],
  ["a trailing dot (Windows)", "name.", "Windows"],
  ["a trailing space (Windows)", "name ", "Windows"],
  ["a device name (Windows)", "CON", "device name"],
  ["a device name with an extension (Windows)", "nul.txt", "device name"],
  ["a device name in lower case (Windows)", "com1", "device name"],
];
