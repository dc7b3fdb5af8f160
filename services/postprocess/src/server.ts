import { runService, serve } from '@mltrace/service-kit/serve';
import { buildApp } from './app';
import { loadConfig } from './config';

runService('postprocess', async () => {
  const config = loadConfig();
  await serve(buildApp(config), { host: config.host, port: config.port });
});
