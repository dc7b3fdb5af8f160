/**
 * One self-contained HTML file: inline CSS and SVG charts, no scripts and no network.
 * Every value that comes from the traces goes through esc() (span names and attributes are
 * untrusted input).
 */
import type { AnalysisReport } from '../analyses/analyze';
import { dur, evidenceValue, num, pct, time, traceUrl } from './format';
import { buildSections, evidenceLabel, type SectionOptions, type Table } from './sections';

export interface HtmlOptions extends SectionOptions {
  /** What was analyzed (files, directories, a Jaeger URL), for the header. */
  source?: readonly string[];
  /** The mltrace version, for the header. */
  version?: string;
  /** Jaeger UI base URL: trace ids become links to `<url>/trace/<id>`. */
  jaegerUrl?: string;
}

/** A trace id, linked to Jaeger UI when a base URL is known. */
function traceLink(id: string, jaegerUrl: string | undefined): string {
  if (!jaegerUrl) return `<code>${esc(id)}</code>`;
  return `<a class="trace" href="${esc(traceUrl(jaegerUrl, id))}"><code>${esc(id)}</code></a>`;
}

function traceLinks(ids: readonly string[], jaegerUrl: string | undefined): string {
  return ids.map((id) => traceLink(id, jaegerUrl)).join(', ');
}

/**
 * Markup characters as character references; control characters (NUL, CR, …, from span data) as
 * their visible Control Pictures (U+2400 + code: NUL → ␀, CR → ␍), since HTML may not carry them raw.
 */
export function esc(v: unknown): string {
  return String(v)
    .replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => (c === '\u007f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0))));
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function htmlTable(t: Table, jaegerUrl: string | undefined): string {
  const head = t.columns.map((c, i) => `<th class="${t.align[i]}">${esc(c)}</th>`).join('');
  const cell = (c: string, i: number) => (i === t.traceColumn && c ? traceLinks(c.split(', '), jaegerUrl) : esc(c));
  const body = t.rows.map((r) => `<tr>${r.map((c, i) => `<td class="${t.align[i]}">${cell(c, i)}</td>`).join('')}</tr>`).join('\n');
  return `${t.title ? `<h3>${esc(t.title)}</h3>` : ''}<table><thead><tr>${head}</tr></thead><tbody>${body || `<tr><td colspan="${t.columns.length}">(none)</td></tr>`}</tbody></table>`;
}

function histogramChart(r: AnalysisReport): string {
  const h = r.performance.histogram;
  const W = 640;
  const H = 220;
  const max = Math.max(1, ...h.counts);
  const bw = h.counts.length ? (W - 60) / h.counts.length : 0;
  const bars = h.counts
    .map((c, i) => {
      const bh = ((H - 50) * c) / max;
      return `<rect x="${50 + i * bw}" y="${H - 30 - bh}" width="${Math.max(1, bw - 2)}" height="${bh}" fill="#4e79a7"><title>${esc(`${dur(h.bounds[i])} – ${dur(h.bounds[i + 1])}: ${c}`)}</title></rect>`;
    })
    .join('');
  const labels = h.bounds.length
    ? [0, Math.floor(h.counts.length / 2), h.counts.length]
        .map((i, k) => `<text x="${50 + i * bw}" y="${H - 12}" font-size="11" text-anchor="${['start', 'middle', 'end'][k]}">${esc(dur(h.bounds[i]))}</text>`)
        .join('')
    : '<text x="20" y="40">no traces</text>';
  return `<svg class="chart" data-chart="latency-histogram" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="End-to-end latency histogram">
<line x1="48" y1="${H - 30}" x2="${W - 8}" y2="${H - 30}" stroke="#888"/><text x="48" y="14" font-size="11">${esc(`max ${max} traces per bucket`)}</text>${bars}${labels}</svg>`;
}

function criticalPathChart(r: AnalysisReport): string {
  const rows = r.criticalPath.byService;
  const W = 640;
  const H = 30 + rows.length * 26;
  const bars = rows
    .map((s, i) => {
      const w = Math.max(1, (W - 260) * s.shareOfTotal);
      return `<text x="8" y="${30 + i * 26}" font-size="12">${esc(s.service)}</text><rect x="160" y="${18 + i * 26}" width="${w}" height="16" fill="${PALETTE[i % PALETTE.length]}"/><text x="${166 + w}" y="${30 + i * 26}" font-size="12">${esc(pct(s.shareOfTotal))}</text>`;
    })
    .join('');
  return `<svg class="chart" data-chart="critical-path-by-service" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Share of end-to-end time on the critical path per service"><text x="8" y="12" font-size="11">share of end-to-end time on the critical path</text>${bars}</svg>`;
}

function dependencyGraph(r: AnalysisReport): string {
  const d = r.dependencies;
  // Databases and brokers are nodes too: they have no spans, their callers name them.
  const backends = new Set(d.backends.map((b) => b.name));
  const names = [...d.services.map((s) => s.name), ...backends];
  // Layered layout: depth = shortest number of edges from a service nothing calls.
  const callers = new Map<string, string[]>();
  for (const e of d.edges) callers.set(e.to, [...(callers.get(e.to) ?? []), e.from]);
  const depth = new Map<string, number>();
  const sources = names.filter((n) => !(callers.get(n) ?? []).length);
  const queue = sources.length ? [...sources] : names.slice(0, 1);
  for (const s of queue) depth.set(s, 0);
  while (queue.length) {
    const s = queue.shift() as string;
    for (const e of d.edges)
      if (e.from === s && !depth.has(e.to)) {
        depth.set(e.to, (depth.get(s) as number) + 1);
        queue.push(e.to);
      }
  }
  for (const n of names) if (!depth.has(n)) depth.set(n, 0);
  const layers = new Map<number, string[]>();
  for (const n of names) layers.set(depth.get(n) as number, [...(layers.get(depth.get(n) as number) ?? []), n]);
  const maxRows = Math.max(1, ...[...layers.values()].map((l) => l.length));
  const COL = 330;
  const H = Math.max(160, 70 * maxRows + 40);
  const pos = new Map<string, { x: number; y: number }>();
  for (const [dpt, list] of layers) list.forEach((n, i) => pos.set(n, { x: 30 + dpt * COL, y: 30 + ((i + 0.5) * (H - 60)) / list.length }));
  const missing = d.expected.filter((e) => e.status === 'missing');
  for (const m of missing) for (const n of [m.from, m.to]) if (!pos.has(n)) pos.set(n, { x: 30 + COL * layers.size, y: 40 + 50 * pos.size });
  const W = Math.max(640, ...[...pos.values()].map((p) => p.x + 170));
  const edge = (from: string, to: string, label: string, cls: string) => {
    const a = pos.get(from);
    const b = pos.get(to);
    if (!a || !b) return '';
    const x1 = a.x + 140;
    const y1 = a.y;
    const x2 = b.x;
    const y2 = b.y;
    // Labels sit near the callee end of the edge, where edges fanning out are apart.
    const lx = x1 + (x2 - x1) * 0.62;
    const ly = y1 + (y2 - y1) * 0.62 - 5;
    return `<g class="${cls}"><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#arrow)"/><text x="${lx}" y="${ly}" font-size="10" text-anchor="middle" paint-order="stroke" stroke="#fafafa" stroke-width="3">${esc(label)}</text></g>`;
  };
  const edges = d.edges.map((e) => edge(e.from, e.to, `${e.calls} calls, p95 ${dur(e.p95Us)}${e.errorRate > 0 ? `, ${pct(e.errorRate)} err` : ''}`, 'edge')).join('');
  const missingEdges = missing.map((m) => edge(m.from, m.to, 'expected edge missing', 'edge missing')).join('');
  const nodes = [...pos]
    .map(([n, p]) => `<g class="node${backends.has(n) ? ' backend' : ''}"><rect x="${p.x}" y="${p.y - 16}" width="140" height="32" rx="6"/><text x="${p.x + 70}" y="${p.y + 4}" text-anchor="middle" font-size="12">${esc(n)}</text></g>`)
    .join('');
  return `<svg class="chart" data-chart="dependency-graph" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Service dependency graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>${edges}${missingEdges}${nodes}</svg>`;
}

function sliceChart(r: AnalysisReport): string {
  const s = r.slices;
  const groups: Array<{ title: string; bars: Array<{ label: string; value: number }> }> = [];
  if (s.comparison) groups.push({ title: 'comparison p50', bars: [s.comparison.a, s.comparison.b].map((g) => ({ label: g.label, value: g.latency.p50 })) });
  for (const k of s.byKey.filter((k) => k.values.length > 1 && k.values.length <= 12).slice(0, 4)) {
    groups.push({ title: k.key, bars: k.values.map((v) => ({ label: v.value, value: v.latency.p50 })) });
  }
  const rows = groups.reduce((a, g) => a + g.bars.length + 1, 0);
  const W = 640;
  const H = Math.max(60, 20 + rows * 20);
  const max = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => b.value)).filter(Number.isFinite));
  let y = 10;
  const parts: string[] = [];
  groups.forEach((g, gi) => {
    parts.push(`<text x="8" y="${y + 12}" font-size="12" font-weight="bold">${esc(g.title)}</text>`);
    y += 20;
    for (const b of g.bars) {
      const w = Number.isFinite(b.value) ? Math.max(1, ((W - 300) * b.value) / max) : 0;
      parts.push(`<text x="16" y="${y + 12}" font-size="11">${esc(b.label)}</text><rect x="220" y="${y + 2}" width="${w}" height="13" fill="${PALETTE[gi % PALETTE.length]}"/><text x="${226 + w}" y="${y + 12}" font-size="11">${esc(dur(b.value))}</text>`);
      y += 20;
    }
  });
  if (!groups.length) parts.push('<text x="8" y="30" font-size="12">no ML context attributes in these traces</text>');
  return `<svg class="chart" data-chart="slice-comparison" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="p50 latency per slice">${parts.join('')}</svg>`;
}

interface Series {
  label: string;
  values: readonly number[];
  color: string;
}

/** Lines over time buckets (gaps where a value is not finite), with the time range and the maximum labelled. */
function timeSeriesChart(name: string, title: string, starts: readonly number[], series: readonly Series[], format: (v: number) => string): string {
  const W = 640;
  const H = 200;
  const left = 60;
  const right = 10;
  const top = 24;
  const bottom = 30;
  const n = starts.length;
  const max = Math.max(0, ...series.flatMap((x) => x.values.filter(Number.isFinite)));
  const x = (i: number) => left + (n > 1 ? (i * (W - left - right)) / (n - 1) : (W - left - right) / 2);
  const y = (v: number) => H - bottom - (max > 0 ? (v * (H - top - bottom)) / max : 0);
  const paths = series
    .map((sr) => {
      let d = '';
      let pen = false;
      sr.values.forEach((v, i) => {
        if (!Number.isFinite(v)) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
        pen = true;
      });
      // A single bucket draws a dot: a zero-length line is invisible.
      const dots = n === 1 && Number.isFinite(sr.values[0]) ? `<circle cx="${x(0)}" cy="${y(sr.values[0] as number)}" r="3" fill="${sr.color}"/>` : '';
      return `<path d="${d.trim() || 'M0 0'}" fill="none" stroke="${sr.color}" stroke-width="1.5"><title>${esc(sr.label)}</title></path>${dots}`;
    })
    .join('');
  const legend = series.map((sr, i) => `<rect x="${left + i * 110}" y="6" width="10" height="10" fill="${sr.color}"/><text x="${left + 14 + i * 110}" y="15" font-size="11">${esc(sr.label)}</text>`).join('');
  const axes = `<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="#888"/><line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="#888"/>`;
  const labels = n
    ? `<text x="${left - 4}" y="${top + 4}" font-size="10" text-anchor="end">${esc(format(max))}</text><text x="${left - 4}" y="${H - bottom}" font-size="10" text-anchor="end">0</text>` +
      `<text x="${left}" y="${H - 10}" font-size="10">${esc(time(starts[0] as number))}</text><text x="${W - right}" y="${H - 10}" font-size="10" text-anchor="end">${esc(time(starts[n - 1] as number))}</text>`
    : '<text x="20" y="60" font-size="12">no requests</text>';
  return `<h3>${esc(title)}</h3><svg class="chart" data-chart="${esc(name)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${axes}${paths}${legend}${labels}</svg>`;
}

function overTimeCharts(r: AnalysisReport): string {
  const tp = r.performance.throughput;
  const perSecond = 1000 / tp.bucketMs;
  const lat = r.performance.latencyOverTime;
  const err = r.errors.timeline;
  const colored = (pairs: Array<[string, readonly number[]]>, first = 0): Series[] => pairs.map(([label, values], i) => ({ label, values, color: PALETTE[(first + i) % PALETTE.length] as string }));
  return [
    timeSeriesChart('throughput-over-time', `Requests per second (bucket ${num(tp.bucketMs)} ms)`, tp.starts, colored([['requests/s', tp.counts.map((c) => c * perSecond)]]), (v) => `${num(v, 1)}/s`),
    timeSeriesChart('latency-over-time', 'End-to-end latency percentiles of the requests started in each bucket', lat.starts, colored([['p50', lat.p50], ['p95', lat.p95], ['p99', lat.p99]]), dur),
    timeSeriesChart('errors-over-time', 'Failed requests per bucket (of all requests)', err.starts, colored([['all', err.total], ['failed', err.failed]], 3), (v) => num(v)),
  ].join('');
}

/** The recommendations as readable text: what, why (evidence in words), how much, where to look. */
function recommendationsHtml(r: AnalysisReport, jaegerUrl: string | undefined): string {
  if (!r.recommendations.length) return '<p>No rule fired: nothing in these traces crossed a threshold.</p>';
  return r.recommendations
    .map((x, i) => {
      const evidence = Object.entries(x.evidence)
        .map(([k, v]) => `<dt>${esc(evidenceLabel(k))}</dt><dd>${/trace ?id$/i.test(evidenceLabel(k)) && typeof v === 'string' ? traceLink(v, jaegerUrl) : esc(evidenceValue(v, k))}</dd>`)
        .join('');
      const e = x.examples;
      const spans = e.spanIds?.length
        ? `<p class="spans">In the first example: ${e.parentSpanId ? `under span <code>${esc(e.parentSpanId)}</code>, ` : ''}span${e.spanIds.length > 1 ? 's' : ''} ${e.spanIds.map((id) => `<code>${esc(id)}</code>`).join(', ')}</p>`
        : '';
      return `<article class="rec" id="rec-${i + 1}"><h3>${i + 1}. ${esc(x.title)} — ${esc(x.target)}</h3>
<p>${esc(x.action)}</p>
<p class="gain">Estimated gain: <strong>${esc(evidenceValue(x.estimatedGain.value))} ${esc(x.estimatedGain.unit)}</strong> (${esc(x.estimatedGain.description)}); impact ${esc(pct(x.impact, 2))}. Rule <code>${esc(x.id)}</code>.</p>
<dl class="evidence">${evidence}</dl>${e.traceIds.length ? `<p class="examples">Example traces: ${traceLinks(e.traceIds, jaegerUrl)}</p>` : ''}${spans}</article>`;
    })
    .join('\n');
}

function header(r: AnalysisReport, opts: HtmlOptions): string {
  const w = r.performance.window;
  const span = w.end > w.start ? ` (${dur(w.end - w.start)})` : '';
  const rows: Array<[string, string]> = [
    ['source', (opts.source ?? []).join(', ') || '(library call)'],
    ['time window', `${time(w.start)} → ${time(w.end)}${span}`],
    ['mltrace', opts.version ?? 'unknown'],
    ...(opts.jaegerUrl ? ([['trace links', opts.jaegerUrl]] as Array<[string, string]>) : []),
  ];
  return `<header><h1>mltrace analysis</h1><dl class="meta">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></header>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:14px;margin:16px 0 4px}
table{border-collapse:collapse;margin:4px 0 12px;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f5f5f5;text-align:left}.r{text-align:right;font-variant-numeric:tabular-nums}
.chart{display:block;margin:8px 0;max-width:100%;height:auto;background:#fafafa;border:1px solid #eee}
.edge line{stroke:#555;stroke-width:1.5}.edge.missing line{stroke:#e15759;stroke-dasharray:6 4}.edge.missing text{fill:#e15759}
.node rect{fill:#fff;stroke:#4e79a7;stroke-width:1.5}.node.backend rect{stroke:#59a14f;stroke-dasharray:4 2}ul.lines{padding-left:18px}
dl.meta,dl.evidence{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:6px 0}dt{color:#555}dd{margin:0}
article.rec{border:1px solid #e3e3e3;border-radius:6px;padding:4px 12px 8px;margin:10px 0}article.rec h3{margin-top:8px}
nav.toc ol{columns:2;padding-left:20px}code{font-size:12px}a.trace{text-decoration:none}`;

export function renderHtml(report: AnalysisReport, opts: HtmlOptions = {}): string {
  const charts: Record<string, string> = {
    performance: `${overTimeCharts(report)}<h3>End-to-end latency histogram</h3>${histogramChart(report)}`,
    'critical-path': criticalPathChart(report),
    dependencies: dependencyGraph(report),
    slices: sliceChart(report),
  };
  const sections = buildSections(report, opts);
  const body = sections
    .map((s) => {
      const lines = s.id === 'recommendations' ? recommendationsHtml(report, opts.jaegerUrl) : s.lines.length ? `<ul class="lines">${s.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '';
      return `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${lines}${charts[s.id] ?? ''}${s.tables.map((t) => htmlTable(t, opts.jaegerUrl)).join('\n')}</section>`;
    })
    .join('\n');
  const toc = `<nav class="toc"><h2>Contents</h2><ol>${sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a></li>`).join('')}</ol></nav>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>mltrace analysis</title><style>${CSS}</style></head>
<body>${header(report, opts)}
${toc}
${body}
</body></html>
`;
}
