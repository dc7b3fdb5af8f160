import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startTracedProcess } from '@mltrace/testkit';

const FIXTURE = join(__dirname, 'fixtures', 'log-app.js');

interface LogLine {
  msg: string;
  reqId?: string;
  trace_id?: string;
  span_id?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

test('under the tracing preload every request log line carries the trace id of its request', async (t) => {
  const svc = await startTracedProcess(t, { cwd: join(__dirname, '..', '..'), script: FIXTURE, serviceName: 'log-fixture', env: { LOG_LEVEL: 'info' }, readyPath: '/health' });
  const traces = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  const sent = [
    { trace: traces[0] as string, payload: '{"n":1}', status: 200 },
    // A rejected request is logged (and correlated) the same way.
    { trace: traces[1] as string, payload: '{"n":1,"extra":true}', status: 400 },
  ];
  for (const s of sent) {
    const res = await fetch(`${svc.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${s.trace}-${randomBytes(8).toString('hex')}-01` },
      body: s.payload,
    });
    assert.equal(res.status, s.status, await res.text());
  }
  await svc.waitForOutput('"statusCode":400');
  const lines = logLines(svc.stdout());
  for (const s of sent) {
    const incoming = lines.find((l) => l.msg === 'incoming request' && l.trace_id === s.trace);
    assert.ok(incoming, `an "incoming request" line with trace_id ${s.trace}; lines:\n${svc.stdout()}`);
    assert.deepEqual([incoming.req?.method, incoming.req?.url], ['POST', '/echo']);
    const ofRequest = lines.filter((l) => l.reqId === incoming.reqId);
    assert.deepEqual(
      ofRequest.map((l) => [l.msg, l.trace_id]).filter(([msg]) => msg === 'incoming request' || msg === 'request completed'),
      [
        ['incoming request', s.trace],
        ['request completed', s.trace],
      ],
    );
    for (const l of ofRequest) {
      assert.equal(l.trace_id, s.trace, `"${l.msg}" of ${incoming.reqId} has the request's trace_id`);
      assert.match(l.span_id ?? '', /^[0-9a-f]{16}$/);
    }
    const completed = ofRequest.find((l) => l.msg === 'request completed');
    assert.equal(completed?.res?.statusCode, s.status);
    assert.equal(typeof completed?.responseTime, 'number');
  }
  // fastify's own request lines are off: each request is logged once, not twice.
  assert.equal(lines.filter((l) => l.msg === 'incoming request' && traces.includes(l.trace_id ?? '')).length, 2);
});
