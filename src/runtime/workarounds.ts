// Every workaround peak-mem makes for the Bun runtime, listed in one place, and one switch
// that turns them all off: PEAK_MEM_NO_WORKAROUNDS=1. A new Bun may make one needless or
// wrong; with the switch, a bisect of an upgrade can tell whether a change of behaviour comes
// from the runtime itself or from a workaround. Off, peak-mem measures the same things, only
// at its runtime's plain cost.
//
//   JIT tiers         src/runtime/hot.ts: sampling code kept out of the FTL tier at intervals
//                     of 50 ms and more, where its compiles cost more than they give back.
//   idle waits        src/platform/linux/runtime/idle-wait.ts, used by src/monitor/loop.ts:
//                     sleeping between samples in ppoll on the event loop's descriptors and a
//                     pidfd, without a turn of the event loop but every tenth sample or second.
//   thread limits     src/platform/linux/runtime/threads.ts: re-executing peak-mem with a runtime
//                     that starts no threads later when a process limit would refuse them.
//   32-bit exit codes src/platform/index.ts exitWith: ExitProcess on Windows, where the
//                     runtime's process.exit keeps 8 bits.

/** Whether the runtime workarounds are on (the default). */
export const WORKAROUNDS_ON = process.env.PEAK_MEM_NO_WORKAROUNDS !== "1";
