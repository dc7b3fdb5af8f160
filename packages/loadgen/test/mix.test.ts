import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMixFile, parseMix, RequestFactory, MixError, DEFAULT_MIX } from '../src';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-mix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a YAML mix file and its JSON twin parse to the same mix', (t) => {
  const dir = tmp(t);
  writeFileSync(
    join(dir, 'mix.yaml'),
    ['name: hot-region', 'batchSizes: {"1": 2, "8": 1}', 'regions:', '  ap-south: 8', '  us-east: 1', 'invalidFraction: 0.1', 'experiment:', '  id: exp-1', '  arms:', '    - {name: control, weight: 1, modelVersion: v1}', ''].join('\n'),
  );
  const yaml = loadMixFile(join(dir, 'mix.yaml'));
  writeFileSync(join(dir, 'mix.json'), JSON.stringify(yaml));
  assert.deepEqual(loadMixFile(join(dir, 'mix.json')), yaml);
  assert.equal(yaml.regions?.['ap-south'], 8);
  assert.equal(yaml.experiment?.arms[0]?.modelVersion, 'v1');
});

test('mix validation names every problem', () => {
  const bad = (value: unknown, ...fragments: string[]) => {
    assert.throws(
      () => parseMix(value, 'bad.json'),
      (err: unknown) => {
        assert.ok(err instanceof MixError);
        for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" lacks "${f}"`);
        return true;
      },
    );
  };
  bad({ regoins: { x: 1 } }, 'bad.json', "unknown field 'regoins'");
  bad({ segments: { smb: -1 } }, '/segments/smb', '>= 0');
  bad({ batchSizes: { '0': 1 } }, '/batchSizes', "key '0'");
  bad({ batchSizes: { '300': 1 } }, 'batch size 300 exceeds 256');
  bad({ invalidFraction: 2, unknownEntityFraction: -0.1 }, '/invalidFraction', '/unknownEntityFraction');
  bad({ regions: { 'us-east': 0 } }, '/regions needs at least one weight above 0');
  bad({ experiment: { arms: [] } }, "must have required property 'id'", '/experiment/arms');
  bad([1, 2], 'must be object');
});

test('an unreadable or unparsable mix file is a MixError naming the file', (t) => {
  const dir = tmp(t);
  assert.throws(() => loadMixFile(join(dir, 'nope.json')), /cannot read mix file .*nope\.json/);
  writeFileSync(join(dir, 'broken.json'), '{"name": ');
  assert.throws(() => loadMixFile(join(dir, 'broken.json')), /broken\.json: not valid JSON/);
  writeFileSync(join(dir, 'broken.yml'), 'a: [1, 2');
  assert.throws(() => loadMixFile(join(dir, 'broken.yml')), /broken\.yml: not valid YAML/);
});

test('the request stream is deterministic for a seed and follows the mix weights and fractions', () => {
  const mix = parseMix({ batchSizes: { '1': 1, '10': 1 }, regions: { 'ap-south': 9, 'us-east': 1 }, invalidFraction: 0.2, unknownEntityFraction: 0.1, customers: 500 });
  const a = new RequestFactory(mix, 7);
  const b = new RequestFactory(mix, 7);
  const c = new RequestFactory(mix, 8);
  const n = 2000;
  const ra = Array.from({ length: n }, () => a.next());
  const rb = Array.from({ length: n }, () => b.next());
  const rc = Array.from({ length: n }, () => c.next());
  assert.deepEqual(ra, rb);
  assert.notDeepEqual(ra, rc);
  const invalid = ra.filter((r) => r.kind === 'invalid').length;
  assert.ok(invalid > 0.15 * n && invalid < 0.25 * n, `invalid ${invalid}`);
  const apSouth = ra.filter((r) => r.baggage.includes('region=ap-south')).length;
  assert.ok(apSouth > 0.85 * n && apSouth < 0.95 * n, `ap-south ${apSouth}`);
  let known = 0;
  let unknown = 0;
  for (const r of ra.filter((x) => x.kind === 'valid')) {
    const ids = (JSON.parse(r.body) as { entities: string[] }).entities;
    assert.ok(ids.length === 1 || ids.length === 10);
    for (const id of ids) {
      const idx = Number(id.slice(5));
      if (idx <= 500) known++;
      else unknown++;
    }
    assert.equal(ids.filter((id) => Number(id.slice(5)) > 500).length, r.unknownEntities);
  }
  const share = unknown / (known + unknown);
  assert.ok(share > 0.07 && share < 0.13, `unknown share ${share}`);
  // Invalid bodies cover several rejection paths, including one that is not JSON at all.
  const invalidBodies = new Set(ra.filter((r) => r.kind === 'invalid').map((r) => r.body));
  assert.ok(invalidBodies.size >= 3);
  assert.ok([...invalidBodies].some((body) => { try { JSON.parse(body); return false; } catch { return true; } }));
});

test('the default mix validates and asks for both model versions', () => {
  assert.deepEqual(parseMix(DEFAULT_MIX), DEFAULT_MIX);
  const f = new RequestFactory(DEFAULT_MIX, 1);
  const versions = new Set(Array.from({ length: 200 }, () => /model_version=(\w+)/.exec(f.next().baggage)?.[1]));
  assert.deepEqual([...versions].sort(), ['v1', 'v2']);
});
