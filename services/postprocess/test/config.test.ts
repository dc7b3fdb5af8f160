import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS, loadConfig } from '../src/config';

test('defaults when nothing is set', () => {
  const c = loadConfig({ THRESHOLDS: '', PORT: '' });
  assert.equal(c.port, 8083);
  assert.deepEqual(c.thresholds, DEFAULT_THRESHOLDS);
  assert.equal(c.scenario, null);
  assert.deepEqual(c.warnings, []);
});

test('THRESHOLDS merges over the defaults', () => {
  const c = loadConfig({ THRESHOLDS: '{"default":0.6,"consumer":0.55}' });
  assert.equal(c.thresholds.default, 0.6);
  assert.equal(c.thresholds.consumer, 0.55);
  assert.equal(c.thresholds.enterprise, DEFAULT_THRESHOLDS.enterprise);
});

for (const bad of ['not json', '[0.5]', '{"default":1.5}', '{"smb":"0.4"}', '0.5']) {
  test(`THRESHOLDS=${bad} warns and falls back to the defaults`, () => {
    const c = loadConfig({ THRESHOLDS: bad });
    assert.deepEqual(c.thresholds, DEFAULT_THRESHOLDS);
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0] ?? '', /THRESHOLDS/);
  });
}

test('only flaky-postprocess is taken from MLTRACE_SCENARIO', () => {
  assert.equal(loadConfig({ MLTRACE_SCENARIO: 'flaky-postprocess' }).scenario, 'flaky-postprocess');
  assert.equal(loadConfig({ MLTRACE_SCENARIO: 'n-plus-one' }).scenario, null);
});

test('a bad PORT warns and falls back', () => {
  const c = loadConfig({ PORT: '99999' });
  assert.equal(c.port, 8083);
  assert.match(c.warnings.join(''), /PORT/);
});
