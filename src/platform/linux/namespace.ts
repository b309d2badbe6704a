// Whether /proc describes the pid namespace peak-mem runs in. A proc file system shows
// the pids of the namespace that mounted it: after `unshare -pf` without --mount-proc,
// peak-mem is pid 1 and its command a small pid while /proc is the host's, so every pid
// it would read names some other process and the peak comes out silently wrong. Such a
// /proc is refused before anything runs. Pure, so that it is tested without namespaces.

const FIX = "mount a /proc for this namespace (unshare --mount-proc, or mount -t proc proc /proc) or run peak-mem outside it";

/**
 * The problem with /proc, as one line for a person, or undefined when it can be trusted.
 * `self` is what readlink("/proc/self") gave (the pid /proc has for the reader), undefined
 * when it failed; `mounted` says whether /proc holds a proc file system at all, and is
 * consulted only then (a /proc of a namespace that cannot see us has no /proc/self either).
 */
export function procProblem(ourPid: number, self: string | undefined, mounted = self !== undefined): string | undefined {
  if (self === undefined) {
    if (!mounted) return "/proc is not mounted: peak-mem reads process memory from it";
    return `/proc belongs to another pid namespace (it has no pid for this process, which is pid ${ourPid} here): ${FIX}`;
  }
  if (!/^[1-9][0-9]*$/.test(self)) return `/proc is not a proc file system (/proc/self points to '${self}'): peak-mem reads process memory from it`;
  if (Number(self) === ourPid) return undefined;
  return `/proc belongs to another pid namespace (it calls this process ${self}, which is pid ${ourPid} here): ${FIX}`;
}

/** The init pid namespace's inode number: fixed by the kernel, the same on every machine. */
const INIT_PID_NAMESPACE = 0xeffffffc;

/**
 * Whether peak-mem runs in the init pid namespace, from readlink("/proc/self/ns/pid")
 * ("pid:[4026531836]"; undefined where the kernel has no pid namespaces). A GPU driver
 * names processes by the init namespace's pids; in any other, the tree's pids are not
 * those, and /proc (which must be this namespace's, above) shows no other: NSpid lists a
 * process's pid in this namespace and the ones below it, never in those above.
 */
export function inInitPidNamespace(link: string | undefined): boolean {
  if (link === undefined) return true;
  const inode = /^pid:\[(\d+)\]$/.exec(link.trim());
  return inode !== null && Number(inode[1]) === INIT_PID_NAMESPACE;
}
