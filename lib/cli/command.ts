/** A `spaceport` subcommand: parses its own arguments and returns the process exit code. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

/** A user's mistake: printed as one clear message, never as a stack trace. */
export class UsageError extends Error {}
