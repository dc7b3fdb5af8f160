/**
 * The report as sections of paragraphs and tables, built once from an AnalysisReport and
 * rendered by the text, Markdown and HTML writers (so they never disagree on content).
 */
import type { AnalysisReport } from '../analyses/analyze';
import { KNEE_LATENCY_RATIO } from '../analyses/capacity';
import { dur, evidenceValue, num, pct, pValue, rate, time } from './format';

export interface Table {
  title?: string;
  columns: string[];
  /** 'r' for numbers. */
  align: Array<'l' | 'r'>;
  rows: string[][];
  /** Index of the column holding example trace ids (comma-separated), which the HTML report links to Jaeger. */
  traceColumn?: number;
}

export interface Section {
  id: string;
  title: string;
  lines: string[];
  tables: Table[];
}

export interface SectionOptions {
  topN?: number;
  /** Keep only these section ids (summary, recommendations, performance, bottlenecks, critical-path, self-time, errors, dependencies, completeness, slices, capacity). */
  only?: readonly string[];
}

function table(title: string | undefined, spec: Array<[string, 'l' | 'r']>, rows: string[][]): Table {
  const traceColumn = spec.findIndex((c) => c[0] === EXAMPLE_TRACES);
  return { ...(title ? { title } : {}), columns: spec.map((s) => s[0]), align: spec.map((s) => s[1]), rows, ...(traceColumn >= 0 ? { traceColumn } : {}) };
}

/** The column of example trace ids (linked to Jaeger in the HTML report). */
export const EXAMPLE_TRACES = 'example traces';
const ids = (list: readonly string[] | undefined, n = 2): string => (list ?? []).slice(0, n).join(', ');

/** "meanRoundTripsPerRequest" → "mean round trips per request". */
export function evidenceLabel(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2').toLowerCase();
}

type Recommendation = AnalysisReport['recommendations'][number];

/** How a writer shows ids and the words around them (plain text by default; Markdown links and escapes). */
export interface IdFormat {
  traceId: (id: string) => string;
  spanId: (id: string) => string;
  text: (words: string) => string;
}

const PLAIN: IdFormat = { traceId: (id) => id, spanId: (id) => id, text: (w) => w };

/** A finding's examples in words: the trace ids, and in the first trace the parent span and the spans. */
export function examplesLine(x: Recommendation, f: IdFormat = PLAIN): string | undefined {
  const e = x.examples;
  const first = e.traceIds[0];
  if (first === undefined) return undefined;
  const traces = `${f.text('traces ')}${e.traceIds.map(f.traceId).join(f.text(', '))}`;
  if (!e.spanIds?.length) return traces;
  const parent = e.parentSpanId ? `${f.text('under span ')}${f.spanId(e.parentSpanId)}${f.text(', ')}` : '';
  const spans = `${f.text(e.spanIds.length > 1 ? 'spans ' : 'span ')}${e.spanIds.slice(0, 20).map(f.spanId).join(f.text(', '))}${e.spanIds.length > 20 ? f.text(', …') : ''}`;
  return `${traces}${f.text('; in ')}${f.traceId(first)}${f.text(': ')}${parent}${spans}`;
}

/** A recommendation's lines in words (the text and Markdown reports); `examples` is the examples line as the writer formats it. */
export function recommendationLines(x: Recommendation, i: number, examples = examplesLine(x)): { head: string; body: string[]; examples: string | undefined; action: string } {
  return {
    head: `${i + 1}. [${x.id}] ${x.title} — ${x.target}`,
    body: [
      `gain: ${evidenceValue(x.estimatedGain.value)} ${x.estimatedGain.unit} (${x.estimatedGain.description}); impact ${pct(x.impact, 2)}`,
      `evidence: ${Object.entries(x.evidence).map(([k, v]) => `${evidenceLabel(k)} ${evidenceValue(v, k)}`).join('; ')}`,
    ],
    examples,
    action: `action: ${x.action}`,
  };
}

/** The line shown when no rule fired. */
export const NO_RECOMMENDATIONS = 'No rule fired: nothing in these traces crossed a threshold.';

export function buildSections(r: AnalysisReport, opts: SectionOptions = {}): Section[] {
  const top = opts.topN ?? 10;
  const p = r.performance;
  const out: Section[] = [];

  const tr = r.traffic;
  const apart = tr.apart.slice(0, 3).map((a) => `${num(a.traces)} ${a.kind} (${a.service}: ${a.operation})`).join(', ');
  out.push({
    id: 'summary',
    title: 'Summary',
    lines: [
      `${num(p.traces)} requests, ${num(p.spans)} spans, ${time(p.window.start)} → ${time(p.window.end)}`,
      ...(tr.healthChecks + tr.background ? [`kept apart from the requests: ${num(tr.healthChecks)} health checks, ${num(tr.background)} background traces (start-up and other work no request asked for)${apart ? `: ${apart}` : ''}`] : []),
      ...(tr.note ? [tr.note] : []),
      ...(p.sampleNote ? [p.sampleNote] : []),
      `end-to-end latency p50 ${dur(p.latency.p50)}, p95 ${dur(p.latency.p95)}, p99 ${dur(p.latency.p99)}; success rate ${pct(p.successRate, 2)} (${num(p.failedTraces)} failed; ${num(p.rejectedTraces)} rejected as bad requests, ${pct(p.rejectionRate, 2)}; ${num(r.errors.handled.traces)} succeeded despite handled errors)`,
      `throughput mean ${rate(p.throughput.meanRate)}, peak ${rate(p.throughput.peakRate)} (bucket ${num(p.throughput.bucketMs)} ms, CV ${num(p.throughput.cv, 2)})${
        p.throughput.estimated.weighted ? `; sampling-corrected (1/p): ${num(Math.round(p.throughput.estimated.requests))} requests, mean ${rate(p.throughput.estimated.meanRate)}, peak ${rate(p.throughput.estimated.peakRate)}` : ''
      }`,
      `completeness score ${num(r.completeness.score, 3)} (traced operations ${pct(r.completeness.tracedOperations)} × propagation ${pct(r.completeness.propagationRate)})${r.completeness.hopAtFault ? `, hop at fault: ${r.completeness.hopAtFault}` : ''}`,
    ],
    tables: [],
  });

  out.push({
    id: 'recommendations',
    title: 'Recommendations (by impact)',
    lines: r.recommendations.length
      ? r.recommendations.flatMap((x, i) => {
          const l = recommendationLines(x, i);
          return [l.head, ...l.body.map((b) => `   ${b}`), ...(l.examples ? [`   examples: ${l.examples}`] : []), `   ${l.action}`];
        })
      : [NO_RECOMMENDATIONS],
    tables: [],
  });

  out.push({
    id: 'performance',
    title: 'Performance',
    lines: [],
    tables: [
      table('End-to-end latency', [['count', 'r'], ['mean', 'r'], ['std', 'r'], ['min', 'r'], ['p50', 'r'], ['p90', 'r'], ['p95', 'r'], ['p99', 'r'], ['max', 'r']], [
        [num(p.latency.count), dur(p.latency.mean), dur(p.latency.std), dur(p.latency.min), dur(p.latency.p50), dur(p.latency.p90), dur(p.latency.p95), dur(p.latency.p99), dur(p.latency.max)],
      ]),
      table(
        'Per service (spans entering the service)',
        [['service', 'l'], ['requests', 'r'], ['errors', 'r'], ['mean', 'r'], ['p50', 'r'], ['p95', 'r'], ['p99', 'r'], [EXAMPLE_TRACES, 'l']],
        p.byService.map((s) => [s.service, num(s.count), pct(s.errorRate), dur(s.latency.mean), dur(s.latency.p50), dur(s.latency.p95), dur(s.latency.p99), ids(s.exampleTraceIds)]),
      ),
      table(
        `Top ${top} operations by total time`,
        [['service', 'l'], ['operation', 'l'], ['count', 'r'], ['errors', 'r'], ['mean', 'r'], ['p50', 'r'], ['p95', 'r'], [EXAMPLE_TRACES, 'l']],
        p.byOperation.slice(0, top).map((o) => [o.service, o.operation, num(o.count), pct(o.errorRate), dur(o.latency.mean), dur(o.latency.p50), dur(o.latency.p95), ids(o.exampleTraceIds)]),
      ),
    ],
  });

  out.push({
    id: 'bottlenecks',
    title: 'Bottlenecks',
    lines: [r.bottlenecks.scoreDefinition],
    tables: [
      table(
        undefined,
        [['#', 'r'], ['service', 'l'], ['operation', 'l'], ['count', 'r'], ['mean', 'r'], ['p95', 'r'], ['self mean', 'r'], ['share', 'r'], ['opt. potential', 'r'], [EXAMPLE_TRACES, 'l']],
        r.bottlenecks.ranked
          .slice(0, top)
          .map((b, i) => [String(i + 1), b.service, b.operation, num(b.count), dur(b.mean), dur(b.p95), dur(b.selfTimeMean), pct(b.share), dur(b.optimizationPotential), b.exampleTraceId]),
      ),
    ],
  });

  const cp = r.criticalPath;
  out.push({
    id: 'critical-path',
    title: 'Critical path across traces',
    lines: [cp.savingDefinition, '"incl. calls to it": also the time callers\' client spans wait on the service beyond its own spans (network, queueing)'],
    tables: [
      table(
        'Per service',
        [['service', 'l'], ['share of e2e', 'r'], ['p50 share', 'r'], ['p95 share', 'r'], ['on path', 'r'], ['incl. calls to it', 'r'], [`saving if ${cp.speedupPercent}% faster`, 'r'], [EXAMPLE_TRACES, 'l']],
        cp.byService.map((s) => [
          s.service,
          pct(s.shareOfTotal),
          pct(s.shareP50),
          pct(s.shareP95),
          pct(s.presence),
          pct(cp.byCallee.find((c) => c.service === s.service)?.shareOfTotal),
          `${dur(s.saving.meanUs)} (${pct(s.saving.meanShare)})`,
          ids(s.exampleTraceIds),
        ]),
      ),
      table(
        `Top ${top} operations`,
        [['service', 'l'], ['operation', 'l'], ['share of e2e', 'r'], ['p50 share', 'r'], ['p95 share', 'r'], ['mean time', 'r'], ['saving', 'r'], [EXAMPLE_TRACES, 'l']],
        cp.byOperation.slice(0, top).map((o) => [o.service, o.operation, pct(o.shareOfTotal), pct(o.shareP50), pct(o.shareP95), dur(o.meanTime), `${dur(o.saving.meanUs)} (${pct(o.saving.meanShare)})`, ids(o.exampleTraceIds)]),
      ),
    ],
  });

  out.push({
    id: 'self-time',
    title: 'Self time and latency attribution',
    lines: ['contribution = service critical-path time / end-to-end time'],
    tables: [
      table(
        undefined,
        [['service', 'l'], ['self time', 'r'], ['share of self time', 'r'], ['contribution', 'r'], ['mean per trace', 'r'], [EXAMPLE_TRACES, 'l']],
        r.selfTime.byService.map((s) => {
          const c = r.selfTime.contribution.find((x) => x.service === s.service);
          return [s.service, dur(s.selfTime), pct(s.share), pct(c?.contribution ?? 0), pct(c?.meanTraceContribution ?? 0), ids(s.exampleTraceIds)];
        }),
      ),
    ],
  });

  const e = r.errors;
  out.push({
    id: 'errors',
    title: 'Errors',
    lines: [
      `${num(e.failedTraces)} of ${num(e.totalTraces)} traces failed (${pct(e.errorRate, 2)}), ${num(e.errorSpans)} failing spans`,
      `${num(e.rejectedTraces)} requests rejected with a 4xx (${pct(e.rejectionRate, 2)}; the caller's mistake, not failures)`,
      `${num(e.handled.traces)} requests succeeded despite ${num(e.handled.spans)} failing spans below their entry (handled errors: retries, fallbacks)`,
      'a request fails when its entry span does; the origin is the deepest failing span, or the deepest span that used up the budget of a span that gave up waiting',
    ],
    tables: [
      ...(e.rejectedTraces ? [table('Rejections (4xx) by type', [['type', 'l'], ['traces', 'r'], [EXAMPLE_TRACES, 'l']], e.rejectionsByType.slice(0, top).map((t) => [t.type, num(t.count), ids(t.exampleTraceIds)]))] : []),
      ...(e.failedTraces
      ? [
          table(
            'Origins of failed requests',
            [['service', 'l'], ['operation', 'l'], ['type', 'l'], ['traces', 'r'], ['share', 'r'], ['chain (example)', 'l'], [EXAMPLE_TRACES, 'l']],
            e.origins
              .slice(0, top)
              .map((o) => [
                o.service,
                o.unansweredCallee ? `${o.operation} → ${o.unansweredCallee} (no answer)` : o.gaveUpBy ? `${o.operation} (used the budget of ${o.gaveUpBy})` : o.operation,
                o.type,
                num(o.traces),
                pct(o.share),
                o.exampleChain.join(' → '),
                ids(o.exampleTraceIds),
              ]),
          ),
          table('By type', [['type', 'l'], ['spans', 'r'], [EXAMPLE_TRACES, 'l']], e.byType.slice(0, top).map((t) => [t.type, num(t.count), ids(t.exampleTraceIds)])),
          table('By service', [['service', 'l'], ['failing spans', 'r'], ['rate', 'r'], [EXAMPLE_TRACES, 'l']], e.byService.map((s) => [s.service, num(s.count), pct(s.rate, 2), ids(s.exampleTraceIds)])),
          table('Co-occurrence (traces where both fail)', [['service', 'l'], ['service', 'l'], ['traces', 'r'], [EXAMPLE_TRACES, 'l']], e.coOccurrence.slice(0, top).map((c) => [c.a, c.b, num(c.traces), ids(c.exampleTraceIds)])),
        ]
      : []),
      ...(e.handled.traces
        ? [
            table(
              'Handled errors (the request succeeded)',
              [['service', 'l'], ['operation', 'l'], ['type', 'l'], ['spans', 'r'], ['traces', 'r'], [EXAMPLE_TRACES, 'l']],
              e.handled.byOperation.slice(0, top).map((h) => [h.service, h.operation, h.type, num(h.spans), num(h.traces), h.exampleTraceId]),
            ),
          ]
        : []),
    ],
  });

  const d = r.dependencies;
  const c0 = r.completeness;
  out.push({
    id: 'dependencies',
    title: 'Service dependencies',
    lines: [
      c0.topology === 'inferred'
        ? `no expected edges: these traces are not mltrace's own and no topology was configured (--topology, --expect-edge); entry service inferred from the roots: ${c0.entryService}`
        : `expected edges from ${c0.topology === 'mltrace' ? "mltrace's own topology (recognized from the traces' resources)" : 'the configuration'}; entry service ${c0.entryService}`,
      ...d.expected.filter((x) => x.status !== 'present').map((x) => `expected edge ${x.from}→${x.to} is ${x.status.toUpperCase()} (coverage ${pct(x.coverage)} of ${num(x.applies)} requests it applies to${x.mode === 'called' ? ', those that called it' : ''})`),
    ],
    tables: [
      table(
        undefined,
        [['caller', 'l'], ['callee', 'l'], ['kind', 'l'], ['calls', 'r'], ['unanswered', 'r'], ['mean', 'r'], ['p95', 'r'], ['errors', 'r'], ['coverage', 'r'], ['criticality', 'r'], [EXAMPLE_TRACES, 'l']],
        d.edges.map((x) => [x.from, x.to, x.kind, num(x.calls), num(x.unanswered), dur(x.meanUs), dur(x.p95Us), pct(x.errorRate, 2), pct(x.coverage), num(x.criticality, 3), ids(x.exampleTraceIds)]),
      ),
    ],
  });

  const c = r.completeness;
  out.push({
    id: 'completeness',
    title: 'Trace completeness',
    lines: [
      `score ${num(c.score, 3)} = traced operations ${pct(c.tracedOperations)} × propagation rate ${pct(c.propagationRate)}${c.hopAtFault ? `; hop at fault: ${c.hopAtFault}` : ''}`,
      `orphan spans ${num(c.orphanSpans)}, multi-root traces ${num(c.multiRootTraces)}, roots with an untraced caller ${num(c.externalParentRoots)}, clock-skewed children ${num(c.clockSkew.count)}`,
      ...c.downstreamRoots.map((x) => `${num(x.traces)} traces start in ${x.service} without context (hop ${x.hop})`),
      ...c.missingServices.map((x) => `${num(x.traces)} entry traces (${pct(x.share)}) lack ${x.service}`),
    ],
    tables: [
      table(
        'Hops',
        [['hop', 'l'], ['calls', 'r'], ['context lost', 'r'], ['split traces', 'r'], ['missing keys', 'l'], [EXAMPLE_TRACES, 'l']],
        c.hops.slice(0, top).map((h) => [h.hop, num(h.calls), num(h.contextLost), num(h.traceContextLost), h.missingKeys.map((k) => `${k.key} (${num(k.count)})`).join(', '), ids(h.exampleTraceIds)]),
      ),
    ],
  });

  const s = r.slices;
  const sliceTables: Table[] = s.byKey.map((k) =>
    table(
      k.key,
      [['value', 'l'], ['traces', 'r'], ['req/s', 'r'], ['p50', 'r'], ['p95', 'r'], ['errors', 'r'], ['rejected', 'r'], ['top failure / 4xx', 'l'], ['top self time', 'l'], ['top cp service', 'l'], ['confidence', 'r'], [EXAMPLE_TRACES, 'l']],
      k.values.slice(0, top).map((v) => {
        const [cpService, cpShare] = Object.entries(v.cpShareByService)[0] ?? ['–', 0];
        const op = v.topOperations[0];
        return [
          v.value,
          num(v.traces),
          num(v.throughput, 1),
          dur(v.latency.p50),
          dur(v.latency.p95),
          pct(v.errorRate, 2),
          pct(v.rejectionRate, 2),
          v.errorTypes[0]?.type ?? (v.rejectionTypes[0] ? `4xx ${v.rejectionTypes[0].type}` : '–'),
          op ? `${op.service}: ${op.operation} (${pct(op.selfTimeShare)})` : '–',
          `${cpService} ${pct(cpShare)}`,
          v.confidence === null ? '–' : num(v.confidence, 3),
          ids(v.exampleTraceIds),
        ];
      }),
    ),
  );
  if (s.slowSlices.length) {
    sliceTables.unshift(
      table(
        'Slow slices',
        [['slice', 'l'], ['traces', 'r'], ['mean', 'r'], ['rest mean', 'r'], ['ratio', 'r'], ['p50', 'r'], ['rest p50', 'r'], ['p-value', 'r'], [EXAMPLE_TRACES, 'l']],
        s.slowSlices.slice(0, top).map((x) => [x.label, num(x.traces), dur(x.meanUs), dur(x.restMeanUs), `${num(x.ratio, 2)}×`, dur(x.p50Us), dur(x.restP50Us), pValue(x.pValue), ids(x.exampleTraceIds)]),
      ),
    );
  }
  sliceTables.push(
    table(
      `Attributes separating slow traces (≥ ${dur(s.separators.slowThresholdUs)}) and failed traces`,
      [['attribute', 'l'], ['gain (slow)', 'r'], ['worst value', 'l'], ['slow rate', 'r'], ['gain (failed)', 'r'], [EXAMPLE_TRACES, 'l']],
      s.separators.slow.map((x) => {
        const f = s.separators.failed.find((y) => y.key === x.key);
        return [x.key, num(x.informationGain, 4), x.value, `${pct(x.rate)} vs ${pct(x.baseRate)}`, num(f?.informationGain ?? 0, 4), ids(x.exampleTraceIds)];
      }),
    ),
  );
  const cmp = s.comparison;
  if (cmp) sliceTables.unshift(comparisonTable(cmp));
  out.push({ id: 'slices', title: 'ML-context slices', lines: [], tables: sliceTables });

  const cap = r.capacity;
  out.push({
    id: 'capacity',
    title: 'Capacity',
    lines: [
      cap.knee ? `knee at about ${rate(cap.knee.rate)} (mean latency ${dur(cap.knee.meanLatencyUs)}); beyond it latency rises > ${KNEE_LATENCY_RATIO}× its lowest at lower load` : (cap.kneeNote ?? 'no knee observed in the load range of these traces'),
      `Little's law at a target of ${rate(cap.targetRate)} at ${cap.entryService}: L = λ·W per service below`,
    ],
    tables: [
      table(
        undefined,
        [['service', 'l'], ['requests', 'r'], ['mean latency', 'r'], ['peak conc.', 'r'], ['mean conc.', 'r'], ['λ at target', 'r'], ['needed conc.', 'r']],
        cap.services.map((x) => [x.service, num(x.requests), dur(x.meanLatencyUs), num(x.peakConcurrency), num(x.meanConcurrency, 2), rate(x.targetRate), num(x.requiredConcurrency, 1)]),
      ),
      table('Throughput vs latency (load bands)', [['rate', 'r'], ['buckets', 'r'], ['requests', 'r'], ['mean latency', 'r']], cap.loadBands.map((b) => [rate(b.meanRate), num(b.buckets), num(b.requests), dur(b.meanLatencyUs)])),
    ],
  });
  return opts.only ? out.filter((s) => opts.only?.includes(s.id)) : out;
}

export function comparisonTable(cmp: NonNullable<AnalysisReport['slices']['comparison']>): Table {
  return table(
    `Comparison: ${cmp.a.label} vs ${cmp.b.label}`,
    [['metric', 'l'], [cmp.a.label, 'r'], [cmp.b.label, 'r'], ['difference', 'r'], ['significance', 'l']],
    [
      ['traces', num(cmp.a.traces), num(cmp.b.traces), '', ''],
      ['latency p50', dur(cmp.a.latency.p50), dur(cmp.b.latency.p50), `${dur(cmp.latency.p50DiffUs)} (${num(cmp.latency.p50Ratio, 2)}×)`, `${cmp.latency.significance} (Mann–Whitney, p=${pValue(cmp.latency.test.pValue)})`],
      ['latency p95', dur(cmp.a.latency.p95), dur(cmp.b.latency.p95), dur(cmp.b.latency.p95 - cmp.a.latency.p95), ''],
      ['latency mean', dur(cmp.a.latency.mean), dur(cmp.b.latency.mean), dur(cmp.latency.meanDiffUs), ''],
      ['error rate', pct(cmp.a.errorRate, 2), pct(cmp.b.errorRate, 2), pct(cmp.errors.rateDiff, 2), `${cmp.errors.significance} (two-proportion z, p=${pValue(cmp.errors.test.pValue)})`],
      ['rejection rate (4xx)', pct(cmp.a.rejectionRate, 2), pct(cmp.b.rejectionRate, 2), pct(cmp.rejections.rateDiff, 2), `${cmp.rejections.significance} (two-proportion z, p=${pValue(cmp.rejections.test.pValue)})`],
      [
        'confidence',
        cmp.a.confidence === null ? '–' : num(cmp.a.confidence, 3),
        cmp.b.confidence === null ? '–' : num(cmp.b.confidence, 3),
        cmp.confidence.diff === null ? '–' : num(cmp.confidence.diff, 3),
        cmp.confidence.test ? `${cmp.confidence.significance} (Mann–Whitney, p=${pValue(cmp.confidence.test.pValue)})` : cmp.confidence.significance,
      ],
      ...cmp.operations.map((o) => [`p50 ${o.service}: ${o.operation}`, dur(o.p50A), dur(o.p50B), `${num(o.ratio, 2)}×`, '']),
    ],
  );
}
