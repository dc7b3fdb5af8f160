import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportTally } from './types';

interface OtlpJsonLine {
  resourceSpans?: Array<{ scopeSpans?: Array<{ scope?: { name?: string }; spans?: unknown[] }> }>;
}

/** Bytes and spans (per instrumentation scope) the file exporter wrote under `dir`. */
export function tallyTraceFiles(dir: string): ExportTally {
  const tally: ExportTally = { bytes: 0, spans: 0, byScope: {}, byService: {}, badRequests: 0 };
  if (!existsSync(dir)) return tally;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const path = join(dir, file);
    // The file exporter names its files `<service>-<pid>.jsonl`.
    const service = file.replace(/-\d+\.jsonl$/, '');
    tally.bytes += statSync(path).size;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let doc: OtlpJsonLine;
      try {
        doc = JSON.parse(line) as OtlpJsonLine;
      } catch {
        tally.badRequests++;
        continue;
      }
      for (const rs of doc.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          const n = ss.spans?.length ?? 0;
          const scope = ss.scope?.name ?? '';
          tally.byScope[scope] = (tally.byScope[scope] ?? 0) + n;
          tally.spans += n;
          tally.byService[service] = (tally.byService[service] ?? 0) + n;
        }
      }
    }
  }
  return tally;
}
