import { parseArgs } from 'node:util';
import { LABS } from '../labs';
import { EXIT_OK, UsageError } from '../usage';

export function runList(argv: string[], out: (text: string) => void): number {
  const { values } = parseArgs({ args: argv, options: { format: { type: 'string', default: 'text' } }, allowPositionals: false });
  if (values.format === 'json') {
    out(JSON.stringify(LABS.map((l, i) => ({ n: i + 1, ...l })), null, 2));
    return EXIT_OK;
  }
  if (values.format !== 'text') throw new UsageError(`--format must be text or json, not ${JSON.stringify(values.format)}`);
  const rows = LABS.map((l, i) => [String(i + 1).padStart(2), l.id, `${l.minutes} min`, l.title]);
  const width = Math.max(...rows.map((r) => r[1]!.length));
  for (const r of rows) out(`${r[0]}  ${r[1]!.padEnd(width)}  ${r[2]!.padStart(6)}  ${r[3]}`);
  const total = LABS.reduce((sum, l) => sum + l.minutes, 0);
  out(`\n${LABS.length} labs, about ${Math.round(total / 6) / 10} h. Start one: mltrace lab start ${LABS[0]?.id}; the pages are in docs/workshop/.`);
  return EXIT_OK;
}
