// Small helpers shared by the platform struct decoders (darwin, freebsd, windows).

const utf8 = new TextDecoder();

/** A DataView over exactly these bytes (a Buffer may be a slice of a larger pool). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A NUL-terminated C string inside a fixed array of `room` bytes, decoded as UTF-8. */
export function cString(bytes: Uint8Array, at: number, room: number): string {
  let end = at;
  const limit = Math.min(at + room, bytes.length);
  while (end < limit && bytes[end] !== 0) end++;
  return utf8.decode(bytes.subarray(at, end));
}

/** A struct timeval start time (seconds, microseconds) as one number: with the pid, a process's identity. */
export function startStamp(sec: number, usec: number): number {
  return sec * 1_000_000 + usec;
}

/** A little-endian u64 as a number: sizes, SIZE_Ts and seconds stay far below 2^53. */
export function u64(view: DataView, at: number): number {
  return Number(view.getBigUint64(at, true));
}
