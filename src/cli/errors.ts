// Expected failures of a command (port in use, unusable data dir, bad flag value) are CliErrors:
// reported as one line on stderr, exit status 1, no stack. Anything else is a bug and keeps
// its stack.
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Prints the error for a user and returns the exit status to use. */
export function reportError(err: unknown, write: (s: string) => void = (s) => void process.stderr.write(s)): number {
  if (err instanceof CliError) {
    write(`k8ts: ${err.message}\n`);
  } else {
    write(`k8ts: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  return 1;
}

/** The message of a caught value, for wrapping into a CliError. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
