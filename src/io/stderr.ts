import { visibleText } from "../core/text/visible.ts";
import { stdSink } from "./sink.ts";

// peak-mem's own lines on stderr: errors (src/command-line.ts) and warnings. Each is one line
// starting "peak-mem:". Text from outside (file names, the command's name) can be part of
// a message, so every character that could move the cursor, colour the terminal or start a
// second line is shown escaped. A stderr that is gone is no reason to fail: the exit status
// still tells.

/** `peak-mem: <message>` on stderr, escaped; never throws. */
export function say(message: string): void {
  writeRaw(`peak-mem: ${visibleText(message)}\n`);
}

/** Text already made safe (workflow commands escape their own way) to stderr; never throws. */
export function writeRaw(text: string): void {
  try {
    stdSink(2).write(text);
  } catch {
    // stderr is gone or full: nothing else can be told.
  }
}

/** `peak-mem: warning: <message>`: something optional failed, the run goes on. */
export function warn(message: string): void {
  say(`warning: ${message}`);
}
