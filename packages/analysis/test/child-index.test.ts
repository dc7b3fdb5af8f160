import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildLists, indexChildren } from '../src/analyses/child-index';
import { makeSpan } from './helpers';

/** The children of each span as plain lists, read back from the compressed index. */
function lists(offset: Int32Array, list: Int32Array, n: number): number[][] {
  return Array.from({ length: n }, (_, p) => Array.from(list.subarray(offset[p]!, offset[p + 1]!)));
}

test('indexChildren groups spans by parent in index order, or in the order given', () => {
  const parent = [-1, 0, 0, 1, -2, 0];
  const offset = new Int32Array(7);
  const cursor = new Int32Array(6);
  const list = new Int32Array(6);
  indexChildren(parent, 6, undefined, offset, cursor, list);
  assert.deepEqual(lists(offset, list, 6), [[1, 2, 5], [3], [], [], [], []]);
  indexChildren(parent, 6, [5, 4, 3, 2, 1, 0], offset, cursor, list);
  assert.deepEqual(lists(offset, list, 6), [[5, 2, 1], [3], [], [], [], []]);
});

test('ChildLists is reused across traces of different sizes and grows past its first capacity', () => {
  const c = new ChildLists();
  const small = [makeSpan({ spanId: 'a', start: 0, duration: 10 }), makeSpan({ spanId: 'b', start: 1, duration: 2 })];
  c.begin(2).set([-1, 0]);
  c.index(2);
  assert.deepEqual(c.of(small, 0), [small[1]]);
  assert.deepEqual(c.of(small, 1), []);

  const n = 200; // beyond the initial 64
  const big = Array.from({ length: n }, (_, i) => makeSpan({ spanId: `s${i}`, start: i, duration: 1 }));
  const parents = c.begin(n);
  for (let i = 0; i < n; i++) parents[i] = i === 0 ? -1 : i % 2 === 0 ? 0 : i - 1; // even spans under 0, odd under their predecessor
  c.index(n);
  assert.equal(c.of(big, 0).length, n / 2);
  assert.deepEqual(c.of(big, 4), [big[5]]);
  assert.deepEqual(c.of(big, 199), []);
});
