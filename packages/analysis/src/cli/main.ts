#!/usr/bin/env node
/** The `mltrace` command: dispatches to a subcommand and maps outcomes to exit codes. */
import { runAnalyze } from './analyze-command';
import { runCompare } from './compare-command';
import { runCriticalPath } from './critical-path-command';
import { runLoad } from './load-command';
import { mltraceVersion } from '../version';
import { ANALYZE_HELP, COMPARE_HELP, CRITICAL_PATH_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, mainHelp, UsageError } from './usage';

/** `mltrace help <command>`: the same text as `mltrace <command> --help` (load's comes from its package). */
const HELP: Record<string, string | undefined> = { analyze: ANALYZE_HELP, 'critical-path': CRITICAL_PATH_HELP, compare: COMPARE_HELP };


const BUILTIN: Record<string, (argv: string[]) => Promise<number>> = {
  analyze: runAnalyze,
  'critical-path': runCriticalPath,
  compare: runCompare,
  load: runLoad,
};

/** Node's parseArgs errors (unknown option, missing value) are usage errors too. */
function isUsage(err: unknown): boolean {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * A command another package adds to `mltrace` (the workshop's `lab`): the composing CLI
 * (@mltrace/cli) passes it in, so this package depends on none of them.
 */
export interface ExtraCommand {
  run: (argv: string[]) => Promise<number>;
  /** One line for `mltrace --help`, after the command name. */
  summary: string;
}

export async function main(argv: string[], extra: Record<string, ExtraCommand> = {}): Promise<number> {
  const [command, ...rest] = argv;
  const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { ...BUILTIN, ...Object.fromEntries(Object.entries(extra).map(([name, c]) => [name, c.run])) };
  const help = mainHelp(Object.entries(extra).map(([name, c]) => ({ name, summary: c.summary })));
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(`mltrace ${mltraceVersion()} (node ${process.version})`);
    return EXIT_OK;
  }
  if (command === 'help' && rest[0] !== undefined) {
    const topic = rest[0];
    // load's help and any added command's come from their own packages.
    if (topic === 'load' || extra[topic]) return COMMANDS[topic]!(['--help']);
    const text = HELP[topic];
    if (text === undefined) {
      process.stderr.write(`mltrace help: unknown command "${topic}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
      return EXIT_USAGE;
    }
    console.log(text);
    return EXIT_OK;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(help);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`mltrace: unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})\nRun "mltrace --help" for usage.\n`);
    return EXIT_USAGE;
  }
  try {
    return await run(rest);
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'EPIPE') return EXIT_OK;
    if (isUsage(err)) {
      process.stderr.write(`mltrace ${command}: ${(err as Error).message}\nRun "mltrace ${command} --help" for usage.\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`mltrace ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

/** `mltrace … | head` closes stdout early: stop quietly instead of crashing with an EPIPE stack trace. */
export function quietOnEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode === undefined ? EXIT_OK : Number(process.exitCode));
    throw err;
  });
}

/** The process entry (@mltrace/cli's bin/mltrace.js): exit code from main(), EPIPE quiet, unexpected errors with their stack. */
export function runCli(argv: string[] = process.argv.slice(2), extra: Record<string, ExtraCommand> = {}): void {
  quietOnEpipe();
  main(argv, extra).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if ((err as { code?: unknown } | null)?.code === 'EPIPE') return;
      process.stderr.write(`mltrace: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}

if (require.main === module) runCli();
