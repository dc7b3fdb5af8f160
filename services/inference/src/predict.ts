import * as ort from 'onnxruntime-node';
import type { LoadedModel } from './model-registry';
import type { Prediction } from './types';

/** Runs one batch through the model's onnxruntime session. */
export async function runModel(model: LoadedModel, instances: readonly number[][]): Promise<Prediction[]> {
  const features = model.info.featureCount;
  const input = new Float32Array(instances.length * features);
  instances.forEach((row, i) => input.set(row, i * features));
  const out = await model.session.run({ input: new ort.Tensor('float32', input, [instances.length, features]) });
  const probs = out['probabilities']?.data as Float32Array | undefined;
  const labels = out['label']?.data as BigInt64Array | undefined;
  if (!probs || !labels) throw new Error(`model ${model.info.version} did not produce 'probabilities' and 'label' outputs`);
  return instances.map((_, i) => {
    const p0 = probs[2 * i] as number;
    const p1 = probs[2 * i + 1] as number;
    return { class: labels[i] === 1n ? 1 : 0, probabilities: [p0, p1], confidence: Math.max(p0, p1) };
  });
}
