#!/usr/bin/env node
// `npm run jaeger`: the real Jaeger v2 (built once, cached) with the sandbox's own
// deploy/jaeger/config.yaml, on 127.0.0.1: OTLP 4317 (gRPC) and 4318 (HTTP), UI and query APIs
// 16686, remote sampling 5778 serving config/sampling-strategies.json. Ctrl-C stops it.
import { ensureTool } from '../tools';
import { startJaeger } from '../jaeger';

async function main(): Promise<void> {
  const tool = await ensureTool('jaeger');
  if (tool.built) console.error(`built Jaeger v2 in ${(tool.ms / 1000).toFixed(0)} s: ${tool.path}`);
  const jaeger = await startJaeger({ ports: 'as-configured', internalMetrics: true, echo: process.argv.includes('--verbose') });
  console.log(`Jaeger v2 is running (memory storage; traces are lost when it stops)
  UI and query APIs   ${jaeger.queryUrl}
  OTLP/HTTP           ${jaeger.otlpHttpUrl}
  OTLP/gRPC           ${jaeger.otlpGrpcUrl}
  remote sampling     ${jaeger.samplingUrl}
In another terminal:
  OTEL_EXPORTER_OTLP_ENDPOINT=${jaeger.otlpHttpUrl} npm start
  npx mltrace analyze ${jaeger.queryUrl}
Ctrl-C stops Jaeger (its log: --verbose).`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void jaeger.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  jaeger.backend.child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`jaeger exited (${code ?? signal}); its last output:\n${jaeger.backend.output().split('\n').slice(-20).join('\n')}`);
    process.exit(1);
  });
}

main().catch((err: Error) => {
  console.error(`npm run jaeger: ${err.message}`);
  process.exit(1);
});
