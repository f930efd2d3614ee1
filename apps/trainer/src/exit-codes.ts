/** Exit codes the CLI documents in `--help`; scripts can rely on them. */
export const ExitCode = {
  Ok: 0,
  /** Something unexpected failed (a bug, or an environment problem). */
  Failure: 1,
  /** The command line or the config was invalid. */
  Usage: 2,
  /** The database could not be reached or its URL is malformed. */
  Database: 3,
  /** An id named on the command line does not exist. */
  NotFound: 4,
  /** The run ended cancelled or diverged. */
  RunNotCompleted: 6,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that carries the exit code the CLI should end with and a one-line message. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
