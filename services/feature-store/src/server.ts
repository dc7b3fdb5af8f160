import { runService, serve } from '@mltrace/service-kit/serve';
import { buildApp } from './app';
import { loadConfig } from './config';

runService('feature-store', async () => {
  const config = loadConfig();
  await serve(buildApp(config), { host: config.host, port: config.port });
});
