/** `lab start` names the Jaeger the lab sends to: the background one's own query URL when its ports are free ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jaegerQueryUrl } from '../src/jaeger-url';

function withState(t: { after: (fn: () => void) => void }, pid: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-jaeger-url-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '.mltrace', 'jaeger'), { recursive: true });
  const urls = { otlpHttpUrl: 'http://127.0.0.1:40001', otlpGrpcUrl: 'http://127.0.0.1:40003', queryUrl: 'http://127.0.0.1:40002', samplingUrl: 'http://127.0.0.1:40004' };
  writeFileSync(join(dir, '.mltrace', 'jaeger', 'state.json'), JSON.stringify({ pid, ...urls }));
  return dir;
}

test("the background Jaeger's query URL when the lab sends to it, under either name of this machine", (t) => {
  const dir = withState(t, process.pid);
  assert.equal(jaegerQueryUrl('http://127.0.0.1:40001', dir), 'http://127.0.0.1:40002');
  assert.equal(jaegerQueryUrl('http://localhost:40001/', dir), 'http://127.0.0.1:40002');
});

test('the default port otherwise: another endpoint, a Jaeger no longer running, no state', (t) => {
  assert.equal(jaegerQueryUrl('http://localhost:4318', withState(t, process.pid)), 'http://localhost:16686');
  assert.equal(jaegerQueryUrl('http://example.com:40001', withState(t, process.pid)), 'http://localhost:16686');
  assert.equal(jaegerQueryUrl('http://127.0.0.1:40001', withState(t, 2 ** 22 + 1)), 'http://localhost:16686');
  assert.equal(jaegerQueryUrl('http://127.0.0.1:40001', tmpdir()), 'http://localhost:16686');
});
