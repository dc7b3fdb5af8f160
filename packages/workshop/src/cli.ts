/**
 * `mltrace lab …`: the workshop's command. `main(argv)` takes the arguments after `lab` and
 * returns the exit code (0 done or right, 1 failed or wrong answer, 2 bad usage).
 */
import { loadWorkshopConfig } from './config';
import { runAnswer } from './commands/answer';
import { runList } from './commands/list';
import { runStart } from './commands/start';
import { runStop } from './commands/stop';
import { runTrace } from './commands/trace';
import { EXIT_OK, EXIT_USAGE, EXIT_WRONG, LAB_HELP, UsageError } from './usage';

function isUsage(err: unknown): boolean {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (text: string): void => void process.stdout.write(`${text}\n`);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(LAB_HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const config = loadWorkshopConfig();
  for (const w of config.warnings) process.stderr.write(`mltrace lab: ${w}\n`);
  try {
    switch (command) {
      case 'list':
        return runList(rest, out);
      case 'start':
        return await runStart(rest, config, out);
      case 'answer':
        return await runAnswer(rest, config, out);
      case 'trace':
        return await runTrace(rest, config, out);
      case 'stop':
        return await runStop(rest, config, out);
      default:
        process.stderr.write(`mltrace lab: unknown command "${command}"\n\n${LAB_HELP}\n`);
        return EXIT_USAGE;
    }
  } catch (err) {
    if (isUsage(err)) {
      process.stderr.write(`mltrace lab ${command}: ${(err as Error).message}\nRun "mltrace lab --help" for usage.\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`mltrace lab ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_WRONG;
  }
}
