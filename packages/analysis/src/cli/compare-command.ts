import { parseArgs } from 'node:util';
import { criticalPathAggregate } from '../analyses/critical-path-aggregate';
import { compareGroups } from '../analyses/slices';
import { mdTable } from '../report/markdown';
import { comparisonTable, type Table } from '../report/sections';
import { textTable } from '../report/text';
import { pct } from '../report/format';
import { parseFormat } from './args';
import { emit, loadWithProgress, reportSkipped } from './io';
import { COMPARE_HELP, EXIT_FAILURE, EXIT_OK, UsageError } from './usage';

export async function runCompare(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(COMPARE_HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 2) throw new UsageError(`compare: give exactly two sources, got ${positionals.length}`);
  const format = parseFormat(values.format, ['text', 'json', 'md'] as const, 'text');
  const [srcA, srcB] = positionals as [string, string];
  const a = await loadWithProgress([srcA]);
  reportSkipped(a);
  const b = await loadWithProgress([srcB]);
  reportSkipped(b);
  for (const [src, r] of [[srcA, a], [srcB, b]] as const) {
    if (!r.traces.length) {
      process.stderr.write(`mltrace: no traces in ${src}\n`);
      return EXIT_FAILURE;
    }
  }
  const comparison = compareGroups(`A (${srcA})`, a.traces, `B (${srcB})`, b.traces);
  const cpA = criticalPathAggregate(a.traces);
  const cpB = criticalPathAggregate(b.traces);
  const services = [...new Set([...cpA.byService, ...cpB.byService].map((s) => s.service))];
  const shares = services.map((service) => ({
    service,
    a: cpA.byService.find((s) => s.service === service)?.shareOfTotal ?? 0,
    b: cpB.byService.find((s) => s.service === service)?.shareOfTotal ?? 0,
  }));
  if (format === 'json') {
    await emit(`${JSON.stringify({ comparison, criticalPathShare: shares }, null, 2)}\n`, values.out);
    return EXIT_OK;
  }
  const shareTable: Table = {
    title: 'Share of end-to-end time on the critical path',
    columns: ['service', 'A', 'B', 'difference'],
    align: ['l', 'r', 'r', 'r'],
    rows: shares.map((s) => [s.service, pct(s.a), pct(s.b), pct(s.b - s.a)]),
  };
  const tables = [comparisonTable(comparison), shareTable];
  const text = format === 'md' ? `# mltrace compare\n\n${tables.map(mdTable).join('\n\n')}\n` : `${tables.map(textTable).join('\n\n')}\n`;
  await emit(text, values.out);
  return EXIT_OK;
}
