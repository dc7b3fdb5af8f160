// Every trace-backend configuration in the repository, checked by the real Jaeger v2 binary
// (`jaeger validate`: every component's factory parses and validates its section), including the
// ones embedded in the k8s overlays as the real Kustomize renders them; a typo is caught.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, parseAllDocuments, stringify } from 'yaml';
import {
  checkTools,
  COLLECTOR_CONFIG_FILE,
  JAEGER_CONFIG_FILE,
  K8S_DIR,
  kustomizeBuild,
  toolsReady,
  validateBackendConfig,
  type ToolCheck,
} from '../src';

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-validate-'));
let tools: ToolCheck;

before(async () => {
  tools = await checkTools(['jaeger', 'kustomize']);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const OVERLAYS = ['jaeger-allinone', 'jaeger-production'];

/** A collector-style configuration: the file has a service section and pipelines. */
function isBackendConfig(text: string): boolean {
  try {
    const c = parse(text);
    return typeof c === 'object' && c !== null && typeof c.service === 'object' && c.service !== null && ('pipelines' in c.service || 'extensions' in c.service);
  } catch {
    return false;
  }
}

test('deploy/jaeger/config.yaml passes `jaeger validate`', async (t) => {
  if (!toolsReady(t, tools)) return;
  await validateBackendConfig(JAEGER_CONFIG_FILE);
});

test('deploy/collector/config.yaml (the tail-sampling collector) passes `jaeger validate`', async (t) => {
  if (!toolsReady(t, tools)) return;
  await validateBackendConfig(COLLECTOR_CONFIG_FILE);
});

test('every backend config embedded in the k8s overlays, as Kustomize renders it, passes `jaeger validate`', async (t) => {
  if (!toolsReady(t, tools)) return;
  const checked: string[] = [];
  for (const overlay of OVERLAYS) {
    const docs = parseAllDocuments(await kustomizeBuild(join(K8S_DIR, 'overlays', overlay))).map((d) => d.toJS());
    for (const cm of docs.filter((d) => d?.kind === 'ConfigMap')) {
      for (const [key, text] of Object.entries<string>(cm.data ?? {})) {
        if (!isBackendConfig(text)) continue;
        const file = join(tmp, `${overlay}-${cm.metadata.name}-${key}`);
        writeFileSync(file, text);
        await validateBackendConfig(file).catch((err: Error) => assert.fail(`${overlay} ConfigMap ${cm.metadata.name} key ${key}: ${err.message}`));
        checked.push(`${overlay}/${cm.metadata.name}/${key}`);
      }
    }
  }
  // The all-in-one's Jaeger and the production collector and query roles.
  assert.ok(checked.some((c) => c.startsWith('jaeger-allinone/')), checked.join(', '));
  assert.ok(checked.filter((c) => c.startsWith('jaeger-production/')).length >= 2, checked.join(', '));
});

test('a wrong key is caught: `jaeger validate` names it', async (t) => {
  if (!toolsReady(t, tools)) return;
  const c = parse(readFileSync(JAEGER_CONFIG_FILE, 'utf8'));
  c.extensions.remote_sampling.file.reload_intervall = c.extensions.remote_sampling.file.reload_interval;
  delete c.extensions.remote_sampling.file.reload_interval;
  const file = join(tmp, 'typo.yaml');
  writeFileSync(file, stringify(c));
  await assert.rejects(validateBackendConfig(file), /reload_intervall/);
});

test('a pipeline naming a component that is not configured is caught', async (t) => {
  if (!toolsReady(t, tools)) return;
  const c = parse(readFileSync(COLLECTOR_CONFIG_FILE, 'utf8'));
  c.service.pipelines.traces.processors.push('tail_sampling/missing');
  const file = join(tmp, 'missing-processor.yaml');
  writeFileSync(file, stringify(c));
  await assert.rejects(validateBackendConfig(file), /tail_sampling\/missing/);
});
