import type { K8sResource } from './kustomize';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/**
 * Finds the `kubernetes-models` class for a manifest's apiVersion/kind. Those classes validate
 * against JSON schemas generated from the Kubernetes OpenAPI spec (and the Prometheus
 * Operator's CRDs for monitoring.coreos.com), so nothing here is a hand-written check.
 */
async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const modulePath =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}`
      : group
        ? `kubernetes-models/${group}/${version}`
        : `kubernetes-models/${version}`;
  let mod: Record<string, unknown>;
  try {
    // ES modules only (kubernetes-models 5): loaded with import(), not require().
    mod = (await import(modulePath)) as Record<string, unknown>;
  } catch {
    throw new Error(`no schema for apiVersion ${apiVersion}`);
  }
  const cls = mod[kind];
  if (typeof cls !== 'function') throw new Error(`no schema for kind ${kind} in ${apiVersion}`);
  return cls as ModelClass;
}

/** Rejects with the schema's message when the manifest does not conform. */
export async function validateResource(resource: K8sResource): Promise<void> {
  const Model = await modelFor(resource.apiVersion, resource.kind);
  new Model(resource).validate();
}
