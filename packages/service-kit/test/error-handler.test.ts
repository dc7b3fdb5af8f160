import { test } from 'node:test';
import assert from 'node:assert/strict';
import createError from '@fastify/error';
import Fastify, { type InjectOptions } from 'fastify';
import { installErrorHandlers } from '../src/error-handler';

const Unavailable = createError('SVC_REDIS_UNAVAILABLE', 'backend (redis) unavailable: %s', 503);
const Conflict = createError('SVC_CONFLICT', 'already there: %s', 409);

/** A real fastify app with routes that fail in each way a service can. */
function app() {
  const a = Fastify({ logger: false });
  installErrorHandlers(a, 'SVC');
  a.post('/things', { schema: { body: { type: 'object', required: ['entities'], properties: { entities: { type: 'array', minItems: 1 } } } } }, async () => ({ ok: true }));
  a.get('/down', async () => {
    throw new Unavailable('connection refused');
  });
  a.get('/conflict', async () => {
    throw new Conflict('cust-1');
  });
  a.get('/crash', async () => {
    throw Object.assign(new Error('secret internal detail at /srv/app.js:12'), { code: 'ERR_SOMETHING_INTERNAL' });
  });
  a.get('/plain-4xx', async () => {
    throw Object.assign(new Error('limit must be positive'), { statusCode: 422 });
  });
  return a;
}

/** One request to a fresh app, closed afterwards. */
async function call(opts: InjectOptions) {
  const a = app();
  try {
    return await a.inject(opts);
  } finally {
    await a.close();
  }
}

test('validation errors: 400 naming the field, fastify code', async () => {
  const res = await call({ method: 'POST', url: '/things', payload: { entities: [] } });
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode']);
  assert.equal(body.statusCode, 400);
  assert.equal(body.error, 'Bad Request');
  assert.equal(body.code, 'FST_ERR_VALIDATION');
  assert.match(body.message, /body\/entities/);
});

test("fastify's own body errors leave with the service's codes: bad JSON 400, no or another content type 415", async () => {
  const bad = await call({ method: 'POST', url: '/things', payload: '{"entities": [', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, 'SVC_INVALID_JSON');
  assert.match(bad.json().message, /^body is not valid JSON: /);
  const empty = await call({ method: 'POST', url: '/things', payload: '', headers: { 'content-type': 'application/json' } });
  assert.deepEqual([empty.statusCode, empty.json().code, empty.json().message], [400, 'SVC_INVALID_JSON', 'body is not valid JSON: the body is empty']);
  const none = await call({ method: 'POST', url: '/things', payload: Buffer.from('{"entities":["a"]}') });
  assert.equal(none.statusCode, 415);
  assert.deepEqual(none.json(), {
    statusCode: 415,
    code: 'SVC_UNSUPPORTED_MEDIA_TYPE',
    error: 'Unsupported Media Type',
    message: 'content-type (none) is not supported; send the body as application/json',
  });
  const xml = await call({ method: 'POST', url: '/things', payload: '<a/>', headers: { 'content-type': 'application/xml' } });
  assert.equal(xml.statusCode, 415);
  assert.match(xml.json().message, /content-type "application\/xml" is not supported; send the body as application\/json/);
});

test('deliberate errors keep their status, code and message', async () => {
  const down = await call({ method: 'GET', url: '/down' });
  assert.equal(down.statusCode, 503);
  assert.deepEqual(down.json(), { statusCode: 503, code: 'SVC_REDIS_UNAVAILABLE', error: 'Service Unavailable', message: 'backend (redis) unavailable: connection refused' });
  const conflict = await call({ method: 'GET', url: '/conflict' });
  assert.deepEqual(conflict.json(), { statusCode: 409, code: 'SVC_CONFLICT', error: 'Conflict', message: 'already there: cust-1' });
});

test('a plain 4xx error without a code gets PREFIX_BAD_REQUEST and keeps its message', async () => {
  const res = await call({ method: 'GET', url: '/plain-4xx' });
  assert.deepEqual(res.json(), { statusCode: 422, code: 'SVC_BAD_REQUEST', error: 'Unprocessable Entity', message: 'limit must be positive' });
});

test('an unexpected error: 500, PREFIX_INTERNAL, a generic message, no stack or internal code', async () => {
  const res = await call({ method: 'GET', url: '/crash' });
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { statusCode: 500, code: 'SVC_INTERNAL', error: 'Internal Server Error', message: 'Internal error; see the service log for details' });
  assert.doesNotMatch(res.body, /secret|\/srv\/app\.js|ERR_SOMETHING_INTERNAL|stack/);
});

test('unknown routes: 404 PREFIX_NOT_FOUND naming the route', async () => {
  const res = await call({ method: 'DELETE', url: '/nope?x=1' });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { statusCode: 404, code: 'SVC_NOT_FOUND', error: 'Not Found', message: 'Route DELETE /nope?x=1 not found' });
});

test('hooks: a service-specific internal message, and every error answer observed as sent', async (t) => {
  const a = Fastify({ logger: false });
  const seen: Array<{ url: string; code: string; status: number; original?: string }> = [];
  installErrorHandlers(a, 'SVC', {
    internalMessage: (request) => `internal error (request ${request.id})`,
    onErrorReply: (request, body, error) => void seen.push({ url: request.url, code: body.code, status: body.statusCode, original: error.code }),
  });
  a.get('/crash', async () => {
    throw Object.assign(new Error('secret'), { code: 'ERR_SOMETHING_INTERNAL' });
  });
  a.get('/down', async () => {
    throw new Unavailable('connection refused');
  });
  t.after(() => a.close());
  const crash = await a.inject({ method: 'GET', url: '/crash' });
  assert.equal(crash.json().code, 'SVC_INTERNAL');
  assert.match(crash.json().message, /^internal error \(request req-\w+\)$/);
  assert.doesNotMatch(crash.body, /secret/);
  assert.equal((await a.inject({ method: 'GET', url: '/down' })).statusCode, 503);
  assert.deepEqual(seen, [
    { url: '/crash', code: 'SVC_INTERNAL', status: 500, original: 'ERR_SOMETHING_INTERNAL' },
    { url: '/down', code: 'SVC_REDIS_UNAVAILABLE', status: 503, original: 'SVC_REDIS_UNAVAILABLE' },
  ]);
});
