import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kustomizeBuild as runKustomize, REPO_ROOT } from '@mltrace/jaeger';

export interface K8sResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
  /** Where the resource was read from (not part of the manifest). */
  readonly __source?: string;
}

/** The resources of a YAML stream (`---`-separated documents); `source` names it in errors. */
export function parseManifests(text: string, source: string): K8sResource[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`${source}: ${d.errors[0]?.message}`);
      return d.toJS() as K8sResource | null;
    })
    .filter((r): r is K8sResource => r !== null)
    .map((r) => Object.defineProperty(r, '__source', { value: source, enumerable: false }));
}

export function readManifests(file: string): K8sResource[] {
  return parseManifests(readFileSync(file, 'utf8'), file);
}

/**
 * `kustomize build <dir>` by the real Kustomize (pinned and built once by @mltrace/jaeger), parsed:
 * every feature Kustomize has, exactly as `kubectl apply -k` would render it.
 */
export async function kustomizeBuild(dir: string): Promise<K8sResource[]> {
  return parseManifests(await runKustomize(dir), `kustomize build ${relative(REPO_ROOT, dir)}`);
}
