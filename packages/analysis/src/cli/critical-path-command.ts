import { parseArgs } from 'node:util';
import { criticalPath } from '../analyses/critical-path';
import { normalizeId } from '../load/normalize';
import type { Span } from '../model';
import { dur } from '../report/format';
import { parseFormat, parseNumber } from './args';
import { emit, loadWithProgress, reportSkipped } from './io';
import { CRITICAL_PATH_HELP, EXIT_FAILURE, EXIT_OK, UsageError } from './usage';

/**
 * The ids a `--trace` value can stand for: as typed (ids that are not hex are kept as the file has
 * them), and as the loaders normalize ids (hex lower-cased and zero-padded; base64, as the Jaeger
 * domain model writes ids, decoded to hex), so an id copied from the file or from Jaeger UI is found.
 */
export function traceIdForms(value: string): Set<string> {
  return new Set([value, normalizeId(value, 32, '--trace')]);
}

export async function runCriticalPath(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string' }, trace: { type: 'string' }, threads: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(CRITICAL_PATH_HELP);
    return EXIT_OK;
  }
  if (!positionals.length) throw new UsageError('give a source (file, directory or Jaeger URL)');
  const format = parseFormat(values.format, ['json', 'text'] as const, 'json');
  const threads = parseNumber(values.threads, '--threads', { min: 1, integer: true });
  const loaded = await loadWithProgress(positionals, threads !== undefined ? { parallel: { threads } } : {});
  reportSkipped(loaded);
  const wanted = values.trace === undefined || values.trace === '' ? undefined : traceIdForms(values.trace);
  const traces = wanted ? loaded.traces.filter((t) => wanted.has(t.traceId)) : loaded.traces;
  if (!traces.length) {
    process.stderr.write(`mltrace critical-path: no traces${wanted ? ` with id ${values.trace}` : ''} in ${positionals.join(', ')}\n`);
    return EXIT_FAILURE;
  }
  if (format === 'json') {
    const out = { traces: traces.map((t) => ({ traceId: t.traceId, sections: criticalPath(t).map((s) => ({ spanId: s.spanId, start: s.start, end: s.end })) })) };
    await emit(`${JSON.stringify(out)}\n`, values.out);
    return EXIT_OK;
  }
  const lines: string[] = [];
  for (const t of traces) {
    const byId = new Map<string, Span>(t.spans.map((s) => [s.spanId, s]));
    const sections = criticalPath(t);
    const total = sections.reduce((a, s) => a + s.end - s.start, 0);
    lines.push(`trace ${t.traceId}  (${sections.length} sections, ${dur(total)} on the path)`);
    for (const s of sections) {
      const span = byId.get(s.spanId);
      lines.push(`  ${dur(s.end - s.start).padStart(9)}  ${s.spanId}  ${span ? `${span.service}: ${span.name}` : '?'}`);
    }
  }
  await emit(`${lines.join('\n')}\n`, values.out);
  return EXIT_OK;
}
