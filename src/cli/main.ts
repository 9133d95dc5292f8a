// `videosvc <command>`: dispatch, and the one-line error report for anything that stops a
// command (SPEC §5: one clear line naming what to fix; no stack trace).
import { UsageError, printOut, type Command } from './command.ts';
import { dynamoCommand } from './dynamo.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token.ts';
import { packageVersion } from './version.ts';

const commands: readonly Command[] = [serveCommand, tokenCommand, dynamoCommand, migrateCommand];

/** The overview printed by `videosvc --help` and after an unknown command. */
export function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'usage: videosvc <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `videosvc <command> --help` for a command\'s options; `videosvc --version` (or -v) prints the version.',
    'Configuration comes from environment variables (and a .env file); see `videosvc serve --help`.',
    '',
  ].join('\n');
}

/** Runs the command named by `argv[0]` and exits with its code; `serve` keeps the process running. */
export async function main(argv: readonly string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    await printOut(overview());
    return process.exit(0);
  }
  if (name === '--version' || name === '-v') {
    await printOut(`${packageVersion()}\n`);
    return process.exit(0);
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    process.stderr.write(`${name === undefined ? 'videosvc: no command given' : `videosvc: unknown command "${name}"`}\n\n${overview()}`);
    return process.exit(2);
  }
  try {
    const result = await command.run(args);
    if (result !== 'running') process.exit(result);
  } catch (error) {
    process.stderr.write(`${failureLine(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}

/** One line for a failure: the messages of configuration and setup errors are written to be shown as they are. */
export function failureLine(error: unknown): string {
  if (error instanceof UsageError) {
    return `videosvc ${error.command}: ${error.message} (see \`videosvc ${error.command} --help\`)`;
  }
  const message = error instanceof Error ? error.message : String(error);
  // Messages from libraries may span lines; the report must stay one line.
  return `videosvc: ${message.replace(/\s*\n\s*/g, '; ')}`;
}
