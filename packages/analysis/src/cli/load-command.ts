import { EXIT_FAILURE } from './usage';

type RunLoad = (argv: string[]) => Promise<number>;

/**
 * `mltrace load …` belongs to @mltrace/loadgen; it is required lazily so that the analysis
 * builds and runs without it.
 */
export async function runLoad(argv: string[]): Promise<number> {
  let run: RunLoad | undefined;
  const name = '@mltrace/loadgen';
  try {
    run = (require(name) as { runLoadCommand?: RunLoad }).runLoadCommand;
  } catch (err) {
    process.stderr.write(`mltrace load: ${name} is not available (${(err as Error).message.split('\n')[0]}); build it with "npx turbo run build"\n`);
    return EXIT_FAILURE;
  }
  if (typeof run !== 'function') {
    process.stderr.write(`mltrace load: ${name} does not export runLoadCommand\n`);
    return EXIT_FAILURE;
  }
  return run(argv);
}
