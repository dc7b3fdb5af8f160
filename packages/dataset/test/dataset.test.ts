import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CUSTOMER_COUNT,
  FEATURE_NAMES,
  REGIONS,
  SEGMENTS,
  customerId,
  generateCustomer,
  generateCustomers,
  trainTestSplit,
} from '../src';

test('same seed gives the same customers; another seed gives different ones', () => {
  const a = generateCustomers({ count: 500 });
  const b = generateCustomers({ count: 500 });
  assert.deepEqual(a, b);
  const c = generateCustomers({ count: 500, seed: 43 });
  assert.notDeepEqual(a.map((x) => x.features), c.map((x) => x.features));
});

test('a smaller data set is a prefix of a larger one', () => {
  const small = generateCustomers({ count: 50 });
  const large = generateCustomers({ count: 2000 });
  assert.deepEqual(small, large.slice(0, 50));
  assert.deepEqual(generateCustomer(1234), large[1233]);
});

test('customer ids are cust- plus a zero-padded 1-based index', () => {
  assert.equal(customerId(1), 'cust-00001');
  assert.equal(customerId(42), 'cust-00042');
  assert.equal(customerId(123456), 'cust-123456');
  assert.throws(() => customerId(0), RangeError);
  const all = generateCustomers({ count: 30 });
  all.forEach((c, i) => assert.equal(c.id, customerId(i + 1)));
});

test('default data set: size, fast generation, finite features, known segments and regions', (t) => {
  const started = performance.now();
  const all = generateCustomers();
  const ms = performance.now() - started;
  t.diagnostic(`generated ${all.length} customers in ${ms.toFixed(1)} ms`);
  assert.equal(all.length, DEFAULT_CUSTOMER_COUNT);
  assert.ok(ms < 1000, `generation took ${ms} ms`);
  assert.equal(FEATURE_NAMES.length, 12);
  assert.equal(new Set(FEATURE_NAMES).size, 12);
  const segs = new Set<string>();
  const regions = new Set<string>();
  for (const c of all) {
    assert.equal(c.features.length, FEATURE_NAMES.length);
    for (const v of c.features) assert.ok(Number.isFinite(v), `${c.id} has a non-finite feature`);
    assert.ok((SEGMENTS as readonly string[]).includes(c.segment));
    assert.ok((REGIONS as readonly string[]).includes(c.region));
    segs.add(c.segment);
    regions.add(c.region);
  }
  assert.equal(segs.size, SEGMENTS.length);
  assert.equal(regions.size, REGIONS.length);
});

test('labels are balanced enough to learn from and depend on the features', (t) => {
  const all = generateCustomers();
  const churned = all.filter((c) => c.label === 1);
  const rate = churned.length / all.length;
  t.diagnostic(`churn rate ${(rate * 100).toFixed(1)} %`);
  assert.ok(rate > 0.15 && rate < 0.6, `churn rate ${rate}`);
  // Support tickets (index 2) must be visibly higher among churned customers.
  const mean = (xs: Customer[]): number => xs.reduce((s, c) => s + (c.features[2] ?? 0), 0) / xs.length;
  type Customer = (typeof all)[number];
  const retained = all.filter((c) => c.label === 0);
  assert.ok(mean(churned) > mean(retained) + 0.5, `tickets churned ${mean(churned)} vs retained ${mean(retained)}`);
});

test('train/test split is deterministic, disjoint and about the requested size', () => {
  const all = generateCustomers({ count: 5000 });
  const s1 = trainTestSplit(all, 0.2);
  const s2 = trainTestSplit(all, 0.2);
  assert.deepEqual(s1.test.map((c) => c.id), s2.test.map((c) => c.id));
  assert.equal(s1.train.length + s1.test.length, all.length);
  const testIds = new Set(s1.test.map((c) => c.id));
  assert.ok(s1.train.every((c) => !testIds.has(c.id)));
  assert.ok(Math.abs(s1.test.length / all.length - 0.2) < 0.03, `test fraction ${s1.test.length / all.length}`);
});
