import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCustomers, trainTestSplit } from '@mltrace/dataset';
import { predictClass, predictProba, toTrainingData, trainForest, type Forest } from '../src/train/forest';
import { accuracy, rocAuc } from '../src/train/metrics';
import { exportForestToOnnx } from '../src/train/onnx-export';
import { onnxModelType } from '../src/train/onnx-proto';

const NAMES = Array.from({ length: 12 }, (_, i) => `f${i}`);

function smallForest(seed: number): { forest: Forest; test: ReturnType<typeof trainTestSplit>['test'] } {
  const { train, test } = trainTestSplit(generateCustomers({ count: 3000 }));
  const data = toTrainingData(
    train.map((c) => c.features),
    train.map((c) => c.label),
  );
  return { forest: trainForest(data, { trees: 8, maxDepth: 4, minSamplesLeaf: 10, seed }), test };
}

test('rocAuc matches hand-computed values, ties counted half', () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  assert.equal(rocAuc([0.5, 0.5], [0, 1]), 0.5);
  assert.equal(rocAuc([0.9, 0.1], [1, 0]), 1);
  assert.equal(accuracy([1, 0, 1, 1], [1, 0, 0, 1]), 0.75);
});

test('a tree learns a perfectly separable rule with float32 thresholds', () => {
  const rows = Array.from({ length: 200 }, (_, i) => [i / 10, (i * 7) % 13]);
  const labels = rows.map((r) => ((r[0] as number) > 9.95 ? 1 : 0));
  const forest = trainForest(toTrainingData(rows, labels), { trees: 1, maxDepth: 3, minSamplesLeaf: 1, maxFeatures: 2, seed: 1 });
  const tree = forest.trees[0];
  assert.ok(tree);
  for (const t of tree.threshold) assert.equal(t, Math.fround(t), 'threshold is float32-representable');
  // A bootstrap sample of 200 from 200 leaves gaps, so check the region far from the boundary.
  assert.equal(predictClass(forest, [2, 0]), 0);
  assert.equal(predictClass(forest, [17, 0]), 1);
});

test('the forest beats the majority baseline on held-out customers', (t) => {
  const { forest, test: held } = smallForest(5);
  const labels = held.map((c) => c.label);
  const acc = accuracy(held.map((c) => predictClass(forest, c.features)), labels);
  const auc = rocAuc(held.map((c) => predictProba(forest, c.features)), labels);
  const pos = labels.filter((l) => l === 1).length / labels.length;
  const baseline = Math.max(pos, 1 - pos);
  t.diagnostic(`8-tree forest: accuracy ${acc.toFixed(3)} (baseline ${baseline.toFixed(3)}), AUC ${auc.toFixed(3)}`);
  assert.ok(acc > baseline + 0.1, `accuracy ${acc} vs baseline ${baseline}`);
  assert.ok(auc > 0.8, `AUC ${auc}`);
});

test('training and export are reproducible byte for byte; another seed changes the model', () => {
  const opts = { modelName: 'test-forest', modelVersion: 'vt', featureNames: NAMES };
  const a = exportForestToOnnx(smallForest(11).forest, opts);
  const b = exportForestToOnnx(smallForest(11).forest, opts);
  const c = exportForestToOnnx(smallForest(12).forest, opts);
  assert.ok(a.length > 1000);
  assert.equal(Buffer.compare(a, b), 0, 'two runs with the same seed differ');
  assert.notEqual(Buffer.compare(a, c), 0, 'a different seed gave the same bytes');
});

test('the exported protobuf decodes to a TreeEnsembleClassifier + ArgMax graph over all nodes', () => {
  const { forest } = smallForest(3);
  const bytes = exportForestToOnnx(forest, { modelName: 'm', modelVersion: 'v', featureNames: NAMES, metadata: { extra: 'x' } });
  const model = onnxModelType().toObject(onnxModelType().decode(bytes), { longs: Number, bytes: String }) as {
    opset_import: { domain: string; version: number }[];
    graph: { node: { op_type: string; domain: string; attribute: { name: string; ints?: number[] }[] }[] };
    metadata_props: { key: string; value: string }[];
  };
  assert.deepEqual(model.graph.node.map((n) => n.op_type), ['TreeEnsembleClassifier', 'ArgMax']);
  assert.ok(model.opset_import.some((o) => o.domain === 'ai.onnx.ml'));
  const nodeIds = model.graph.node[0]?.attribute.find((a) => a.name === 'nodes_nodeids')?.ints ?? [];
  const total = forest.trees.reduce((s, tr) => s + tr.feature.length, 0);
  assert.equal(nodeIds.length, total);
  assert.deepEqual(
    model.metadata_props.map((p) => p.key),
    [...model.metadata_props.map((p) => p.key)].sort(),
    'metadata keys are sorted for stable bytes',
  );
  assert.equal(model.metadata_props.find((p) => p.key === 'extra')?.value, 'x');
  assert.throws(() => exportForestToOnnx(forest, { modelName: 'm', modelVersion: 'v', featureNames: ['only-one'] }), /12 features/);
});

test('the packed-key sort and the comparator sort grow the same trees', () => {
  const { train } = trainTestSplit(generateCustomers({ count: 1500 }));
  const data = toTrainingData(
    train.map((c) => c.features),
    train.map((c) => c.label),
  );
  const params = { trees: 3, maxDepth: 6, minSamplesLeaf: 5, seed: 9 };
  const packed = trainForest(data, params);
  const compared = trainForest(data, params, { packedSort: false });
  assert.ok((packed.trees[0]?.feature.length ?? 0) > 20);
  assert.deepEqual(packed.trees, compared.trees);
});
