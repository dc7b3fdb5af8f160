import { runService, serve } from '@mltrace/service-kit/serve';
import { buildApp } from './app';
import { loadConfig } from './config';

runService('gateway', async () => {
  const config = loadConfig();
  const app = buildApp(config);
  await serve(app, { host: config.host, port: config.port });
  app.log.info(
    { featureStore: config.featureStoreUrl, inference: config.inferenceUrl, postprocess: config.postprocessUrl, scenario: config.scenario, experiment: config.experiment },
    'gateway ready',
  );
});
