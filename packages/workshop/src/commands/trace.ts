import { parseArgs } from 'node:util';
import { filterTraces, loadSources, type Trace } from '@mltrace/analysis';
import type { WorkshopConfig } from '../config';
import { readState } from '../state';
import { loadOptionsFor } from '../lab-window';
import { shown } from '../shown';
import { EXIT_OK, UsageError } from '../usage';
import { contextAttributes, renderWaterfall, traceDuration } from '../waterfall';
import { jaegerQueryUrl } from '../jaeger-url';

/** A trace a request made: it has the gateway's server span (start-up traces do not). */
const isRequestTrace = (t: Trace): boolean => t.spans.some((s) => s.kind === 'server' && s.service === 'gateway');

/**
 * `mltrace lab trace [SOURCE] [--trace ID | --where K=V… --failed --pick slowest|median] [--ids]`: one
 * trace as a text timeline (default: the slowest request trace of the lab's traces), with its ML
 * context and, with --ids, the span and parent ids each hop's `traceparent` carried.
 */
export async function runTrace(argv: string[], config: WorkshopConfig, out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      trace: { type: 'string' },
      where: { type: 'string', multiple: true, default: [] },
      pick: { type: 'string', default: 'slowest' },
      failed: { type: 'boolean', default: false },
      ids: { type: 'boolean', default: false },
      width: { type: 'string', default: '40' },
    },
    allowPositionals: true,
  });
  const width = Number(values.width);
  if (!Number.isInteger(width) || width < 10 || width > 200) throw new UsageError(`--width must be an integer in 10..200, not ${JSON.stringify(values.width)}`);
  if (values.pick !== 'slowest' && values.pick !== 'median') throw new UsageError(`--pick must be slowest or median, not ${JSON.stringify(values.pick)}`);
  const where = values.where.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new UsageError(`--where takes KEY=VALUE, not ${JSON.stringify(w)}`);
    return { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
  if (positionals.length > 1) throw new UsageError('trace takes one source (a folder, a file or a Jaeger URL)');
  const state = readState(config.labDir);
  if (!positionals[0] && state?.otlpEndpoint) throw new UsageError(`this lab's traces went to ${state.otlpEndpoint}: name Jaeger's URL, e.g. mltrace lab trace ${jaegerQueryUrl(state.otlpEndpoint)}`);
  const source = positionals[0] ?? state?.tracesDir;
  if (!source) throw new UsageError('no lab has run here: name a source (a folder of trace files, a file or a Jaeger URL)');
  const { traces } = await loadSources([source], loadOptionsFor(source, state));
  let pick: Trace | undefined;
  if (values.trace) {
    const want = values.trace.toLowerCase();
    pick = traces.find((t) => t.traceId.startsWith(want));
    if (!pick) throw new Error(`no trace ${values.trace} in ${shown(source)}`);
  } else {
    const candidates = filterTraces(traces, { where })
      .filter(isRequestTrace)
      .filter((t) => !values.failed || t.spans.some((s) => s.status === 'error')).sort((a, b) => traceDuration(b) - traceDuration(a));
    pick = values.pick === 'median' ? candidates[Math.floor(candidates.length / 2)] : candidates[0];
    if (!pick) throw new Error(`no ${values.failed ? 'failed ' : ''}request traces${where.length ? ` with ${values.where.join(', ')}` : ''} in ${shown(source)}`);
  }
  for (const line of renderWaterfall(pick, { width, ids: values.ids })) out(line);
  const root = pick.spans.find((s) => !s.parentSpanId) ?? pick.spans[0];
  const ctx = root ? contextAttributes(root) : [];
  if (ctx.length > 0) {
    out('');
    out(`ML context on the root span (from baggage; the services copy it onto every span):`);
    for (const [k, v] of ctx) out(`  ${k} = ${v}`);
  }
  if (values.ids) {
    out('');
    out('traceparent on each hop (version-traceid-parentspanid-flags):');
    const byId = new Map(pick.spans.map((s) => [s.spanId, s]));
    for (const s of pick.spans) {
      const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      if (s.kind === 'server' && parent && parent.service !== s.service) {
        out(`  ${parent.service} → ${s.service}: 00-${pick.traceId}-${parent.spanId}-01`);
      }
    }
  }
  return EXIT_OK;
}
