// What every `videosvc` command shares: its shape, and how a bad command line is reported.

/** A command's result: an exit code, or `running` when it keeps serving (serve). */
export type CommandResult = number | 'running';

export interface Command {
  readonly name: string;
  /** One line for the overview printed by `videosvc --help`. */
  readonly summary: string;
  /** The full `--help` text. Names variables, never their values (no secrets in help). */
  readonly usage: string;
  run(args: readonly string[]): Promise<CommandResult>;
}

/** The command line itself is wrong; reported as one line and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs a node:util parseArgs call, turning its complaints into a UsageError for `command`. */
export function parseCommandLine<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes and a readable message.
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError(command, (error as Error).message.split('\n')[0] ?? 'invalid arguments');
  }
}

/** Writes `text` to stdout and resolves once it has been handed to the OS, so exiting next loses nothing. */
export function printOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
