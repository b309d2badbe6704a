import { dlopen, FFIType } from "bun:ffi";
import { closeRaw, lastErrno, libcNames } from "./linux.ts";

// The socket calls of the kernel's process events (src/platform/linux/proc-events.ts), in a
// symbol set of their own: ffi/linux.ts's is opened at every start, and each symbol there
// costs a TinyCC trampoline compiled before the command runs. These three are compiled
// only when process events are asked for. Reads and writes of the sockets go through
// ffi/linux.ts's read and write (the sockets are non-blocking, which makes read(2) a
// recv(MSG_DONTWAIT)), so they need no symbols here.

const SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
} as const;

type Sockets = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let loaded: Sockets | null | undefined;

function sockets(): Sockets | null {
  if (loaded !== undefined) return loaded;
  for (const name of libcNames()) {
    try {
      loaded = dlopen(name, SYMBOLS).symbols;
      return loaded;
    } catch {
      // Not this libc: try the next name.
    }
  }
  loaded = null;
  return loaded;
}

// include/linux/socket.h, include/uapi/linux/netlink.h, include/uapi/asm-generic/socket.h
// (x86-64 and arm64 alike), include/linux/net.h (SOCK_NONBLOCK is O_NONBLOCK, SOCK_CLOEXEC O_CLOEXEC).
const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
/** struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; } */
const SOCKADDR_NL_SIZE = 12;

const address = new DataView(new ArrayBuffer(SOCKADDR_NL_SIZE));
const addressBytes = new Uint8Array(address.buffer);
const option = new Int32Array(1);

/**
 * A non-blocking, close-on-exec netlink socket of `protocol` (NETLINK_CONNECTOR, NETLINK_GENERIC),
 * bound to the multicast `groups` (a bit mask; 0 binds none, and the kernel then picks the
 * port at the first send), with a receive buffer of about `receiveBytes`. Its fd, -errno of
 * the call that failed, or undefined where libc could not be loaded.
 */
export function netlinkSocket(protocol: number, groups: number, receiveBytes: number): number | undefined {
  const symbols = sockets();
  if (!symbols) return undefined;
  // The connector is a datagram protocol in its documentation, generic netlink a raw one;
  // the kernel treats both the same.
  const fd = symbols.socket(AF_NETLINK, (groups ? SOCK_DGRAM : SOCK_RAW) | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return -lastErrno();
  // SO_RCVBUFFORCE passes net.core.rmem_max (CAP_NET_ADMIN); SO_RCVBUF is capped by it.
  option[0] = receiveBytes;
  if (symbols.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, option, 4) !== 0) symbols.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, option, 4);
  if (groups) {
    address.setUint16(0, AF_NETLINK, true);
    address.setUint32(4, 0, true); // nl_pid 0: the kernel assigns the port
    address.setUint32(8, groups, true);
    if (symbols.bind(fd, addressBytes, SOCKADDR_NL_SIZE) !== 0) {
      const errno = lastErrno();
      closeRaw(fd);
      return -errno || -1;
    }
  }
  return fd;
}
