import { pidfdOpen, pollFor, pollSet } from "../ffi.ts";
import { files } from "../../files.ts";
import type { IdleWaiter } from "../../types.ts";

// A workaround for the Bun runtime (listed in src/runtime/workarounds.ts): between samples the
// run loop would otherwise wait on a timer, a turn of the runtime's whole event loop for every
// sample; here it sleeps in one system call and turns the loop only now and then.

/**
 * Waits in ppoll on the runtime's event loop itself (its epoll descriptors, ready whenever
 * the loop has work: a signal's wake-up, the command's exit) and on a pidfd of the command
 * (readable once it has exited, whatever the runtime watches). Undefined, and the event
 * loop's own timers are used, where either cannot be had.
 */
export function idleWaiter(procRoot: string, pid: number): IdleWaiter | undefined {
  const loops: number[] = [];
  try {
    for (const fd of files().list(`${procRoot}/self/fd`)) {
      try {
        if (files().readlink(`${procRoot}/self/fd/${fd}`) === "anon_inode:[eventpoll]") loops.push(Number(fd));
      } catch {
        // closed meanwhile (the listing's own descriptor)
      }
    }
  } catch {
    return undefined;
  }
  if (loops.length === 0) return undefined;
  const pidfd = pidfdOpen(pid);
  if (pidfd === undefined) return undefined;
  const set = pollSet([...loops, pidfd]);
  let open = true;
  return {
    wait: (ms) => open && pollFor(set, ms) === 0,
    close() {
      if (open) files().close(pidfd);
      open = false;
    },
  };
}
