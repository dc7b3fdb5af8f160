import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createServiceApp } from '../src/service-app';

const REQUEST_TIMEOUT_MS = 600;
const config = { logLevel: 'silent', requestTimeoutMs: REQUEST_TIMEOUT_MS, connectionTimeoutMs: 10_000, warnings: [] };

/** A createServiceApp service listening on a free port, with an echo route and a slow one. */
async function service(t: { after(fn: () => unknown): void }): Promise<{ app: FastifyInstance; port: number }> {
  const app = createServiceApp(config, { codePrefix: 'SVC' });
  app.post('/echo', { schema: { body: { type: 'object' } } }, async (req) => ({ got: req.body }));
  app.get('/slow', async () => {
    await new Promise((r) => setTimeout(r, 300));
    return { slow: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return { app, port: (app.server.address() as AddressInfo).port };
}

/** Writes `data` on a raw socket and collects everything until the server closes it. */
function raw(port: number, data: string | Buffer, opts: { keepOpen?: boolean } = {}): { socket: Socket; done: Promise<{ text: string; closedAfterMs: number }> } {
  const socket = connect(port, '127.0.0.1');
  const started = performance.now();
  let text = '';
  const done = new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ text, closedAfterMs: performance.now() - started }));
  });
  socket.write(data);
  if (!opts.keepOpen) socket.end();
  return { socket, done };
}

/** Status line and JSON body of a raw HTTP answer. */
function parse(text: string): { status: number; body: { statusCode: number; code: string; error: string; message: string } } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { statusCode: number; code: string; error: string; message: string };
  return { status, body };
}

test('HTTP parser errors leave in the shape of every error, with a code and a message naming the problem', async (t) => {
  const { port } = await service(t);
  const cases: Array<[what: string, data: string, status: number, code: string, message: RegExp]> = [
    ['a NUL byte in a header value', 'GET /echo HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n', 400, 'SVC_BAD_HTTP_REQUEST', /^malformed HTTP request: .*header/i],
    ['Content-Length with Transfer-Encoding (smuggling)', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'SVC_BAD_HTTP_REQUEST', /^malformed HTTP request: .*(Content-Length|Transfer-Encoding)/i],
    ['a 20 KB header', `GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'SVC_HEADERS_TOO_LARGE', /headers are larger than 16384 bytes/],
    ['garbage for a request line', 'HELLO\r\n\r\n', 400, 'SVC_BAD_HTTP_REQUEST', /^malformed HTTP request: /],
  ];
  for (const [what, data, status, code, message] of cases) {
    const { text } = await raw(port, data).done;
    const answer = parse(text);
    assert.equal(answer.status, status, what);
    assert.equal(answer.body.statusCode, status, what);
    assert.equal(answer.body.code, code, what);
    assert.match(answer.body.message, message, what);
    assert.equal(typeof answer.body.error, 'string', what);
  }
});

test('a client sending its headers a byte at a time is cut near the request timeout, not after 30 s, with a 408 and a code', async (t) => {
  const { port } = await service(t);
  const { socket, done } = raw(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n', { keepOpen: true });
  const drip = setInterval(() => socket.writable && socket.write('X'), 100);
  t.after(() => clearInterval(drip));
  const { text, closedAfterMs } = await done;
  clearInterval(drip);
  const answer = parse(text);
  assert.equal(answer.status, 408);
  assert.equal(answer.body.code, 'SVC_REQUEST_TIMEOUT');
  assert.match(answer.body.message, new RegExp(`within ${REQUEST_TIMEOUT_MS} ms`));
  // The check runs every fifth of the timeout; Node's default interval alone is 30 s.
  assert.ok(closedAfterMs < REQUEST_TIMEOUT_MS * 5, `closed after ${closedAfterMs.toFixed(0)} ms (timeout ${REQUEST_TIMEOUT_MS} ms)`);
});

test('a body far over the limit gets its 413 with a code, not a connection reset, with Content-Length and chunked', async (t) => {
  const { port } = await service(t);
  const origin = `http://127.0.0.1:${port}`;
  const big = Buffer.alloc(10 * 1024 * 1024, 'a');
  for (let i = 0; i < 4; i++) {
    const chunked = i % 2 === 1;
    const res = await request(`${origin}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked ? Readable.from((function* () { for (let o = 0; o < big.length; o += 65_536) yield big.subarray(o, o + 65_536); })()) : big,
    });
    const body = (await res.body.json()) as { code: string; message: string };
    assert.equal(res.statusCode, 413, chunked ? 'chunked' : 'content-length');
    assert.equal(body.code, 'SVC_BODY_TOO_LARGE');
    assert.match(body.message, /larger than the limit of 1048576 bytes/);
  }
});

test('during the drain: a request still arriving on an open connection is served, and both answers close their connections', async (t) => {
  const { app, port } = await service(t);
  // A request in flight when the drain begins keeps the server open until it is answered.
  const busy = raw(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', { keepOpen: true });
  // A request whose headers are not complete yet when the drain begins: it arrives during it.
  const late = raw(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n', { keepOpen: true });
  await new Promise((r) => setTimeout(r, 100));
  const closed = app.close();
  await new Promise((r) => setTimeout(r, 20));
  late.socket.write('\r\n');
  const [inFlight, arrived] = await Promise.all([busy.done, late.done]);
  await closed;
  assert.match(inFlight.text, /^HTTP\/1\.1 200/, 'the request in flight completed');
  assert.match(inFlight.text, /\r\nconnection: close\r\n/i, 'and its connection is not reused: the client opens a new one');
  assert.match(arrived.text, /^HTTP\/1\.1 200/, 'the request that arrived during the drain was served, not refused');
  assert.match(arrived.text, /\r\nconnection: close\r\n/i);
});
