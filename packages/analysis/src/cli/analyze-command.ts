import { parseArgs } from 'node:util';
import { filterTraces } from '../analyses/filter';
import { sliceValue } from '../analyses/slices';
import type { AnalysisOptions } from '../analyses/options';
import { isUrl } from '../load';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { renderText } from '../report/text';
import { parseCompare, parseEdge, parseFormat, parseKeyValue, parseNumber, parseTime } from './args';
import { analyzeWithProgress, emit, loadWithProgress, reportSkipped } from './io';
import { readTopologyFile } from './topology-file';
import { mltraceVersion } from '../version';
import { ANALYZE_HELP, EXIT_FAILURE, EXIT_OK, UsageError } from './usage';

export async function runAnalyze(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      operation: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      where: { type: 'string', multiple: true },
      limit: { type: 'string' },
      threads: { type: 'string' },
      compare: { type: 'string' },
      'bucket-ms': { type: 'string' },
      speedup: { type: 'string' },
      'target-rate': { type: 'string' },
      'entry-service': { type: 'string' },
      'expect-edge': { type: 'string', multiple: true },
      topology: { type: 'string' },
      'jaeger-url': { type: 'string' },
      top: { type: 'string' },
      summary: { type: 'boolean' },
      format: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(ANALYZE_HELP);
    return EXIT_OK;
  }
  if (!positionals.length) throw new UsageError('give at least one source (file, directory or Jaeger URL)');
  const format = parseFormat(values.format, ['text', 'json', 'md', 'html'] as const, 'text');
  const since = values.since === undefined ? undefined : parseTime(values.since, '--since');
  const until = values.until === undefined ? undefined : parseTime(values.until, '--until');
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError('--since must be before --until');
  const where = (values.where ?? []).map((w) => parseKeyValue(w, '--where'));
  const top = parseNumber(values.top, '--top', { min: 1, integer: true });
  const limit = parseNumber(values.limit, '--limit', { min: 1, integer: true });
  const threads = parseNumber(values.threads, '--threads', { min: 1, integer: true });
  const jaegerUrl = values['jaeger-url'] ?? positionals.find(isUrl);
  if (jaegerUrl !== undefined && !isUrl(jaegerUrl)) throw new UsageError(`--jaeger-url: expected an http(s) URL of the Jaeger UI, got "${jaegerUrl}"`);
  const opts: AnalysisOptions = {
    ...(values.topology !== undefined ? readTopologyFile(values.topology) : {}),
    ...(values.compare !== undefined ? { compare: parseCompare(values.compare) } : {}),
    ...(values['bucket-ms'] !== undefined ? { bucketMs: parseNumber(values['bucket-ms'], '--bucket-ms', { min: 1 }) as number } : {}),
    ...(values.speedup !== undefined ? { speedupPercent: parseNumber(values.speedup, '--speedup', { min: 0 }) as number } : {}),
    ...(values['target-rate'] !== undefined ? { targetRate: parseNumber(values['target-rate'], '--target-rate', { min: 0 }) as number } : {}),
    ...(values['entry-service'] !== undefined ? { entryService: values['entry-service'] } : {}),
    ...(values['expect-edge'] ? { expectedEdges: values['expect-edge'].map(parseEdge) } : {}),
    ...(top !== undefined ? { topN: top } : {}),
  };

  const loaded = await loadWithProgress(positionals, {
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(values.service !== undefined ? { service: values.service } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(threads !== undefined ? { parallel: { threads } } : {}),
  });
  reportSkipped(loaded);
  // Jaeger already selected its traces by time: filtering them again by their start would drop
  // traces that began before --since but have spans inside the window.
  const timeSelectedBySource = positionals.every(isUrl);
  const traces = filterTraces(loaded.traces, {
    ...(values.service !== undefined ? { service: values.service } : {}),
    ...(values.operation !== undefined ? { operation: values.operation } : {}),
    ...(since !== undefined && !timeSelectedBySource ? { since } : {}),
    ...(until !== undefined && !timeSelectedBySource ? { until } : {}),
    where,
  });
  if (!traces.length) {
    process.stderr.write(`mltrace analyze: no traces ${loaded.traces.length ? `match the selection (${loaded.traces.length} loaded)` : `found in ${positionals.join(', ')}`}\n`);
    return EXIT_FAILURE;
  }
  if (opts.compare) {
    // A comparison with an empty side says nothing: fail, as `mltrace compare` does.
    const { key, a, b } = opts.compare;
    for (const v of [a, b]) {
      if (!traces.some((t) => sliceValue(t, key) === v)) {
        process.stderr.write(`mltrace analyze: --compare ${key}=${a},${b}: no traces with ${key}=${v} (${traces.length} selected)\n`);
        return EXIT_FAILURE;
      }
    }
  }
  const report = analyzeWithProgress(traces, opts);
  const sectionOpts = { ...(top !== undefined ? { topN: top } : {}), ...(values.summary ? { only: ['summary', 'recommendations'] } : {}) };
  const linkOpts = jaegerUrl !== undefined ? { jaegerUrl } : {};
  const htmlOpts = { ...sectionOpts, ...linkOpts, source: positionals, version: mltraceVersion() };
  const text =
    format === 'json'
      ? `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`
      : format === 'md'
        ? renderMarkdown(report, { ...sectionOpts, ...linkOpts })
        : format === 'html'
          ? renderHtml(report, htmlOpts)
          : renderText(report, sectionOpts);
  await emit(text, values.out);
  return EXIT_OK;
}
