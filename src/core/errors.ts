// Errors are values meant for a person: a one-line message and the exit code the
// contract gives that situation. Nothing here prints; src/command-line.ts does, once.

export const EXIT_USAGE = 2;
/**
 * peak-mem itself failed and the command's status is unknown: it could not be started for
 * want of resources (a process limit, memory), or peak-mem failed before it knew. 125 is
 * what env(1), timeout(1) and nice(1) use for "the wrapper failed", apart from 126 and 127.
 */
export const EXIT_FAILED = 125;
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

export class PeakMemError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "PeakMemError";
  }
}

/** Bad usage, detected before anything runs. */
export class UsageError extends PeakMemError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = "UsageError";
  }
}

/** The command could not be started: not found (127), not executable (126), no resources (125). */
export class SpawnError extends PeakMemError {
  constructor(message: string, exitCode: typeof EXIT_NOT_FOUND | typeof EXIT_NOT_EXECUTABLE | typeof EXIT_FAILED) {
    super(message, exitCode);
    this.name = "SpawnError";
  }
}

/** The message of anything thrown, without a stack. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Thrown only if the report itself cannot be built: the command has ended, its status is known. */
export class ReportFault extends Error {
  constructor(
    override readonly cause: unknown,
    readonly status: number,
  ) {
    super(`cannot build the report: ${describe(cause)}`);
  }
}
