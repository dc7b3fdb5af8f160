import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS, loadConfig, parseExperimentSplit } from '../src/config';
import { assignArm, hashToUnit } from '../src/experiment';

function load(env: Record<string, string>) {
  const config = loadConfig(env);
  return { config, warnings: config.warnings };
}

test('defaults match the contract', () => {
  const { config, warnings } = load({});
  assert.deepEqual(warnings, []);
  assert.equal(config.port, 8080);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.featureStoreUrl, 'http://127.0.0.1:8081');
  assert.equal(config.inferenceUrl, 'http://127.0.0.1:8082');
  assert.equal(config.postprocessUrl, 'http://127.0.0.1:8083');
  assert.equal(config.requestTimeoutMs, 2000);
  assert.equal(config.maxBatchSize, 64);
  assert.equal(config.scenario, null);
  assert.deepEqual(
    config.experiment?.arms.map((a) => [a.arm, a.version, a.weight]),
    [
      ['v1', 'v1', 0.5],
      ['v2', 'v2', 0.5],
    ],
  );
});

test('empty strings count as unset; bad values warn once each and fall back', () => {
  const { config, warnings } = load({ PORT: '', REQUEST_TIMEOUT_MS: 'soon', MAX_BATCH_SIZE: '0', INFERENCE_URL: 'not a url', HOST: ' ' });
  assert.equal(config.port, DEFAULTS.port);
  assert.equal(config.host, DEFAULTS.host);
  assert.equal(config.requestTimeoutMs, DEFAULTS.requestTimeoutMs);
  assert.equal(config.maxBatchSize, DEFAULTS.maxBatchSize);
  assert.equal(config.inferenceUrl, DEFAULTS.inferenceUrl);
  assert.equal(warnings.length, 3);
  for (const name of ['REQUEST_TIMEOUT_MS="soon"', 'MAX_BATCH_SIZE="0"', 'INFERENCE_URL="not a url"']) {
    assert.equal(warnings.filter((w) => w.startsWith(name)).length, 1, name);
  }
});

test('the dependency pools: connections and queue wait from the environment, bad values fall back', () => {
  const good = load({ DEPENDENCY_CONNECTIONS: '64', DEPENDENCY_QUEUE_TIMEOUT_MS: '50' });
  assert.equal(good.config.dependencyConnections, 64);
  assert.equal(good.config.dependencyQueueTimeoutMs, 50);
  assert.deepEqual(good.warnings, []);
  const bad = load({ DEPENDENCY_CONNECTIONS: '0', DEPENDENCY_QUEUE_TIMEOUT_MS: 'fast' });
  assert.equal(bad.config.dependencyConnections, DEFAULTS.dependencyConnections);
  assert.equal(bad.config.dependencyQueueTimeoutMs, DEFAULTS.dependencyQueueTimeoutMs);
  assert.equal(bad.warnings.length, 2);
});

test('scenarios: the gateway acts on its own, ignores other services\' ones, warns on unknown names', () => {
  assert.equal(load({ MLTRACE_SCENARIO: 'sequential-calls' }).config.scenario, 'sequential-calls');
  assert.equal(load({ MLTRACE_SCENARIO: 'dropped-context' }).config.scenario, 'dropped-context');
  const other = load({ MLTRACE_SCENARIO: 'cold-model' });
  assert.equal(other.config.scenario, null);
  assert.deepEqual(other.warnings, []);
  const unknown = load({ MLTRACE_SCENARIO: 'nonsense' });
  assert.equal(unknown.config.scenario, null);
  assert.equal(unknown.warnings.length, 1);
});

test('EXPERIMENT_SPLIT: named arms, off, and a malformed value falling back to the default', () => {
  const warnings: string[] = [];
  assert.deepEqual(parseExperimentSplit('control=v1:9,treatment=v2:1', (m) => warnings.push(m)), [
    { arm: 'control', version: 'v1', weight: 9 },
    { arm: 'treatment', version: 'v2', weight: 1 },
  ]);
  assert.equal(parseExperimentSplit('off', (m) => warnings.push(m)), null);
  assert.equal(warnings.length, 0);
  const fallback = parseExperimentSplit('v1:half', (m) => warnings.push(m));
  assert.deepEqual(
    fallback?.map((a) => a.version),
    ['v1', 'v2'],
  );
  assert.equal(warnings.length, 1);
});

test('assignment is deterministic and follows the weights', () => {
  const experiment = { id: 'e', arms: parseExperimentSplit('a=v1:0.8,b=v2:0.2', () => {}) ?? [] };
  const counts = { a: 0, b: 0 } as Record<string, number>;
  for (let i = 1; i <= 5000; i++) {
    const id = `cust-${String(i).padStart(5, '0')}`;
    const arm = assignArm(experiment, id);
    assert.equal(assignArm(experiment, id), arm);
    counts[arm.arm] = (counts[arm.arm] ?? 0) + 1;
  }
  assert.ok(counts.a! > 3800 && counts.a! < 4200, JSON.stringify(counts));
  for (const key of ['x', 'cust-00001', '4bf92f3577b34da6a3ce929d0e0e4736']) {
    const h = hashToUnit(key);
    assert.ok(h >= 0 && h < 1);
  }
});
