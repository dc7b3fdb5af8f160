// The red team's bad-input suite: several hundred generated hostile requests (hostile-inputs.ts)
// against the four services running as traced processes. No process may die, no answer may be a
// 5xx, every 4xx must carry a code and a message that names the problem, and every line of every
// trace file must stay valid JSON.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasRedisServer, isAlive, SERVICE_NAMES, startSystem, type RunningSystem } from '@mltrace/stack';
import { FILE_TRACING_ENV } from './file-tracing-env';
import { send, type Answer } from './hostile-client';
import { readExportedSpans } from './traces';
import { hostileCases, type HostileCase } from './hostile-inputs';

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-bad-input-'));
const tracesDir = join(tmp, 'traces');
let system: RunningSystem;
const results: Array<{ c: HostileCase; answer: Answer }> = [];
const alive: Record<string, boolean> = {};
const health: Record<string, number> = {};

/** Messages that say nothing about what was wrong. */
const GENERIC = /^(Client Error|Bad Request|Not Found|Service Unavailable|Internal Server Error|error|invalid)$/i;
const CONCURRENCY = 4;

before(async () => {
  assert.ok(hasRedisServer(), 'the bad-input suite needs the redis-server binary');
  system = await startSystem({
    ports: 'auto',
    redis: 'private',
    seedCustomers: 200,
    tracesDir,
    logsDir: join(tmp, 'logs'),
    env: {
      ...FILE_TRACING_ENV,
      // Spans leave often, so a bad span would show in the files before the end.
      OTEL_BSP_SCHEDULE_DELAY: '500',
    },
  });
  const cases = hostileCases();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        results.push({ c, answer: await send(c, system.urls[c.service]) });
      }
    }),
  );
  for (const name of SERVICE_NAMES) {
    const pid = system.pids[name];
    alive[name] = pid !== undefined && isAlive(pid);
    health[name] = (await fetch(`${system.urls[name]}/health`, { signal: AbortSignal.timeout(5000) }).catch(() => null))?.status ?? 0;
  }
  await system.stop();
}, { timeout: 240_000 });

after(async () => {
  await system?.stop();
  rmSync(tmp, { recursive: true, force: true });
});


function describe(r: { c: HostileCase; answer: Answer }): string {
  return `${r.c.service} ${r.c.what} → ${r.answer.status} ${r.answer.error ?? r.answer.text.slice(0, 200)}`;
}

test('at least 250 cases across the four services, each service well represented', (t) => {
  assert.ok(results.length >= 250, `${results.length} cases`);
  const byStatus = new Map<number, number>();
  for (const r of results) byStatus.set(r.answer.status, (byStatus.get(r.answer.status) ?? 0) + 1);
  t.diagnostic(`${results.length} cases; answers by status: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(', ')}`);
  for (const name of SERVICE_NAMES) {
    const n = results.filter((r) => r.c.service === name).length;
    assert.ok(n >= 60, `${name}: ${n} cases`);
  }
});

test('no process died: all four still alive and healthy after every case', () => {
  for (const name of SERVICE_NAMES) {
    assert.equal(alive[name], true, `${name} is alive`);
    assert.equal(health[name], 200, `${name} /health`);
  }
});

test('every case got an answer, and none was a 5xx', () => {
  const unanswered = results.filter((r) => r.answer.status === 0);
  assert.deepEqual(unanswered.map(describe), [], 'closed or reset without an answer');
  const fives = results.filter((r) => r.answer.status >= 500);
  assert.deepEqual(fives.map(describe), [], '5xx answers');
});

test('every 4xx has the shape of every error, a code, and a message that names the problem', () => {
  const bad: string[] = [];
  let checked = 0;
  for (const r of results) {
    if (r.answer.status < 400 || (r.c.kind === 'http' && r.c.method === 'HEAD')) continue;
    checked++;
    let body: { statusCode?: unknown; code?: unknown; error?: unknown; message?: unknown };
    try {
      body = JSON.parse(r.answer.text) as typeof body;
    } catch {
      bad.push(`${describe(r)} (not JSON)`);
      continue;
    }
    const ok =
      body.statusCode === r.answer.status &&
      typeof body.code === 'string' &&
      /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(body.code) &&
      typeof body.error === 'string' &&
      typeof body.message === 'string' &&
      body.message.length >= 10 &&
      !GENERIC.test(body.message);
    if (!ok) bad.push(describe(r));
  }
  assert.deepEqual(bad, []);
  assert.ok(checked >= 200, `${checked} 4xx answers checked`);
});

test('the 4xx codes are the documented ones: a sample per kind of input', () => {
  const codeOf = (service: string, what: string) => {
    const r = results.find((x) => x.c.service === service && x.c.what === what);
    return r ? (JSON.parse(r.answer.text || '{}') as { code?: string }).code : 'missing case';
  };
  assert.equal(codeOf('gateway', 'body: an unterminated object'), 'GW_INVALID_JSON');
  assert.equal(codeOf('gateway', 'a 10 MB body'), 'GW_BODY_TOO_LARGE');
  assert.equal(codeOf('gateway', 'headers: a 100 character segment'), 'GW_INVALID_BAGGAGE');
  assert.equal(codeOf('gateway', 'entities/0 = "__proto__"'), 'GW_ENTITIES_NOT_FOUND');
  assert.equal(codeOf('gateway', 'entities/0 = a path traversal'), 'GW_INVALID_REQUEST');
  assert.equal(codeOf('feature-store', 'raw: a NUL in a header'), 'FST_BAD_HTTP_REQUEST');
  assert.equal(codeOf('inference', 'raw: 20 KB of headers'), 'INF_HEADERS_TOO_LARGE');
  assert.equal(codeOf('inference', 'instances/0/3 = 1e308'), 'INF_FEATURE_OUT_OF_RANGE');
  assert.equal(codeOf('postprocess', 'route: OPTIONS'), 'PP_NOT_FOUND');
  assert.equal(codeOf('postprocess', 'body: a top-level __proto__'), 'PP_INVALID_JSON');
});

test('a prototype-named segment is an ordinary unknown segment end to end', () => {
  const r = results.find((x) => x.c.service === 'gateway' && x.c.what === 'headers: a prototype key in baggage');
  assert.equal(r?.answer.status, 200, r && describe(r));
  const pp = results.find((x) => x.c.service === 'postprocess' && x.c.what === 'segment = "constructor"');
  assert.equal(pp?.answer.status, 200, pp && describe(pp));
});

test('the trust boundary: baggage members the gateway does not take from callers reach no downstream span', () => {
  const r = results.find((x) => x.c.service === 'gateway' && x.c.what === 'headers: members the gateway does not take from callers');
  assert.equal(r?.answer.status, 200, r && describe(r));
  const trace = readExportedSpans(tracesDir).filter((s) => s.traceId === r!.answer.traceId);
  const downstream = trace.filter((s) => s.serviceName !== 'gateway');
  assert.ok(downstream.length >= 3, `${downstream.length} downstream spans`);
  for (const s of downstream) {
    assert.ok(!Object.values(s.attributes).includes('hacked'), `${s.serviceName} ${s.name} carries a caller's value: ${JSON.stringify(s.attributes)}`);
  }
  const store = downstream.find((s) => s.serviceName === 'feature-store' && s.kind === 2);
  assert.equal(store?.attributes['business.customer_segment'], 'smb', 'an accepted member still travels');
});

test('every line of every trace file is valid JSON', () => {
  const files = readdirSync(tracesDir).filter((f) => f.endsWith('.jsonl'));
  assert.ok(files.length >= 4, `${files.length} trace files`);
  let lines = 0;
  for (const f of files) {
    for (const line of readFileSync(join(tracesDir, f), 'utf8').split('\n')) {
      if (line === '') continue;
      lines++;
      assert.doesNotThrow(() => JSON.parse(line), `${f} line ${lines}`);
    }
  }
  assert.ok(lines > 0);
});
