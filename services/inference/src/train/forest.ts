import { mix32, mulberry32, type Random } from '@mltrace/dataset';

/**
 * A binary random forest: CART trees grown on bootstrap samples with a random
 * subset of features per split, Gini impurity. Written here because no ML
 * library is available; the exported ONNX graph must reproduce `predictProba`.
 *
 * Values are float32 throughout (Math.fround): onnxruntime compares float32
 * inputs against float32 thresholds, so training on the same precision keeps
 * every split decision identical between this code and the runtime.
 */

/** One tree in flat arrays; node 0 is the root. A leaf has feature === -1. */
export interface DecisionTree {
  feature: number[];
  /** Float32-representable; a row goes to `left` when x[feature] <= threshold. */
  threshold: number[];
  left: number[];
  right: number[];
  /** P(class 1) at a leaf; 0 for branch nodes. */
  value: number[];
}

export interface ForestParams {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried per split; default round(sqrt(feature count)). */
  maxFeatures?: number;
  seed: number;
}

export interface Forest {
  params: ForestParams;
  featureCount: number;
  trees: DecisionTree[];
}

/** Training matrix in row-major float32, labels 0/1. */
export interface TrainingData {
  x: Float32Array;
  y: Uint8Array;
  rows: number;
  features: number;
}

export function toTrainingData(rows: readonly (readonly number[])[], labels: readonly number[]): TrainingData {
  const features = rows[0]?.length ?? 0;
  const x = new Float32Array(rows.length * features);
  rows.forEach((r, i) => x.set(r, i * features));
  return { x, y: Uint8Array.from(labels), rows: rows.length, features };
}

function gini(pos: number, n: number): number {
  if (n === 0) return 0;
  const p = pos / n;
  return 2 * p * (1 - p);
}

interface Split {
  feature: number;
  threshold: number;
  /** Number of sorted samples going left. */
  leftCount: number;
  sorted: Int32Array;
}

class TreeBuilder {
  readonly tree: DecisionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  private readonly featureOrder: Int32Array;

  constructor(
    private readonly data: TrainingData,
    private readonly params: Required<ForestParams>,
    private readonly rand: Random,
    private readonly ranks: Int32Array | undefined,
  ) {
    this.featureOrder = Int32Array.from({ length: data.features }, (_, i) => i);
  }

  /**
   * Samples ordered by feature f. With ranks, each key packs (rank, sample) in
   * one int32 so the engine's native numeric sort does the work (several times
   * faster than a comparator); equal values then come in sample order, which
   * no split depends on.
   */
  private sortByFeature(samples: Int32Array, f: number): Int32Array {
    const { x, features } = this.data;
    const ranks = this.ranks;
    if (!ranks) return Int32Array.from(samples).sort((a, b) => (x[a * features + f] as number) - (x[b * features + f] as number));
    const keys = new Int32Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] as number;
      keys[i] = ((ranks[s * features + f] as number) << RANK_SHIFT) | s;
    }
    keys.sort();
    for (let i = 0; i < keys.length; i++) keys[i] = (keys[i] as number) & SAMPLE_MASK;
    return keys;
  }

  build(samples: Int32Array): DecisionTree {
    this.grow(samples, 0);
    return this.tree;
  }

  private addNode(): number {
    const t = this.tree;
    t.feature.push(-1);
    t.threshold.push(0);
    t.left.push(0);
    t.right.push(0);
    t.value.push(0);
    return t.feature.length - 1;
  }

  private grow(samples: Int32Array, depth: number): number {
    const id = this.addNode();
    let pos = 0;
    for (const s of samples) pos += this.data.y[s] ?? 0;
    const n = samples.length;
    const split =
      depth < this.params.maxDepth && n >= 2 * this.params.minSamplesLeaf && pos > 0 && pos < n
        ? this.bestSplit(samples, pos)
        : undefined;
    if (!split) {
      this.tree.value[id] = pos / n;
      return id;
    }
    this.tree.feature[id] = split.feature;
    this.tree.threshold[id] = split.threshold;
    const left = this.grow(split.sorted.subarray(0, split.leftCount), depth + 1);
    const right = this.grow(split.sorted.subarray(split.leftCount), depth + 1);
    this.tree.left[id] = left;
    this.tree.right[id] = right;
    return id;
  }

  private bestSplit(samples: Int32Array, pos: number): Split | undefined {
    const { x, y, features } = this.data;
    const n = samples.length;
    const minLeaf = this.params.minSamplesLeaf;
    const parent = gini(pos, n);
    let best: Split | undefined;
    let bestScore = parent - 1e-12; // a split must reduce impurity
    // Partial Fisher–Yates: the first maxFeatures entries become this node's candidates.
    const order = this.featureOrder;
    for (let k = 0; k < this.params.maxFeatures; k++) {
      const j = k + Math.floor(this.rand() * (features - k));
      const f = order[j] as number;
      order[j] = order[k] as number;
      order[k] = f;

      const sorted = this.sortByFeature(samples, f);
      let leftPos = 0;
      for (let i = 0; i < n - 1; i++) {
        const s = sorted[i] as number;
        leftPos += y[s] ?? 0;
        const leftN = i + 1;
        if (leftN < minLeaf || n - leftN < minLeaf) continue;
        const a = x[s * features + f] as number;
        const b = x[(sorted[i + 1] as number) * features + f] as number;
        if (a === b) continue;
        const score = (leftN / n) * gini(leftPos, leftN) + ((n - leftN) / n) * gini(pos - leftPos, n - leftN);
        if (score < bestScore) {
          bestScore = score;
          // The float32 midpoint can round onto b; then a itself separates the two.
          let threshold = Math.fround((a + b) / 2);
          if (threshold >= b) threshold = a;
          best = { feature: f, threshold, leftCount: leftN, sorted };
        }
      }
    }
    return best;
  }
}

const RANK_SHIFT = 16;
const SAMPLE_MASK = (1 << RANK_SHIFT) - 1;
const MAX_RANK = 1 << (31 - RANK_SHIFT);

/** Per cell, the rank of its value among its column's distinct values; undefined when they do not fit a packed int32 key. */
function valueRanks(data: TrainingData): Int32Array | undefined {
  if (data.rows > SAMPLE_MASK + 1) return undefined;
  const ranks = new Int32Array(data.rows * data.features);
  for (let f = 0; f < data.features; f++) {
    const column = new Float32Array(data.rows);
    for (let r = 0; r < data.rows; r++) column[r] = data.x[r * data.features + f] as number;
    const distinct = [...new Set(column)].sort((a, b) => a - b);
    if (distinct.length > MAX_RANK) return undefined;
    const rankOf = new Map(distinct.map((v, i) => [v, i]));
    for (let r = 0; r < data.rows; r++) ranks[r * data.features + f] = rankOf.get(column[r] as number) as number;
  }
  return ranks;
}

/** `packedSort: false` forces the comparator sort (the fallback for data too large for packed keys). */
export function trainForest(data: TrainingData, params: ForestParams, opts: { packedSort?: boolean } = {}): Forest {
  const full: Required<ForestParams> = {
    maxFeatures: Math.max(1, Math.round(Math.sqrt(data.features))),
    ...params,
  };
  const trees: DecisionTree[] = [];
  const ranks = opts.packedSort === false ? undefined : valueRanks(data);
  for (let t = 0; t < full.trees; t++) {
    // Each tree gets its own stream so tree t does not depend on how many
    // random numbers trees 0..t-1 consumed.
    const rand = mulberry32(mix32(full.seed, t + 1));
    const bootstrap = new Int32Array(data.rows);
    for (let i = 0; i < data.rows; i++) bootstrap[i] = Math.floor(rand() * data.rows);
    trees.push(new TreeBuilder(data, full, rand, ranks).build(bootstrap));
  }
  return { params: full, featureCount: data.features, trees };
}

function leafValue(tree: DecisionTree, row: ArrayLike<number>): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    node = Math.fround(row[f] as number) <= (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
  }
}

/** P(class 1): the mean of the trees' leaf probabilities. */
export function predictProba(forest: Forest, row: ArrayLike<number>): number {
  let sum = 0;
  for (const tree of forest.trees) sum += leafValue(tree, row);
  return sum / forest.trees.length;
}

/** Class 1 when P(class 1) > 0.5, the same rule onnxruntime applies to TreeEnsembleClassifier's binary case. */
export function predictClass(forest: Forest, row: ArrayLike<number>): 0 | 1 {
  return predictProba(forest, row) > 0.5 ? 1 : 0;
}

export interface ForestStats {
  nodes: number;
  leaves: number;
  maxDepth: number;
}

export function forestStats(forest: Forest): ForestStats {
  let nodes = 0;
  let leaves = 0;
  let maxDepth = 0;
  for (const tree of forest.trees) {
    nodes += tree.feature.length;
    const depth = (node: number): number =>
      (tree.feature[node] as number) < 0 ? 0 : 1 + Math.max(depth(tree.left[node] as number), depth(tree.right[node] as number));
    maxDepth = Math.max(maxDepth, depth(0));
    leaves += tree.feature.filter((f) => f < 0).length;
  }
  return { nodes, leaves, maxDepth };
}
