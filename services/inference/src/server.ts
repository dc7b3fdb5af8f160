import { shutdownTracing } from '@mltrace/tracing';
import { buildApp } from './app';
import { loadConfig } from './config';
import { ModelRegistry } from './model-registry';

async function main(): Promise<void> {
  const config = loadConfig();
  const registry = new ModelRegistry({ dir: config.modelDir, threads: config.ortThreads });
  const app = buildApp(config, { registry });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    // After close(): the spans of the requests close() drained are exported too.
    await shutdownTracing();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
  try {
    await registry.loadAll();
  } catch (err) {
    // A model service without models can only ever answer 503: fail loudly instead.
    app.log.fatal({ err, modelDir: config.modelDir }, 'cannot load models; exiting');
    await app.close();
    await shutdownTracing();
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error('inference failed to start:', err);
  process.exit(1);
});
