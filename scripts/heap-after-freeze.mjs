#!/usr/bin/env node
// Issue 14, point 7: does the gateway keep memory after a frozen dependency? Starts the system
// with the gateway under `--expose-gc --heapsnapshot-signal=SIGUSR2`, warms it up, then twice:
// load while postprocess is frozen (SIGSTOP) for FREEZE_MS, resume, let it settle. After each
// phase a heap snapshot (V8 collects garbage before writing one) is taken and summarised: live
// heap, RSS, and the constructors whose live count grew. A leak grows from cycle to cycle.
// Usage (after a build): node scripts/heap-after-freeze.mjs [freezeMs=10000] [concurrency=64]
import { mkdirSync, readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startSystem, sleep } = require('../packages/stack/dist/src/index.js');

const FREEZE_MS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 64);
const tmp = mkdtempSync(join(tmpdir(), 'mltrace-heap-'));
// Snapshots go to the temp dir (--diagnostic-dir), never into the source tree.
const snapshotDir = join(tmp, 'snapshots');
mkdirSync(snapshotDir);
const body = JSON.stringify({ entities: ['cust-00001', 'cust-00002'] });

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function load(url, ms) {
  const end = Date.now() + ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) }).catch(() => null);
        await res?.arrayBuffer().catch(() => {});
        n++;
      }
    }),
  );
  return n;
}

/**
 * Two snapshots, the second one kept: objects held by a FinalizationRegistry (e.g. the timer of
 * each AbortSignal.timeout()) are released only by a cleanup task after the GC that collected
 * their target, so the first snapshot's GC still sees them; the second one does not.
 */
async function snapshot(pid, label) {
  await takeSnapshot(pid, `${label} (first)`, true);
  await sleep(1000);
  return takeSnapshot(pid, label, false);
}

/** SIGUSR2 → the gateway writes Heap.*.heapsnapshot into snapshotDir; returns its summary. */
async function takeSnapshot(pid, label, quiet) {
  const before = new Set(readdirSync(snapshotDir).filter((f) => f.endsWith('.heapsnapshot')));
  process.kill(pid, 'SIGUSR2');
  let file;
  for (let i = 0; i < 600 && !file; i++) {
    await sleep(100);
    file = readdirSync(snapshotDir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
  }
  const path = join(snapshotDir, file);
  let snap;
  // The file appears when the writing starts; it is complete once it parses.
  for (let i = 0; i < 300 && !snap; i++) {
    await sleep(200);
    try {
      snap = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // still being written
    }
  }
  rmSync(path);
  const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const byCtor = new Map();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const size = snap.nodes[i + iSize];
    total += size;
    const type = types[snap.nodes[i + iType]];
    const name = type === 'object' || type === 'closure' ? snap.strings[snap.nodes[i + iName]] : `(${type})`;
    const entry = byCtor.get(name) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += size;
    byCtor.set(name, entry);
  }
  const rss = rssMb(pid);
  if (!quiet) console.log(`${label}: live heap ${(total / 1048576).toFixed(1)} MB (after GC), RSS ${rss.toFixed(1)} MB`);
  return { label, total, rss, byCtor };
}

function growth(a, b) {
  const rows = [];
  for (const [name, e] of b.byCtor) {
    const prev = a.byCtor.get(name) ?? { count: 0, size: 0 };
    if (e.size - prev.size > 64 * 1024) rows.push([name, e.count - prev.count, (e.size - prev.size) / 1024]);
  }
  rows.sort((x, y) => y[2] - x[2]);
  return rows.slice(0, 8).map(([n, c, kb]) => `    ${n}: ${c >= 0 ? '+' : ''}${c} objects, ${kb >= 0 ? '+' : ''}${kb.toFixed(0)} KB`).join('\n') || '    (nothing over 64 KB)';
}

const system = await startSystem({
  ports: 'auto',
  redis: 'private',
  seedCustomers: 500,
  tracesDir: join(tmp, 'traces'),
  logsDir: join(tmp, 'logs'),
  env: { OTEL_TRACES_EXPORTER: 'file', MLTRACE_SCENARIO: undefined },
  serviceEnv: { gateway: { NODE_OPTIONS: `--expose-gc --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` } },
});
const url = `${system.urls.gateway}/v1/predict`;
const gw = system.pids.gateway;
const pp = system.pids.postprocess;
try {
  console.log(`warm-up: ${await load(url, 5000)} requests at concurrency ${CONCURRENCY}`);
  await sleep(6000); // one span export interval
  const snaps = [await snapshot(gw, 'baseline')];
  for (let cycle = 1; cycle <= 2; cycle++) {
    const loading = load(url, FREEZE_MS + 3000);
    await sleep(1000);
    process.kill(pp, 'SIGSTOP');
    const peak = await sleep(FREEZE_MS - 500).then(() => rssMb(gw));
    process.kill(pp, 'SIGCONT');
    console.log(`cycle ${cycle}: postprocess frozen ${FREEZE_MS} ms under load (${await loading} requests); gateway RSS near the end of the freeze ${peak.toFixed(1)} MB`);
    await sleep(6000);
    snaps.push(await snapshot(gw, `after cycle ${cycle}`));
  }
  for (let i = 1; i < snaps.length; i++) console.log(`  growth ${snaps[i - 1].label} → ${snaps[i].label}:\n${growth(snaps[i - 1], snaps[i])}`);
} finally {
  await system.stop();
  rmSync(tmp, { recursive: true, force: true });
}
