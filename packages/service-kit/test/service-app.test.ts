import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServiceApp } from '../src/service-app';

const config = { logLevel: 'silent', requestTimeoutMs: 1234, connectionTimeoutMs: 5678, warnings: [] };
const countSchema = { body: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } } };

test('the shared settings: bounded request and connection times, the error handlers with the prefix', async (t) => {
  const app = createServiceApp(config, { codePrefix: 'SVC' });
  t.after(() => app.close());
  assert.equal(app.server.requestTimeout, 1234);
  assert.equal(app.server.timeout, 5678, 'connectionTimeout is the socket timeout');
  const res = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'SVC_NOT_FOUND');
});

test('no type coercion: "1.5" where a number belongs is a 400 naming the field', async (t) => {
  const app = createServiceApp(config, { codePrefix: 'SVC' });
  t.after(() => app.close());
  app.post('/count', { schema: countSchema }, async (request) => request.body);
  const bad = await app.inject({ method: 'POST', url: '/count', payload: { n: '1.5' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /body\/n must be number/);
  const ok = await app.inject({ method: 'POST', url: '/count', payload: { n: 1.5 } });
  assert.deepEqual(ok.json(), { n: 1.5 });
});

test('extra Ajv options apply, and coerceTypes stays off even when asked for', async (t) => {
  const app = createServiceApp(config, { codePrefix: 'SVC', ajv: { coerceTypes: true, strictNumbers: false } });
  t.after(() => app.close());
  app.post('/count', { schema: countSchema }, async (request) => request.body);
  assert.equal((await app.inject({ method: 'POST', url: '/count', payload: { n: '2' } })).statusCode, 400);
  // strictNumbers: false lets a non-finite number through to the handler (JSON 1e999 parses to Infinity).
  const inf = await app.inject({ method: 'POST', url: '/count', payload: '{"n":1e999}', headers: { 'content-type': 'application/json' } });
  assert.equal(inf.statusCode, 200);
});

test('config warnings are logged once each at warn level', async (t) => {
  const lines: Array<{ level: number; msg: string }> = [];
  const logStream = { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) };
  const app = createServiceApp({ ...config, logLevel: 'warn', warnings: ['PORT="x" is not an integer; using 1', 'FLAG="maybe" is not a boolean'] }, { codePrefix: 'SVC', logStream });
  t.after(() => app.close());
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      [40, 'config: PORT="x" is not an integer; using 1'],
      [40, 'config: FLAG="maybe" is not a boolean'],
    ],
  );
});
