// Captures HotROD traces from the real Jaeger into a fixture (see fixtures/README.md):
//   node packages/jaeger/dist/test/capture-hotrod.js packages/jaeger/test/fixtures/hotrod-dispatch.jaeger.json
import { writeFileSync } from 'node:fs';
import { sleep } from '@mltrace/stack';
import { startHotrod, startJaeger } from '../src';
import { driveHotrod } from './hotrod-drive';

async function main(out: string): Promise<void> {
  const jaeger = await startJaeger();
  try {
    const hotrod = await startHotrod({ otlpEndpoint: jaeger.otlpHttpUrl });
    const rides = await driveHotrod(hotrod);
    // HotROD exports every second and does not flush on SIGTERM.
    await sleep(5000);
    await hotrod.stop();
    // What the Jaeger UI's search and its "Download JSON" give: API v1, every trace through the frontend.
    const res = await fetch(`${jaeger.queryUrl}/api/traces?service=frontend&limit=100&lookback=1h`);
    const body = (await res.json()) as { data: unknown[] };
    writeFileSync(out, `${JSON.stringify(body)}\n`);
    console.log(`${body.data.length} traces → ${out}; rides: ${JSON.stringify(rides)}`);
  } finally {
    await jaeger.stop();
  }
}

void main(process.argv[2] ?? 'hotrod-dispatch.jaeger.json');
