import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int64, nanosToMicros, normalizeId, normalizeKind } from '../src/load/normalize';
import { rfc3339ToMicros } from '../src/load/jaeger';
import { StringPool } from '../src/intern';

test('ids: lower-case hex, padded to 32/16, base64 decoded', () => {
  assert.equal(normalizeId('5B8EFFF798038103D269B633813FC60C', 32, 'traceId'), '5b8efff798038103d269b633813fc60c');
  assert.equal(normalizeId('4b52eb0cabcb50a', 32, 'traceID'), '00000000000000000' + '4b52eb0cabcb50a');
  assert.equal(normalizeId('0000000000000001', 32, 'traceID').length, 32);
  assert.equal(normalizeId('ff', 16, 'spanID'), '00000000000000ff');
  assert.equal(normalizeId('AAAAAAAAAAAAAAAAAAAAAQ==', 32, 'traceId'), '00000000000000000000000000000001');
  assert.equal(normalizeId('AAAAAAAAAAI=', 16, 'spanId'), '0000000000000002');
  assert.throws(() => normalizeId('', 16, 'spanId'), /missing spanId/);
  assert.throws(() => normalizeId(undefined, 32, 'traceId'), /missing traceId/);
});

test('times: OTLP ns strings to integer µs exactly, beyond double precision', () => {
  assert.equal(nanosToMicros('1706678909209712999', 'start'), 1706678909209712);
  assert.equal(nanosToMicros(1_000_000, 'start'), 1000);
  assert.equal(nanosToMicros('0', 'start'), undefined);
  assert.equal(nanosToMicros(undefined, 'start'), undefined);
  assert.throws(() => nanosToMicros('12e3000', 'start'), /not a decimal nanosecond count/);
  assert.throws(() => nanosToMicros('-5000', 'start'), /not a decimal nanosecond count/);
  assert.equal(rfc3339ToMicros('2017-01-26T16:46:31.639875139-05:00'), 1485467191639875);
  assert.equal(rfc3339ToMicros('2017-01-26T21:46:31Z'), 1485467191000000);
  assert.throws(() => rfc3339ToMicros('yesterday'), /not an RFC 3339 time/);
});

test('int64: a number when exact, the decimal string otherwise', () => {
  assert.equal(int64('23456'), 23456);
  assert.equal(int64('9223372036854775222'), '9223372036854775222');
  assert.equal(int64(-7), -7);
});

test('kinds from OTLP numbers and names and Jaeger tags', () => {
  assert.equal(normalizeKind(2), 'server');
  assert.equal(normalizeKind('SPAN_KIND_CONSUMER'), 'consumer');
  assert.equal(normalizeKind('Producer'), 'producer');
  assert.equal(normalizeKind(undefined), 'unspecified');
  assert.equal(normalizeKind('weird'), 'unspecified');
});

test('string pool: one copy per distinct short string, bounded', () => {
  const pool = new StringPool(8, 2);
  const a = pool.intern(['ab', 'c'].join(''));
  assert.equal(pool.intern('abc'), a);
  pool.intern('x');
  assert.equal(pool.size, 2);
  assert.equal(pool.intern('y'), 'y'); // full: returned as is, not stored
  assert.equal(pool.size, 2);
  assert.equal(pool.intern('a very long string'), 'a very long string');
  assert.equal(pool.size, 2);
});
