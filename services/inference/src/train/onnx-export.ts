import { ATTR_TYPE, TENSOR_FLOAT, TENSOR_INT64, onnxModelType } from './onnx-proto';
import type { Forest } from './forest';

/** IR version 8 (ONNX 1.10+) and the opsets below load in onnxruntime 1.x. */
export const ONNX_IR_VERSION = 8;
export const ONNX_ML_OPSET = 3;
export const ONNX_DEFAULT_OPSET = 15;
export const INPUT_NAME = 'input';
export const LABEL_OUTPUT = 'label';
export const PROBABILITIES_OUTPUT = 'probabilities';

export interface ExportOptions {
  /** Graph name and `metadata_props.model_name`. */
  modelName: string;
  modelVersion: string;
  featureNames: readonly string[];
  /** Extra string metadata stored in the model (must be deterministic for byte-identical files). */
  metadata?: Record<string, string>;
}

const ints = (name: string, v: number[]) => ({ name, type: ATTR_TYPE.INTS, ints: v });
const floats = (name: string, v: number[]) => ({ name, type: ATTR_TYPE.FLOATS, floats: v });
const strings = (name: string, v: string[]) => ({ name, type: ATTR_TYPE.STRINGS, strings: v.map((s) => Buffer.from(s)) });
const int = (name: string, v: number) => ({ name, type: ATTR_TYPE.INT, i: v });
const string = (name: string, v: string) => ({ name, type: ATTR_TYPE.STRING, s: Buffer.from(v) });

function tensorValue(name: string, elemType: number, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/**
 * Encodes the forest as an `ai.onnx.ml.TreeEnsembleClassifier` node followed
 * by an `ArgMax`.
 *
 * Every leaf carries both class weights, P(class c) / tree count: onnxruntime
 * sums the weights over trees (post_transform NONE), so the probabilities
 * output is the forest average directly. The classifier's own label output is
 * not used: with two weighted classes onnxruntime labels a row 1 whenever
 * class 1 has any weight (and with only class 1 weighted it leaves column 0
 * at 0), so the label comes from ArgMax over the probabilities, which picks
 * class 0 on an exact tie, matching `predictClass`.
 */
export function exportForestToOnnx(forest: Forest, opts: ExportOptions): Buffer {
  if (opts.featureNames.length !== forest.featureCount) {
    throw new Error(`forest has ${forest.featureCount} features but ${opts.featureNames.length} names were given`);
  }
  const nodesTree: number[] = [];
  const nodesId: number[] = [];
  const nodesFeature: number[] = [];
  const nodesMode: string[] = [];
  const nodesValue: number[] = [];
  const nodesTrue: number[] = [];
  const nodesFalse: number[] = [];
  const classTree: number[] = [];
  const classNode: number[] = [];
  const classId: number[] = [];
  const classWeight: number[] = [];
  const n = forest.trees.length;

  forest.trees.forEach((tree, t) => {
    for (let i = 0; i < tree.feature.length; i++) {
      const leaf = (tree.feature[i] as number) < 0;
      nodesTree.push(t);
      nodesId.push(i);
      nodesFeature.push(leaf ? 0 : (tree.feature[i] as number));
      nodesMode.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      nodesValue.push(leaf ? 0 : (tree.threshold[i] as number));
      nodesTrue.push(leaf ? 0 : (tree.left[i] as number));
      nodesFalse.push(leaf ? 0 : (tree.right[i] as number));
      if (leaf) {
        const p1 = tree.value[i] as number;
        for (const [cls, p] of [[0, 1 - p1], [1, p1]] as const) {
          classTree.push(t);
          classNode.push(i);
          classId.push(cls);
          classWeight.push(p / n);
        }
      }
    }
  });

  const forestNode = {
    input: [INPUT_NAME],
    output: ['forest_label_unused', PROBABILITIES_OUTPUT],
    name: 'forest',
    op_type: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    attribute: [
      ints('class_ids', classId),
      ints('class_nodeids', classNode),
      ints('class_treeids', classTree),
      floats('class_weights', classWeight),
      ints('classlabels_int64s', [0, 1]),
      ints('nodes_falsenodeids', nodesFalse),
      ints('nodes_featureids', nodesFeature),
      strings('nodes_modes', nodesMode),
      ints('nodes_nodeids', nodesId),
      ints('nodes_treeids', nodesTree),
      ints('nodes_truenodeids', nodesTrue),
      floats('nodes_values', nodesValue),
      string('post_transform', 'NONE'),
    ],
  };
  const argMaxNode = {
    input: [PROBABILITIES_OUTPUT],
    output: [LABEL_OUTPUT],
    name: 'label',
    op_type: 'ArgMax',
    domain: '',
    attribute: [int('axis', 1), int('keepdims', 0)],
  };

  const metadata: Record<string, string> = {
    model_name: opts.modelName,
    model_version: opts.modelVersion,
    feature_names: opts.featureNames.join(','),
    tree_count: String(n),
    ...opts.metadata,
  };

  const model = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [
      { domain: '', version: ONNX_DEFAULT_OPSET },
      { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET },
    ],
    producer_name: 'mltrace-train',
    producer_version: '1',
    domain: 'dev.mltrace',
    model_version: 1,
    doc_string: `${opts.modelName} ${opts.modelVersion}: random forest, ${n} trees`,
    graph: {
      node: [forestNode, argMaxNode],
      name: `${opts.modelName}-${opts.modelVersion}`,
      input: [tensorValue(INPUT_NAME, TENSOR_FLOAT, ['N', forest.featureCount])],
      output: [tensorValue(LABEL_OUTPUT, TENSOR_INT64, ['N']), tensorValue(PROBABILITIES_OUTPUT, TENSOR_FLOAT, ['N', 2])],
    },
    metadata_props: Object.keys(metadata)
      .sort()
      .map((key) => ({ key, value: metadata[key] as string })),
  };

  const type = onnxModelType();
  const err = type.verify(model);
  if (err) throw new Error(`invalid ONNX model message: ${err}`);
  return Buffer.from(type.encode(type.fromObject(model)).finish());
}
