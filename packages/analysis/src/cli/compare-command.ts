import { parseArgs } from 'node:util';
import { criticalPathAggregate } from '../analyses/critical-path-aggregate';
import { compareGroups, sliceValue } from '../analyses/slices';
import type { Trace } from '../model';
import { mdTable } from '../report/markdown';
import { comparisonTable, type Table } from '../report/sections';
import { textTable } from '../report/text';
import { pct } from '../report/format';
import { filterTraces, type TraceFilter } from '../analyses/filter';
import { splitTraffic } from '../analyses/requests';
import { parseCompare, parseFormat, parseKeyValue } from './args';
import { emit, loadWithProgress, reportSkipped } from './io';
import { COMPARE_HELP, EXIT_FAILURE, EXIT_OK, UsageError } from './usage';

interface Group {
  label: string;
  traces: Trace[];
}

/** Two sources (`compare A B`), or two slices of one source (`compare SRC --compare key=a,b`). */
/** The requests of a source that match every --where (start-up and health-check traces are no request to compare). */
function selectRequests(traces: readonly Trace[], where: TraceFilter['where']): Trace[] {
  return splitTraffic(filterTraces(traces, { where })).requests;
}

async function loadGroups(positionals: string[], compare: string | undefined, where: TraceFilter['where']): Promise<{ a: Group; b: Group } | number> {
  if (compare !== undefined) {
    if (positionals.length < 1) throw new UsageError('--compare KEY=A,B: give one or more sources');
    const spec = parseCompare(compare);
    const r = await loadWithProgress(positionals);
    reportSkipped(r);
    const requests = selectRequests(r.traces, where);
    const pick = (v: string): Group => ({ label: `${spec.key}=${v}`, traces: requests.filter((t) => sliceValue(t, spec.key) === v) });
    const groups = { a: pick(spec.a), b: pick(spec.b) };
    for (const g of [groups.a, groups.b]) {
      if (!g.traces.length) {
        process.stderr.write(`mltrace compare: no traces with ${g.label} in ${positionals.join(', ')}\n`);
        return EXIT_FAILURE;
      }
    }
    return groups;
  }
  if (positionals.length !== 2) throw new UsageError(`give exactly two sources, or one source and --compare KEY=A,B; got ${positionals.length} source(s)`);
  const [srcA, srcB] = positionals as [string, string];
  const out: Group[] = [];
  for (const [tag, src] of [['A', srcA], ['B', srcB]] as const) {
    const r = await loadWithProgress([src]);
    reportSkipped(r);
    if (!r.traces.length) {
      process.stderr.write(`mltrace compare: no traces in ${src}\n`);
      return EXIT_FAILURE;
    }
    const traces = selectRequests(r.traces, where);
    if (!traces.length) {
      process.stderr.write(`mltrace: no requests${where?.length ? ' matching --where' : ''} in ${src}\n`);
      return EXIT_FAILURE;
    }
    out.push({ label: `${tag} (${src})`, traces });
  }
  return { a: out[0] as Group, b: out[1] as Group };
}

export async function runCompare(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string' }, out: { type: 'string' }, compare: { type: 'string' }, where: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(COMPARE_HELP);
    return EXIT_OK;
  }
  const format = parseFormat(values.format, ['text', 'json', 'md'] as const, 'text');
  const where = (values.where ?? []).map((w) => parseKeyValue(w, '--where'));
  const groups = await loadGroups(positionals, values.compare, where);
  if (typeof groups === 'number') return groups;
  const { a, b } = groups;
  const comparison = compareGroups(a.label, a.traces, b.label, b.traces);
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
  const text = format === 'md' ? `# mltrace compare\n\n${tables.map((t) => mdTable(t)).join('\n\n')}\n` : `${tables.map(textTable).join('\n\n')}\n`;
  await emit(text, values.out);
  return EXIT_OK;
}
