import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, loadSeedConfig } from '../src/config';

test('defaults when nothing is set; empty strings count as unset', () => {
  const c = loadConfig({ PORT: '', REDIS_URL: '', MLTRACE_SCENARIO: '' });
  assert.equal(c.port, 8081);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.redisUrl, null);
  assert.equal(c.featureVersion, 'v1');
  assert.equal(c.redisCommandTimeoutMs, 500);
  assert.equal(c.scenario, null);
  assert.deepEqual(c.warnings, []);
});

test('bad values warn once each and fall back to the default', () => {
  const c = loadConfig({ PORT: 'eighty', REDIS_COMMAND_TIMEOUT_MS: '-5', FEATURE_VERSION: 'v1:evil key' });
  assert.equal(c.port, 8081);
  assert.equal(c.redisCommandTimeoutMs, 500);
  assert.equal(c.featureVersion, 'v1');
  assert.equal(c.warnings.length, 3);
  assert.match(c.warnings.join('\n'), /PORT.*eighty/);
  assert.match(c.warnings.join('\n'), /REDIS_COMMAND_TIMEOUT_MS/);
  assert.match(c.warnings.join('\n'), /FEATURE_VERSION/);
});

test('only the feature store scenarios are taken from MLTRACE_SCENARIO', () => {
  assert.equal(loadConfig({ MLTRACE_SCENARIO: 'n-plus-one' }).scenario, 'n-plus-one');
  assert.equal(loadConfig({ MLTRACE_SCENARIO: 'slow-features' }).scenario, 'slow-features');
  assert.equal(loadConfig({ MLTRACE_SCENARIO: 'hot-partition' }).scenario, 'hot-partition');
  assert.equal(loadConfig({ MLTRACE_SCENARIO: 'cold-model' }).scenario, null);
});

test('seed config: REDIS_URL stays null when unset', () => {
  assert.equal(loadSeedConfig({}).redisUrl, null);
  assert.equal(loadSeedConfig({ REDIS_URL: 'redis://127.0.0.1:1' }).redisUrl, 'redis://127.0.0.1:1');
  assert.equal(loadSeedConfig({ SEED_CUSTOMER_COUNT: '25' }).customerCount, 25);
});
