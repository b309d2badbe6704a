// Turning an outcome into peak-mem's exit status happens here and nowhere else.

export type Termination = { exitCode: number; signal?: undefined } | { exitCode?: undefined; signal: string };

/** The status a shell would report for the command: its code, or 128 + N for signal N. */
export function commandStatus(termination: Termination): number {
  if (termination.signal === undefined) return termination.exitCode;
  return 128 + (signalNumber(termination.signal) ?? 0);
}

/**
 * peak-mem's own exit status: the command's, except 1 when it succeeded over the threshold
 * or with a peak RSS regression against --compare-baseline. A failure keeps its own code.
 */
export function exitCodeFor(status: number, thresholdExceeded: boolean, regression = false): number {
  return status === 0 && (thresholdExceeded || regression) ? 1 : status;
}

/**
 * A series' exit status (src/session/): the status of what stopped it (the first failing run,
 * an interrupted run, 128 + N for signal N between runs, a run that could not start), else
 * as for one run, with the threshold decided on the largest peak and a regression on the median.
 */
export function seriesExitCode(stopStatus: number | undefined, thresholdExceeded: boolean, regression = false): number {
  return exitCodeFor(stopStatus ?? 0, thresholdExceeded, regression);
}

/**
 * When the report could not be written. A reader that went away (EPIPE, as with `| head`)
 * asked for no more: the command's status stands. Any other failure lost the report, so
 * peak-mem fails too, keeping the command's own failure if it had one.
 */
export function exitCodeWhenReportLost(status: number, readerGone: boolean): number {
  return readerGone || status !== 0 ? status : 1;
}

/** The platform's signals by name (node:os is loaded for them: only a command killed by a signal needs them). */
const signals = () => process.getBuiltinModule("node:os").constants.signals as Record<string, number | undefined>;

export function signalNumber(name: string): number | undefined {
  return signals()[name];
}

/** The name of signal `number` ("SIGKILL" for 9); "SIG" and the number when the platform has none. */
export function signalName(number: number): string {
  for (const [name, value] of Object.entries(signals())) if (value === number) return name;
  return `SIG${number}`;
}
