import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envReader } from '../src/env';

test('unset, empty and blank values all give the default, without a warning', () => {
  const r = envReader({ A: '', B: '   ' });
  for (const name of ['A', 'B', 'C']) {
    assert.equal(r.string(name), undefined);
    assert.equal(r.int(name, 7, 0, 10), 7);
    assert.equal(r.number(name, 0.5), 0.5);
    assert.equal(r.oneOf(name, ['x', 'y'] as const, 'x'), 'x');
    assert.equal(r.bool(name, true), true);
    assert.deepEqual(r.json(name, { d: 1 }), { d: 1 });
  }
  assert.deepEqual(r.warnings, []);
});

test('good values are parsed; strings are trimmed', () => {
  const r = envReader({ HOST: ' 127.0.0.1 ', PORT: '8081', RATIO: '0.25', NEG: '-3', MODE: 'fast', ON: 'YES', OFF: '0', CFG: '{"a":[1]}' });
  assert.equal(r.string('HOST'), '127.0.0.1');
  assert.equal(r.int('PORT', 1, 0, 65535), 8081);
  assert.equal(r.number('RATIO', 1, 0, 1), 0.25);
  assert.equal(r.int('NEG', 0), -3);
  assert.equal(r.oneOf('MODE', ['slow', 'fast'] as const, 'slow'), 'fast');
  assert.equal(r.bool('ON', false), true);
  assert.equal(r.bool('OFF', true), false);
  assert.deepEqual(r.json('CFG', {}), { a: [1] });
  assert.deepEqual(r.warnings, []);
});

test('integer edge cases: fractions, out of range, hex and words warn once each and fall back', () => {
  const r = envReader({ A: '1.5', B: '65536', C: 'eighty', D: '-1', E: '1e3', F: 'Infinity' });
  assert.equal(r.int('A', 10, 0, 100), 10);
  assert.equal(r.int('B', 8081, 0, 65535), 8081);
  assert.equal(r.int('C', 8081, 0, 65535), 8081);
  assert.equal(r.int('D', 500, 1, 60_000), 500);
  assert.equal(r.int('E', 1, 0, 10_000), 1000, '1e3 is the integer 1000');
  assert.equal(r.int('F', 5), 5);
  assert.equal(r.warnings.length, 5);
  assert.equal(r.warnings[0], 'A="1.5" is not an integer in [0, 100]; using 10');
  assert.equal(r.warnings[2], 'C="eighty" is not an integer in [0, 65535]; using 8081');
  assert.equal(r.warnings[4], 'F="Infinity" is not an integer; using 5');
});

test('numbers: NaN, Infinity and out-of-range values warn', () => {
  const r = envReader({ A: 'NaN', B: 'Infinity', C: '1.01', D: '.5' });
  assert.equal(r.number('A', 1), 1);
  assert.equal(r.number('B', 1), 1);
  assert.equal(r.number('C', 0.5, 0, 1), 0.5);
  assert.equal(r.number('D', 0, 0, 1), 0.5);
  assert.equal(r.warnings.length, 3);
  assert.match(r.warnings[2] ?? '', /^C="1.01" is not a number in \[0, 1\]; using 0.5$/);
});

test('enums are case-sensitive and name the allowed values; bools name the accepted words', () => {
  const r = envReader({ MODE: 'FAST', FLAG: 'maybe' });
  assert.equal(r.oneOf('MODE', ['slow', 'fast'], 'slow'), 'slow');
  assert.equal(r.bool('FLAG', false), false);
  assert.deepEqual(r.warnings, ['MODE="FAST" is not one of slow, fast; using slow', 'FLAG="maybe" is not a boolean (true/false, 1/0, yes/no, on/off); using false']);
});

test('JSON: a parse error or a failed check warns with what was expected and falls back', () => {
  const probabilities = {
    valid: (v: unknown): v is Record<string, number> =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number' && x >= 0 && x <= 1),
    expected: 'a JSON object of probabilities in [0, 1]',
  };
  const r = envReader({ A: 'not json', B: '{"default":1.5}', C: '{"default":0.4}', D: '[1' });
  assert.deepEqual(r.json('A', { default: 0.5 }, probabilities), { default: 0.5 });
  assert.deepEqual(r.json('B', { default: 0.5 }, probabilities), { default: 0.5 });
  assert.deepEqual(r.json('C', { default: 0.5 }, probabilities), { default: 0.4 });
  assert.deepEqual(r.json('D', []), []);
  assert.deepEqual(r.warnings, [
    'A="not json" is not a JSON object of probabilities in [0, 1]; using {"default":0.5}',
    'B="{\\"default\\":1.5}" is not a JSON object of probabilities in [0, 1]; using {"default":0.5}',
    'D="[1" is not valid JSON; using []',
  ]);
});

test('warn() adds a service-specific warning to the same list', () => {
  const r = envReader({ PORT: 'x' });
  r.int('PORT', 1);
  r.warn('FEATURE_VERSION must match [A-Za-z0-9._-]{1,32}');
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[1] ?? '', /FEATURE_VERSION/);
});
