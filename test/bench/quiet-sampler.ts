// The "quiet sampler": the least a Bun-compiled sampler can do for one quiet process at
// peak-mem's default interval. It spawns the command and, every 100 ms until it exits, reads
// its /proc/PID/status on a held descriptor and parses VmRSS and VmHWM, sleeping in ppoll
// between reads and turning the event loop at every tenth. bench.ts compiles it with the same
// Bun and settings as peak-mem, and measures peak-mem's CPU on a quiet command against it.
import { dlopen, FFIType, ptr } from "bun:ffi";

const libc = dlopen(process.platform === "linux" ? "libc.so.6" : "libc.dylib", {
  open: { args: [FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
  pread: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i64], returns: FFIType.i64 },
  ppoll: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
}).symbols;

const child = Bun.spawn(process.argv.slice(2), { stdio: ["inherit", "inherit", "inherit"] });
let exited = false;
void child.exited.then(() => (exited = true));
const fd = libc.open(Buffer.from(`/proc/${child.pid}/status\0`), 0);
const bytes = Buffer.alloc(8192);
const interval = new BigInt64Array([0n, 100_000_000n]);
const RSS = Buffer.from("VmRSS:");
const HWM = Buffer.from("VmHWM:");
let peak = 0;

function kib(length: number, key: Buffer): number {
  let value = 0;
  for (let i = bytes.indexOf(key) + key.length; i > key.length - 1 && i < length; i++) {
    const c = bytes[i] as number;
    if (c >= 48 && c <= 57) value = value * 10 + c - 48;
    else if (value > 0) break;
  }
  return value;
}

for (let n = 1; !exited; n++) {
  const length = Number(libc.pread(fd, bytes, bytes.length, 0));
  if (length > 0) peak = Math.max(peak, kib(length, RSS), kib(length, HWM));
  libc.ppoll(null, 0, ptr(interval), null);
  if (n % 10 === 0) await Bun.sleep(0);
}
process.stderr.write(`${peak * 1024}\n`);
process.exit(await child.exited);
