import { runService, serve } from '@mltrace/service-kit/serve';
import { buildApp } from './app';
import { loadConfig } from './config';
import { ModelRegistry } from './model-registry';

runService('inference', async () => {
  const config = loadConfig();
  const registry = new ModelRegistry({ dir: config.modelDir, threads: config.ortThreads });
  const app = buildApp(config, { registry });
  const service = await serve(app, { host: config.host, port: config.port });
  try {
    await registry.loadAll();
  } catch (err) {
    // A model service without models can only ever answer 503: fail loudly instead.
    app.log.fatal({ err, modelDir: config.modelDir }, 'cannot load models; exiting');
    await service.stop('models failed to load', 1);
  }
});
