import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { predictClass, predictProba } from '../src/train/forest';
import { accuracy } from '../src/train/metrics';
import { loadSplit, trainModel } from '../src/train/pipeline';
import { MODEL_SPECS } from '../src/train/versions';

// dist/test → package root
const MODELS = join(__dirname, '..', '..', 'models');
const split = loadSplit();

for (const spec of MODEL_SPECS) {
  test(`${spec.version}: the committed model equals a fresh training run, and onnxruntime reproduces the in-memory forest`, async (t) => {
    const committed = readFileSync(join(MODELS, `${spec.version}.onnx`));
    const card = JSON.parse(readFileSync(join(MODELS, `${spec.version}.json`), 'utf8')) as { trees: number; evaluation: { accuracy: number } };
    const fresh = trainModel(spec, split);
    assert.equal(Buffer.compare(committed, fresh.onnx), 0, `models/${spec.version}.onnx is stale: run npm run train -w @mltrace/inference`);
    assert.deepEqual(JSON.parse(readFileSync(join(MODELS, `${spec.version}.json`), 'utf8')), JSON.parse(JSON.stringify(fresh.card)));

    const session = await ort.InferenceSession.create(committed, { intraOpNumThreads: 1 });
    t.after(() => session.release());
    const rows = split.test;
    const input = new Float32Array(rows.length * 12);
    rows.forEach((c, i) => input.set(c.features, i * 12));
    const out = await session.run({ input: new ort.Tensor('float32', input, [rows.length, 12]) });
    const probs = out['probabilities']?.data as Float32Array;
    const labels = out['label']?.data as BigInt64Array;
    assert.deepEqual(out['probabilities']?.dims, [rows.length, 2]);

    let maxDiff = 0;
    let nearTies = 0;
    const ortClasses: number[] = [];
    rows.forEach((c, i) => {
      const p1 = predictProba(fresh.forest, c.features);
      const got0 = probs[2 * i] as number;
      const got1 = probs[2 * i + 1] as number;
      maxDiff = Math.max(maxDiff, Math.abs(got1 - p1), Math.abs(got0 - (1 - p1)));
      const ortClass = Number(labels[i]);
      ortClasses.push(ortClass);
      // float32 sums may land on either side of an exact 0.5 tie; nowhere else may the classes differ.
      if (Math.abs(p1 - 0.5) < 1e-5) nearTies++;
      else assert.equal(ortClass, predictClass(fresh.forest, c.features), `row ${i} (${c.id}): p1=${p1}`);
    });
    assert.ok(maxDiff < 1e-5, `max probability difference ${maxDiff}`);

    const acc = accuracy(ortClasses, rows.map((c) => c.label));
    const pos = rows.filter((c) => c.label === 1).length / rows.length;
    const baseline = Math.max(pos, 1 - pos);
    t.diagnostic(
      `${spec.version}: ${card.trees} trees, onnxruntime accuracy ${acc.toFixed(4)} on ${rows.length} held-out rows ` +
        `(majority baseline ${baseline.toFixed(4)}), max |Δp| ${maxDiff.toExponential(2)}, near-ties ${nearTies}`,
    );
    assert.ok(acc > baseline + 0.1, `accuracy ${acc} is not well above the baseline ${baseline}`);
    assert.ok(Math.abs(acc - card.evaluation.accuracy) < 0.002, `ORT accuracy ${acc} vs card ${card.evaluation.accuracy}`);
  });
}

test('v2 is larger and at least as accurate as v1', () => {
  const [v1, v2] = ['v1', 'v2'].map(
    (v) => JSON.parse(readFileSync(join(MODELS, `${v}.json`), 'utf8')) as { trees: number; nodes: number; evaluation: { accuracy: number; auc: number } },
  );
  assert.ok(v1 && v2);
  assert.ok(v2.trees > v1.trees && v2.nodes > 10 * v1.nodes, 'v2 is not markedly larger');
  assert.ok(v2.evaluation.auc > v1.evaluation.auc, `AUC v2 ${v2.evaluation.auc} <= v1 ${v1.evaluation.auc}`);
});
