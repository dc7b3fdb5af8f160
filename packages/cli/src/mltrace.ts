/**
 * The `mltrace` command: the analysis' commands (analyze, critical-path, compare, load) plus the
 * workshop's `lab`. Composed here so that neither package depends on the other's CLI: the
 * workshop runs the analysis, so the analysis cannot load the workshop.
 */
import { runCli, type ExtraCommand } from '@mltrace/analysis/cli';
import { main as lab } from '@mltrace/workshop/cli';

export const EXTRA_COMMANDS: Record<string, ExtraCommand> = {
  lab: { run: lab, summary: 'the workshop: labs, a mystery to diagnose, answers checked (mltrace lab --help)' },
};

export function run(argv: string[] = process.argv.slice(2)): void {
  runCli(argv, EXTRA_COMMANDS);
}
