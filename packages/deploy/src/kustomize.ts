import { readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

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

interface Kustomization {
  resources?: string[];
  namespace?: string;
  [key: string]: unknown;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace']);

export function readManifests(file: string): K8sResource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]?.message}`);
      return d.toJS() as K8sResource | null;
    })
    .filter((r): r is K8sResource => r !== null)
    .map((r) => Object.defineProperty(r, '__source', { value: file, enumerable: false }));
}

/**
 * The subset of `kustomize build` these manifests use: `resources` (files or directories with
 * their own kustomization.yaml) and `namespace`. Anything else in a kustomization is an error
 * here, so a feature the checks do not understand cannot slip through unvalidated.
 */
export function kustomizeBuild(dir: string): K8sResource[] {
  const kfile = join(dir, 'kustomization.yaml');
  if (!existsSync(kfile)) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parse(readFileSync(kfile, 'utf8')) as Kustomization;
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new Error(`${kfile}: field '${key}' is not supported by the static checks`);
  }
  const out: K8sResource[] = [];
  for (const entry of k.resources ?? []) {
    const p = resolve(dir, entry);
    const items = statSync(p).isDirectory() ? kustomizeBuild(p) : readManifests(p);
    out.push(...items);
  }
  if (k.namespace) {
    for (const r of out) if (r.kind !== 'Namespace') r.metadata.namespace = k.namespace;
  }
  const seen = new Set<string>();
  for (const r of out) {
    const id = `${r.apiVersion}/${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
    if (seen.has(id)) throw new Error(`${dirname(kfile)}: duplicate resource ${id}`);
    seen.add(id);
  }
  return out;
}
