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

const strictSchema = { body: { type: 'object', required: ['n'], additionalProperties: false, properties: { n: { type: 'number' } } } };

/** A createServiceApp app with one strict JSON route; `payload` is sent as given. */
async function post(t: { after(fn: () => unknown): void }, payload: string | undefined, contentType?: string) {
  const app = createServiceApp(config, { codePrefix: 'SVC' });
  t.after(() => app.close());
  app.post('/count', { schema: strictSchema }, async (request) => request.body);
  const res = await app.inject({ method: 'POST', url: '/count', ...(payload !== undefined ? { payload } : {}), headers: contentType ? { 'content-type': contentType } : {} });
  return { status: res.statusCode, ...(res.json() as { code?: string; message?: string; n?: number }) };
}

test('malformed JSON: 400 PREFIX_INVALID_JSON naming the syntax error', async (t) => {
  const res = await post(t, '{bad', 'application/json');
  assert.equal(res.status, 400);
  assert.equal(res.code, 'SVC_INVALID_JSON');
  assert.match(res.message ?? '', /^body is not valid JSON: .*position 1/);
  const poisoned = await post(t, '{"n":1,"__proto__":{"x":1}}', 'application/json');
  assert.deepEqual([poisoned.status, poisoned.code], [400, 'SVC_INVALID_JSON']);
});

test('text/plain and a missing content type: 415 PREFIX_UNSUPPORTED_MEDIA_TYPE naming the type and application/json', async (t) => {
  const plain = await post(t, '{"n":1}', 'text/plain');
  assert.deepEqual(plain, { status: 415, statusCode: 415, code: 'SVC_UNSUPPORTED_MEDIA_TYPE', error: 'Unsupported Media Type', message: 'content-type "text/plain" is not supported; send the body as application/json' });
  const none = await post(t, '{"n":1}');
  assert.equal(none.status, 415);
  assert.match(none.message ?? '', /content-type \(none\) .*application\/json/);
  const ok = await post(t, '{"n":1}', 'application/json; charset=utf-8');
  assert.deepEqual(ok, { status: 200, n: 1 });
});

test('a JSON body that is not an object: 400 "body must be a JSON object"', async (t) => {
  for (const [payload, kind] of [['[1]', 'an array'], ['"n"', 'a string'], ['42', 'a number'], ['null', 'null']] as const) {
    const res = await post(t, payload, 'application/json');
    assert.deepEqual([res.status, res.code, res.message], [400, 'SVC_BODY_NOT_OBJECT', `body must be a JSON object; got ${kind}`], payload);
  }
  const nothing = await post(t, undefined);
  assert.deepEqual([nothing.status, nothing.code], [400, 'SVC_BODY_NOT_OBJECT']);
});

test('an unknown property is a 400 naming it, not silently dropped', async (t) => {
  const res = await post(t, '{"n":1,"colour":"red"}', 'application/json');
  assert.deepEqual([res.status, res.code, res.message], [400, 'FST_ERR_VALIDATION', "body has unknown property 'colour'"]);
});

test("request log lines replace fastify's: one 'incoming request' and one 'request completed' with its fields", async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const logStream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  const app = createServiceApp({ ...config, logLevel: 'info' }, { codePrefix: 'SVC', logStream });
  t.after(() => app.close());
  app.get('/ping', async () => ({ pong: true }));
  await app.inject({ method: 'GET', url: '/ping' });
  const incoming = lines.filter((l) => l.msg === 'incoming request');
  const completed = lines.filter((l) => l.msg === 'request completed');
  assert.equal(incoming.length, 1, JSON.stringify(lines));
  assert.equal(completed.length, 1, JSON.stringify(lines));
  assert.deepEqual(incoming[0]?.req, { method: 'GET', url: '/ping', host: 'localhost:80', remoteAddress: '127.0.0.1' });
  assert.deepEqual(completed[0]?.res, { statusCode: 200 });
  assert.equal(typeof completed[0]?.responseTime, 'number');
  assert.equal(completed[0]?.reqId, incoming[0]?.reqId);
});
