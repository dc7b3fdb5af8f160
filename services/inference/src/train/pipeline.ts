import { FEATURE_NAMES, generateCustomers, trainTestSplit, type Customer } from '@mltrace/dataset';
import { forestStats, predictClass, predictProba, toTrainingData, trainForest, type Forest } from './forest';
import { accuracy, rocAuc, round4 } from './metrics';
import { exportForestToOnnx, ONNX_IR_VERSION, ONNX_ML_OPSET } from './onnx-export';
import { MODEL_NAME, TRAINING_DATA, type ModelSpec } from './versions';

/** What `models/<version>.json` holds: everything in it is deterministic. */
export interface ModelCard {
  name: string;
  version: string;
  description: string;
  format: { ir_version: number; opset: string; operator: string; outputs: string[] };
  features: readonly string[];
  trees: number;
  max_depth: number;
  min_samples_leaf: number;
  max_features: number;
  nodes: number;
  leaves: number;
  training: { seed: number; dataset_seed: number; customers: number; train_rows: number; test_rows: number };
  evaluation: { accuracy: number; auc: number; majority_baseline: number };
}

export interface TrainedModel {
  forest: Forest;
  onnx: Buffer;
  card: ModelCard;
}

export interface Split {
  train: Customer[];
  test: Customer[];
}

export function loadSplit(): Split {
  const customers = generateCustomers({ count: TRAINING_DATA.count, seed: TRAINING_DATA.seed });
  return trainTestSplit(customers, TRAINING_DATA.testFraction, TRAINING_DATA.splitSeed);
}

export function trainModel(spec: ModelSpec, split: Split = loadSplit()): TrainedModel {
  const data = toTrainingData(
    split.train.map((c) => c.features),
    split.train.map((c) => c.label),
  );
  const forest = trainForest(data, spec.params);
  const labels = split.test.map((c) => c.label);
  const probs = split.test.map((c) => predictProba(forest, c.features));
  const classes = split.test.map((c) => predictClass(forest, c.features));
  const positives = labels.filter((l) => l === 1).length / labels.length;
  const stats = forestStats(forest);
  const card: ModelCard = {
    name: MODEL_NAME,
    version: spec.version,
    description: spec.description,
    format: {
      ir_version: ONNX_IR_VERSION,
      opset: `ai.onnx.ml:${ONNX_ML_OPSET}`,
      operator: 'ai.onnx.ml.TreeEnsembleClassifier + ArgMax',
      outputs: ['label (int64 [N])', 'probabilities (float [N,2])'],
    },
    features: FEATURE_NAMES,
    trees: spec.params.trees,
    max_depth: stats.maxDepth,
    min_samples_leaf: forest.params.minSamplesLeaf,
    max_features: forest.params.maxFeatures ?? 0,
    nodes: stats.nodes,
    leaves: stats.leaves,
    training: {
      seed: spec.params.seed,
      dataset_seed: TRAINING_DATA.seed,
      customers: TRAINING_DATA.count,
      train_rows: split.train.length,
      test_rows: split.test.length,
    },
    evaluation: {
      accuracy: round4(accuracy(classes, labels)),
      auc: round4(rocAuc(probs, labels)),
      majority_baseline: round4(Math.max(positives, 1 - positives)),
    },
  };
  const onnx = exportForestToOnnx(forest, {
    modelName: MODEL_NAME,
    modelVersion: spec.version,
    featureNames: FEATURE_NAMES,
    metadata: { accuracy: String(card.evaluation.accuracy), training_seed: String(spec.params.seed) },
  });
  return { forest, onnx, card };
}
