import { ptr } from "bun:ffi";
import { closeRaw, lastErrno, rawSyscall } from "./ffi.ts";

// The socket calls of the kernel's process events (src/platform/linux/proc-events.ts), made
// by number through libc's syscall(2): a symbol each in ./ffi.ts's set would be compiled
// at every start, and a set of their own cost 1.35 ms to load at the first open (measured).
// Reads and writes of the sockets go through ./ffi.ts's read and write (the sockets are
// non-blocking, which makes read(2) a recv(MSG_DONTWAIT)).

// arch/x86/entry/syscalls/syscall_64.tbl; include/uapi/asm-generic/unistd.h (arm64).
const SYS = process.arch === "arm64" ? { socket: 198, bind: 200, setsockopt: 208 } : { socket: 41, bind: 49, setsockopt: 54 };

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
// Held for the process's life, so their addresses stay good.
const addressAt = Number(ptr(addressBytes));
const optionAt = Number(ptr(option));

/**
 * A non-blocking, close-on-exec netlink socket of `protocol` (NETLINK_CONNECTOR, NETLINK_GENERIC),
 * bound to the multicast `groups` (a bit mask; 0 binds none, and the kernel then picks the
 * port at the first send), with a receive buffer of about `receiveBytes`. Its fd, -errno of
 * the call that failed, or undefined where libc could not be loaded.
 */
export function netlinkSocket(protocol: number, groups: number, receiveBytes: number): number | undefined {
  // The connector is a datagram protocol in its documentation, generic netlink a raw one;
  // the kernel treats both the same.
  const fd = rawSyscall(SYS.socket, AF_NETLINK, (groups ? SOCK_DGRAM : SOCK_RAW) | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd === undefined) return undefined; // no libc
  if (fd < 0) return -lastErrno();
  // SO_RCVBUFFORCE passes net.core.rmem_max (CAP_NET_ADMIN); SO_RCVBUF is capped by it.
  option[0] = receiveBytes;
  if (rawSyscall(SYS.setsockopt, fd, SOL_SOCKET, SO_RCVBUFFORCE, optionAt, 4) !== 0) rawSyscall(SYS.setsockopt, fd, SOL_SOCKET, SO_RCVBUF, optionAt, 4);
  if (groups) {
    address.setUint16(0, AF_NETLINK, true);
    address.setUint32(4, 0, true); // nl_pid 0: the kernel assigns the port
    address.setUint32(8, groups, true);
    if (rawSyscall(SYS.bind, fd, addressAt, SOCKADDR_NL_SIZE) !== 0) {
      const errno = lastErrno();
      closeRaw(fd);
      return -errno || -1;
    }
  }
  return fd;
}
