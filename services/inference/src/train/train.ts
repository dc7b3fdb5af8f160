import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSplit, trainModel } from './pipeline';
import { MODEL_SPECS } from './versions';

/**
 * `npm run train -w @mltrace/inference [-- v1 v2]`: trains each model version
 * and writes models/<version>.onnx and models/<version>.json. Same code, same
 * files, byte for byte.
 */
function main(): void {
  const wanted = process.argv.slice(2);
  const specs = wanted.length ? MODEL_SPECS.filter((s) => wanted.includes(s.version)) : MODEL_SPECS;
  if (specs.length === 0) throw new Error(`unknown versions ${wanted.join(', ')}; known: ${MODEL_SPECS.map((s) => s.version).join(', ')}`);
  // dist/src/train → package root
  const outDir = join(__dirname, '..', '..', '..', 'models');
  mkdirSync(outDir, { recursive: true });
  const split = loadSplit();
  for (const spec of specs) {
    const started = performance.now();
    const { onnx, card } = trainModel(spec, split);
    writeFileSync(join(outDir, `${spec.version}.onnx`), onnx);
    writeFileSync(join(outDir, `${spec.version}.json`), JSON.stringify(card, null, 2) + '\n');
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${spec.version}: ${card.trees} trees, depth ${card.max_depth}, ${card.nodes} nodes, ` +
        `accuracy ${card.evaluation.accuracy}, AUC ${card.evaluation.auc} (baseline ${card.evaluation.majority_baseline}), ` +
        `${(onnx.length / 1024).toFixed(0)} KiB, ${secs} s`,
    );
  }
}

main();
