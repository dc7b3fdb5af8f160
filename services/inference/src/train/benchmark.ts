import { join } from 'node:path';
import { generateCustomers } from '@mltrace/dataset';
import { ModelRegistry } from '../model-registry';
import { runModel } from '../predict';

/**
 * `npm run bench:models -w @mltrace/inference`: mean and p99 onnxruntime
 * latency per batch of 32 rows for each committed model (one intra-op thread,
 * as the service runs), for the model cards in the README.
 */
async function main(): Promise<void> {
  const registry = new ModelRegistry({ dir: join(__dirname, '..', '..', '..', 'models'), threads: 1 });
  await registry.loadAll();
  const batch = generateCustomers({ count: 32 }).map((c) => c.features);
  const iterations = 2000;
  for (const version of registry.versions()) {
    const model = registry.get(version);
    if (!model) continue;
    for (let i = 0; i < 200; i++) await runModel(model, batch); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await runModel(model, batch);
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
    const p99 = samples[Math.floor(samples.length * 0.99)] ?? Number.NaN;
    console.log(`${version}: ${model.info.trees} trees, load ${model.info.loadTimeMs.toFixed(1)} ms, batch of 32: mean ${mean.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`);
  }
  await registry.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
