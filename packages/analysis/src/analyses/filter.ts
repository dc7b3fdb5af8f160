/** Trace selection for the CLI's --service/--operation/--since/--until/--where. */
import type { Trace } from '../model';
import { sliceValue } from './slices';
import { traceFacts } from './trace-facts';

export interface TraceFilter {
  /** Keep traces with a span of this service. */
  service?: string;
  /** Keep traces with a span of this name (with --service: of that service). */
  operation?: string;
  /** µs since epoch, on the trace start. */
  since?: number;
  until?: number;
  /** Attribute equalities, all of which must hold (root span first, then any span, then resources). */
  where?: Array<{ key: string; value: string }>;
}

export function filterTraces(traces: readonly Trace[], f: TraceFilter): Trace[] {
  return traces.filter((t) => {
    if (f.since !== undefined || f.until !== undefined) {
      const start = traceFacts(t).start;
      if (f.since !== undefined && start < f.since) return false;
      if (f.until !== undefined && start >= f.until) return false;
    }
    if (f.service !== undefined || f.operation !== undefined) {
      const ok = t.spans.some((s) => (f.service === undefined || s.service === f.service) && (f.operation === undefined || s.name === f.operation));
      if (!ok) return false;
    }
    for (const w of f.where ?? []) if (sliceValue(t, w.key) !== w.value) return false;
    return true;
  });
}
