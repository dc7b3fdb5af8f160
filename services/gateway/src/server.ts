import { shutdownTracing } from '@mltrace/tracing';
import { buildApp } from './app';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = buildApp(config);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    let code = 0;
    try {
      await app.close();
      // After close(): the spans of the requests it drained are flushed too.
      await shutdownTracing();
    } catch (err) {
      app.log.error({ err }, 'error while shutting down');
      code = 1;
    } finally {
      process.exit(code);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { featureStore: config.featureStoreUrl, inference: config.inferenceUrl, postprocess: config.postprocessUrl, scenario: config.scenario, experiment: config.experiment },
    'gateway ready',
  );
}

main().catch((err: unknown) => {
  console.error('gateway failed to start:', err);
  process.exit(1);
});
