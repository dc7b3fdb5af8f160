/**
 * `--topology FILE`: the system's shape as a JSON file, for traces that are not mltrace's own:
 * `{"entryService": "frontend", "expectedEdges": ["frontend->checkout", "frontend->cart?"],
 *   "pipelineOrder": ["cart", "checkout"], "featureStoreService": "features"}` (every field optional;
 * an edge ending in `?` is expected only in requests where the caller called the callee).
 */
import { readFileSync } from 'node:fs';
import type { AnalysisOptions } from '../analyses/options';
import { parseEdge } from './args';
import { UsageError } from './usage';

const FIELDS = ['entryService', 'expectedEdges', 'pipelineOrder', 'featureStoreService'] as const;

function strings(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new UsageError(`--topology: ${what} must be a list of non-empty strings`);
  return v as string[];
}

function name(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new UsageError(`--topology: ${what} must be a non-empty string`);
  return v;
}

export function readTopologyFile(path: string): Pick<AnalysisOptions, (typeof FIELDS)[number]> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--topology: cannot read ${path} as JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`--topology: ${path} must hold a JSON object`);
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length) throw new UsageError(`--topology: unknown field(s) ${unknown.join(', ')} in ${path} (expected ${FIELDS.join(', ')})`);
  return {
    ...(o.entryService !== undefined ? { entryService: name(o.entryService, 'entryService') } : {}),
    ...(o.expectedEdges !== undefined ? { expectedEdges: strings(o.expectedEdges, 'expectedEdges').map(parseEdge) } : {}),
    ...(o.pipelineOrder !== undefined ? { pipelineOrder: strings(o.pipelineOrder, 'pipelineOrder') } : {}),
    ...(o.featureStoreService !== undefined ? { featureStoreService: name(o.featureStoreService, 'featureStoreService') } : {}),
  };
}
