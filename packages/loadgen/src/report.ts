import type { LoadResult } from './types';

function table(rows: Array<[string, string]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

function counts(map: Record<string, number>): string {
  const entries = Object.entries(map).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(', ') : '-';
}

/** The result as a plain-text table for a terminal. */
export function formatResult(r: LoadResult): string {
  const l = r.latencyMs;
  const requested = r.mode === 'open' ? `${r.requested.rate} req/s for ${r.requested.durationS} s (open loop)` : `${r.requested.connections} connections for ${r.requested.durationS} s (closed loop)`;
  return table([
    ['target', r.url],
    ['requested', requested],
    ['mix / seed', `${r.mix} / ${r.seed}`],
    ['elapsed', `${r.elapsedS.toFixed(2)} s`],
    ['sent', `${r.sent} (${r.sentKinds.invalid} invalid, ${r.sentKinds.unknownEntities} unknown entity ids)`],
    ['achieved rate', `${r.achievedRate.toFixed(1)} req/s`],
    ['throughput', `${r.throughput.toFixed(1)} responses/s`],
    ['completed', `${r.completed} (${r.ok} ok)`],
    ['dropped', `${r.dropped}${r.dropped ? ' (in-flight cap reached: the target could not keep up)' : ''}`],
    ['timeouts', String(r.timeouts)],
    ['connection errors', String(r.connectionErrors)],
    ['statuses', counts(r.statuses)],
    ['error codes', counts(r.errorCodes)],
    ['latency ms', `p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}  (mean ${l.mean}, n=${l.count})`],
  ]);
}
