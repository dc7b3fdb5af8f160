import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { freePort } from '@mltrace/testkit';
import { DependencyError, JsonClient, ServiceClient, type ServiceClientOptions } from '../src/client';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A real HTTP server on a free port, answering with `handler`; closed after the test. */
async function server(t: { after(fn: () => unknown): void }, handler: Handler): Promise<string> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => {
    s.closeAllConnections();
    return new Promise((r) => s.close(r));
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

async function failure(p: Promise<unknown>): Promise<DependencyError> {
  const err = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DependencyError, `a DependencyError, got ${String(err)}`);
  return err;
}

test('POST sends JSON under the base path and returns the parsed answer; GET has no body', async (t) => {
  const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
  const baseUrl = await server(t, (req, body, res) => {
    seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
    json(res, 200, { echo: body ? JSON.parse(body) : null });
  });
  const client = new JsonClient({ dependency: 'svc', baseUrl: `${baseUrl}/prefix/` });
  t.after(() => client.close());
  assert.deepEqual(await client.post('/v1/things', { a: [1, 2] }), { echo: { a: [1, 2] } });
  assert.deepEqual(await client.get('/v1/things'), { echo: null });
  assert.equal(await client.ready(), true);
  assert.deepEqual(seen[0], { method: 'POST', url: '/prefix/v1/things', type: 'application/json', body: '{"a":[1,2]}' });
  assert.equal(seen[1]?.method, 'GET');
  assert.equal(seen[1]?.type, undefined);
  assert.equal(seen[2]?.url, '/prefix/ready');
});

test('error answers: the JSON error code and message are kept; 503 is unavailable, 504 timeout, others http', async (t) => {
  const baseUrl = await server(t, (req, _body, res) => {
    const status = Number(req.url?.slice(1)) || 503;
    json(res, status, { statusCode: status, code: `SVC_E${status}`, error: 'x', message: `failed with ${status}` });
  });
  const client = new JsonClient({ dependency: 'svc', baseUrl });
  t.after(() => client.close());
  for (const [status, kind] of [
    [400, 'http'],
    [500, 'http'],
    [503, 'unavailable'],
    [504, 'timeout'],
  ] as const) {
    const err = await failure(client.post(`/${status}`, {}));
    assert.equal(err.name, 'DependencyError');
    assert.equal(err.dependency, 'svc');
    assert.equal(err.kind, kind);
    assert.equal(err.timeout, kind === 'timeout');
    assert.equal(err.status, status);
    assert.equal(err.code, `SVC_E${status}`);
    assert.match(err.message, new RegExp(`^svc POST /${status} answered ${status}: failed with ${status}$`));
  }
  assert.equal(await client.ready(), false);
});

test('request(): extra headers are sent; any status with a JSON body resolves with its status, headers and body', async (t) => {
  const seen: Array<Record<string, unknown>> = [];
  const baseUrl = await server(t, (req, _body, res) => {
    seen.push({ baggage: req.headers.baggage, type: req.headers['content-type'] });
    const status = Number(req.url?.slice(1)) || 200;
    res.writeHead(status, { 'content-type': 'application/json', 'x-trace-id': `t${status}` }).end(JSON.stringify({ code: `SVC_E${status}`, message: 'no' }));
  });
  const client = new JsonClient({ dependency: 'svc', baseUrl });
  t.after(() => client.close());
  const ok = await client.request('POST', '/200', { a: 1 }, { headers: { baggage: 'region=eu-west' } });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['x-trace-id'], 't200');
  for (const status of [404, 503]) {
    const res = await client.request('GET', `/${status}`);
    assert.equal(res.statusCode, status);
    assert.equal(res.headers['x-trace-id'], `t${status}`);
    assert.deepEqual(res.body, { code: `SVC_E${status}`, message: 'no' });
    const err = client.httpError(res, `svc GET /${status}`);
    assert.equal(err.kind, status === 503 ? 'unavailable' : 'http');
    assert.equal(err.code, `SVC_E${status}`);
    assert.equal(err.message, `svc GET /${status} answered ${status}: no`);
  }
  assert.deepEqual(seen[0], { baggage: 'region=eu-west', type: 'application/json' });
  assert.deepEqual(seen[1], { baggage: undefined, type: undefined });
  // Without an answer request() still rejects like post() and get().
  const gone = new JsonClient({ dependency: 'svc', baseUrl: `http://127.0.0.1:${await freePort()}` });
  t.after(() => gone.close());
  assert.equal((await failure(gone.request('GET', '/x'))).kind, 'unavailable');
});

test('an answer that is not JSON is kind http with its status', async (t) => {
  const baseUrl = await server(t, (_req, _body, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>'));
  const client = new JsonClient({ dependency: 'svc', baseUrl });
  t.after(() => client.close());
  const err = await failure(client.get('/x'));
  assert.equal(err.kind, 'http');
  assert.equal(err.status, 502);
  assert.equal(err.code, undefined);
  assert.match(err.message, /answered 502 without a JSON body/);
});

test('a server that never answers: kind timeout after timeoutMs', async (t) => {
  const baseUrl = await server(t, () => {});
  const client = new JsonClient({ dependency: 'svc', baseUrl, timeoutMs: 150 });
  t.after(() => client.close());
  const started = performance.now();
  const err = await failure(client.post('/slow', {}));
  const elapsed = performance.now() - started;
  assert.equal(err.kind, 'timeout');
  assert.equal(err.timeout, true);
  assert.equal(err.status, undefined);
  assert.match(err.message, /svc POST \/slow did not answer within 150 ms/);
  assert.ok(elapsed >= 140 && elapsed < 1500, `took ${elapsed} ms`);
});

test('a server that stops half-way through the body: the timeout still applies', async (t) => {
  const baseUrl = await server(t, (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
  });
  const client = new JsonClient({ dependency: 'svc', baseUrl, timeoutMs: 150 });
  t.after(() => client.close());
  const err = await failure(client.get('/half'));
  assert.equal(err.kind, 'timeout');
});

test('nothing listening: kind unavailable with the socket code', async (t) => {
  const port = await freePort();
  const client = new JsonClient({ dependency: 'svc', baseUrl: `http://127.0.0.1:${port}` });
  t.after(() => client.close());
  const err = await failure(client.post('/v1/x', {}));
  assert.equal(err.kind, 'unavailable');
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.status, undefined);
  assert.equal(err.message, 'svc POST /v1/x unreachable: ECONNREFUSED');
  assert.doesNotMatch(err.message, /127\.0\.0\.1|:\d{2,5}\b/, 'callers pass the message on: no address in it');
  assert.match(String((err.cause as Error).message), new RegExp(`127.0.0.1:${port}`), 'the address stays in the cause, for logs');
});

test("the caller's signal ends the call: kind aborted, not timeout", async (t) => {
  const baseUrl = await server(t, () => {});
  const client = new JsonClient({ dependency: 'svc', baseUrl, timeoutMs: 5000 });
  t.after(() => client.close());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  const err = await failure(client.post('/x', {}, { signal: controller.signal }));
  assert.equal(err.kind, 'aborted');
  assert.equal(err.timeout, false);
  assert.ok(performance.now() - started < 2000);
  assert.equal((await failure(client.get('/x', { signal: AbortSignal.abort() }))).kind, 'aborted');
});

test('a shared pool is used and left open by close()', async (t) => {
  let calls = 0;
  const baseUrl = await server(t, (_req, _body, res) => json(res, 200, { n: ++calls }));
  const pool = new Pool(baseUrl, { connections: 2 });
  t.after(() => pool.close());
  const a = new JsonClient({ dependency: 'a', baseUrl, pool });
  const b = new JsonClient({ dependency: 'b', baseUrl, pool });
  assert.deepEqual(await a.get('/'), { n: 1 });
  await a.close();
  assert.deepEqual(await b.get('/'), { n: 2 }, 'the pool still works after a client closed');
  assert.equal(pool.closed, false);
});

test('ServiceClient: a subclass adds its routes; ready() and close() come with it', async (t) => {
  const baseUrl = await server(t, (req, body, res) => (req.url === '/ready' ? json(res, 200, { ok: true }) : json(res, 400, { code: 'EX_BAD', message: `bad ${body}` })));
  class ExampleClient extends ServiceClient {
    constructor(opts: ServiceClientOptions) {
      super('example', opts);
    }
    run(req: { x: number }): Promise<{ y: number }> {
      return this.http.post('/v1/run', req);
    }
  }
  const client = new ExampleClient({ baseUrl });
  assert.equal(await client.ready(), true);
  const err = await failure(client.run({ x: 1 }));
  assert.equal(err.dependency, 'example');
  assert.equal(err.code, 'EX_BAD');
  assert.match(err.message, /^example POST \/v1\/run answered 400: bad \{"x":1\}$/);
  await client.close();
  assert.equal(await client.ready(), false, 'a closed client is not ready');
});

/** A server that holds every request until `release()`; counts what arrived. */
async function holdingServer(t: { after(fn: () => unknown): void }) {
  const held: ServerResponse[] = [];
  let arrived = 0;
  const baseUrl = await server(t, (_req, _body, res) => {
    arrived++;
    held.push(res);
  });
  return {
    baseUrl,
    arrived: () => arrived,
    release: () => {
      for (const res of held.splice(0)) json(res, 200, { ok: true });
    },
  };
}

test('a full pool: a call waits at most queueTimeoutMs for a connection, then fails unavailable CLIENT_POOL_SATURATED', async (t) => {
  const s = await holdingServer(t);
  const client = new JsonClient({ dependency: 'svc', baseUrl: s.baseUrl, connections: 2, maxQueued: 1, queueTimeoutMs: 150, timeoutMs: 5000 });
  t.after(() => client.close());
  const busy = [client.post('/a', {}), client.post('/b', {})];
  while (s.arrived() < 2) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(client.load, { inFlight: 2, queued: 0 });

  const started = performance.now();
  const waiting = failure(client.post('/c', {}));
  // The queue holds one: the next call is refused at once, without waiting.
  const refusedAt = performance.now();
  const refused = await failure(client.post('/d', {}));
  const refusedAfter = performance.now() - refusedAt;
  assert.equal(refused.kind, 'unavailable');
  assert.equal(refused.code, 'CLIENT_POOL_SATURATED');
  assert.match(refused.message, /^svc POST \/d: no free connection \(all 2 connections busy and 1 calls waiting\)$/);

  const expired = await waiting;
  const waited = performance.now() - started;
  assert.equal(expired.kind, 'unavailable');
  assert.equal(expired.code, 'CLIENT_POOL_SATURATED');
  assert.match(expired.message, /no connection free within the queue wait/);
  assert.ok(waited >= 140, `waited the queue timeout (${waited.toFixed(0)} ms)`);
  assert.ok(refusedAfter < waited, `the refusal (${refusedAfter.toFixed(0)} ms) did not wait like the queued call (${waited.toFixed(0)} ms)`);
  assert.equal(s.arrived(), 2, 'neither refused call reached the server');

  s.release();
  await Promise.all(busy);
  assert.deepEqual(client.load, { inFlight: 0, queued: 0 });
  const again = client.post('/e', {});
  while (s.arrived() < 3) await new Promise((r) => setTimeout(r, 5));
  s.release();
  assert.deepEqual(await again, { ok: true }, 'the pool serves again once connections are free');
});

test('a queued call gets the connection a finished call frees, in order', async (t) => {
  const s = await holdingServer(t);
  const client = new JsonClient({ dependency: 'svc', baseUrl: s.baseUrl, connections: 1, queueTimeoutMs: 2000 });
  t.after(() => client.close());
  const first = client.post('/1', {});
  while (s.arrived() < 1) await new Promise((r) => setTimeout(r, 5));
  const second = client.post('/2', {});
  assert.deepEqual(client.load, { inFlight: 1, queued: 1 });
  s.release();
  await first;
  while (s.arrived() < 2) await new Promise((r) => setTimeout(r, 5));
  s.release();
  assert.deepEqual(await second, { ok: true });
});

test('the wait for a connection counts against the call timeout: a queued call times out within timeoutMs', async (t) => {
  const s = await holdingServer(t);
  const client = new JsonClient({ dependency: 'svc', baseUrl: s.baseUrl, connections: 1, queueTimeoutMs: 10_000, timeoutMs: 200 });
  t.after(() => client.close());
  const first = failure(client.post('/1', {}));
  while (s.arrived() < 1) await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  const queued = await failure(client.post('/2', {}));
  const took = performance.now() - started;
  assert.equal(queued.kind, 'timeout');
  assert.ok(took < 2000, `bounded by timeoutMs, not by the 10 s queue wait (${took.toFixed(0)} ms)`);
  assert.equal((await first).kind, 'timeout');
  assert.deepEqual(client.load, { inFlight: 0, queued: 0 }, 'both slots released');
});

test("the caller's abort ends a wait for a connection: kind aborted, slot accounting intact", async (t) => {
  const s = await holdingServer(t);
  const client = new JsonClient({ dependency: 'svc', baseUrl: s.baseUrl, connections: 1, queueTimeoutMs: 10_000 });
  t.after(() => client.close());
  const first = client.post('/1', {});
  while (s.arrived() < 1) await new Promise((r) => setTimeout(r, 5));
  const controller = new AbortController();
  const queued = failure(client.post('/2', {}, { signal: controller.signal }));
  controller.abort();
  assert.equal((await queued).kind, 'aborted');
  assert.deepEqual(client.load, { inFlight: 1, queued: 0 });
  s.release();
  await first;
  assert.deepEqual(client.load, { inFlight: 0, queued: 0 });
});
