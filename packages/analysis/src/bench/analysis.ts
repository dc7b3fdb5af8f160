/**
 * `npm run bench:analysis -w @mltrace/analysis`: generates pipeline-shaped synthetic traces
 * (100 k and 1 M spans) as OTLP/JSON lines in a temp dir, then, in a fresh child process per
 * size (so peak RSS is that size's alone), loads them and runs the full analysis. Prints
 * spans/s and peak RSS. Beside it, in another fresh child on the same file, the baseline load:
 * JSON.parse for every line on one thread (the loader without its scanner and threads), so the
 * speed-up is a ratio measured in the same run. `--sizes 100000,1000000` overrides the sizes;
 * `--no-baseline` skips the baseline; `--json` prints JSON.
 *
 * Then the Jaeger figure: the same kind of traces (`--jaeger-traces`, default 20 000) written as a
 * Jaeger API v1 response `{"data":[…]}` (what the Jaeger UI downloads), and in one fresh child a bare
 * `JSON.parse` of the file next to `mltrace analyze`'s load + analysis of it: the ratio of the two.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../analyses/analyze';
import { loadSources } from '../load';
import { traceStream, writeJaegerJson, writeOtlpLines } from '../synthetic/generator';

/** 8 entities per lookup; a trace's span count is measured on one generated trace (15 with the real shapes). */
const ENTITIES: [number, number] = [8, 8];
const SPANS_PER_TRACE = traceStream({ traces: 1, seed: 1, entities: ENTITIES }).next().value?.spans.length ?? 15;

interface Measurement {
  spans: number;
  traces: number;
  fileMB: number;
  loadSeconds: number;
  analyzeSeconds: number;
  totalSeconds: number;
  /** CPU time (user + system) of load and of analysis: robust to other work on the machine. */
  loadCpuSeconds: number;
  analyzeCpuSeconds: number;
  spansPerSecond: number;
  peakRssMB: number;
  bytesPerSpan: number;
  /** The baseline's load (JSON.parse, one thread) on the same file, and how many times faster ours loaded. */
  baselineLoadSeconds?: number;
  baselineLoadCpuSeconds?: number;
  loadSpeedup?: number;
}

interface BaselineLoad {
  spans: number;
  loadSeconds: number;
  loadCpuSeconds: number;
}

async function baselineChild(file: string): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const loaded = await loadSources([file], { fastPath: false, parallel: { threads: 1 } });
  const c1 = process.cpuUsage(c0);
  const m: BaselineLoad = { spans: loaded.spanCount, loadSeconds: Number(process.hrtime.bigint() - t0) / 1e9, loadCpuSeconds: (c1.user + c1.system) / 1e6 };
  process.stdout.write(JSON.stringify(m));
}

async function child(file: string): Promise<void> {
  const base = process.resourceUsage().maxRSS * 1024;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const loaded = await loadSources([file]);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage();
  const report = analyze(loaded.traces);
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage();
  const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1e6;
  const peak = process.resourceUsage().maxRSS * 1024;
  const load = Number(t1 - t0) / 1e9;
  const an = Number(t2 - t1) / 1e9;
  const m: Measurement = {
    spans: loaded.spanCount,
    traces: loaded.traces.length,
    fileMB: statSync(file).size / 1e6,
    loadSeconds: load,
    analyzeSeconds: an,
    totalSeconds: load + an,
    loadCpuSeconds: cpu(c0, c1),
    analyzeCpuSeconds: cpu(c1, c2),
    spansPerSecond: loaded.spanCount / (load + an),
    peakRssMB: peak / 1e6,
    bytesPerSpan: (peak - base) / Math.max(1, loaded.spanCount),
  };
  if (report.traffic.requests + report.traffic.healthChecks + report.traffic.background !== loaded.traces.length) throw new Error('analysis lost traces');
  process.stdout.write(JSON.stringify(m));
}

interface JaegerMeasurement {
  traces: number;
  spans: number;
  fileMB: number;
  /** A bare JSON.parse of the file (read included), seconds. */
  parseSeconds: number;
  /** mltrace's load + full analysis of the same file, seconds. */
  analyzeSeconds: number;
  ratio: number;
}

/**
 * The bare JSON.parse of the file (read included): seconds. In a function of its own so that the
 * parsed document is garbage when it returns, not kept alive across the load measured after it
 * (a live gigabyte of parsed JSON makes every garbage collection of the load slower).
 */
function timeParse(file: string): number {
  const t0 = process.hrtime.bigint();
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { data: unknown[] };
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!doc.data.length) throw new Error('empty Jaeger file');
  return seconds;
}

/** In one child: the bare JSON.parse first, then load + analysis, alternating twice to even out warm-up; the better of each. */
async function jaegerChild(file: string): Promise<void> {
  let parse = Infinity;
  let ours = Infinity;
  let spans = 0;
  let traces = 0;
  for (let round = 0; round < 2; round++) {
    parse = Math.min(parse, timeParse(file));
    const t1 = process.hrtime.bigint();
    const loaded = await loadSources([file]);
    analyze(loaded.traces);
    ours = Math.min(ours, Number(process.hrtime.bigint() - t1) / 1e9);
    spans = loaded.spanCount;
    traces = loaded.traces.length;
  }
  const m: JaegerMeasurement = { traces, spans, fileMB: statSync(file).size / 1e6, parseSeconds: parse, analyzeSeconds: ours, ratio: ours / parse };
  process.stdout.write(JSON.stringify(m));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      baseline: { type: 'string' },
      jaeger: { type: 'string' },
      'jaeger-traces': { type: 'string' },
      'no-baseline': { type: 'boolean' },
      sizes: { type: 'string' },
      json: { type: 'boolean' },
      keep: { type: 'boolean' },
    },
  });
  if (values.child) return child(values.child);
  if (values.jaeger) return jaegerChild(values.jaeger);
  if (values.baseline) return baselineChild(values.baseline);
  const sizes = (values.sizes ?? '100000,1000000').split(',').map(Number).filter((n) => n > 0);
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-bench-'));
  const results: Measurement[] = [];
  let jaeger: JaegerMeasurement | undefined;
  try {
    for (const size of sizes) {
      const file = join(dir, `synthetic-${size}.jsonl`);
      const g0 = Date.now();
      const written = await writeOtlpLines(traceStream({ traces: Math.ceil(size / SPANS_PER_TRACE), seed: 42, entities: ENTITIES }), file);
      process.stderr.write(`generated ${written} spans (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((Date.now() - g0) / 1000).toFixed(1)} s\n`);
      const heapMB = Math.max(512, Math.ceil((size * 2500) / 1e6));
      const run = (mode: string): string => execFileSync(process.execPath, [`--max-old-space-size=${heapMB}`, __filename, mode, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
      const m = JSON.parse(run('--child')) as Measurement;
      if (!values['no-baseline']) {
        const base = JSON.parse(run('--baseline')) as BaselineLoad;
        if (base.spans !== m.spans) throw new Error(`the baseline loaded ${base.spans} spans, ours ${m.spans}`);
        m.baselineLoadSeconds = base.loadSeconds;
        m.baselineLoadCpuSeconds = base.loadCpuSeconds;
        m.loadSpeedup = base.loadSeconds / m.loadSeconds;
      }
      results.push(m);
      rmSync(file, { force: true });
    }
    const jaegerTraces = Number(values['jaeger-traces'] ?? 20_000);
    if (jaegerTraces > 0) {
      const file = join(dir, 'synthetic.jaeger.json');
      const written = await writeJaegerJson(traceStream({ traces: jaegerTraces, seed: 43, entities: ENTITIES }), file);
      process.stderr.write(`generated ${jaegerTraces} traces, ${written} spans as Jaeger JSON (${(statSync(file).size / 1e6).toFixed(0)} MB)\n`);
      const heapMB = Math.max(1024, Math.ceil((written * 6000) / 1e6));
      jaeger = JSON.parse(execFileSync(process.execPath, [`--max-old-space-size=${heapMB}`, __filename, '--jaeger', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 })) as JaegerMeasurement;
      rmSync(file, { force: true });
    }
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
  if (values.json) {
    console.log(JSON.stringify({ otlpLines: results, jaeger }, null, 2));
    return;
  }
  const rows = results.map((m) => [
    m.spans.toLocaleString('en-US'),
    m.traces.toLocaleString('en-US'),
    `${m.fileMB.toFixed(0)} MB`,
    `${m.loadSeconds.toFixed(2)} s`,
    `${m.analyzeSeconds.toFixed(2)} s`,
    `${m.totalSeconds.toFixed(2)} s`,
    `${m.loadCpuSeconds.toFixed(2)} + ${m.analyzeCpuSeconds.toFixed(2)} s`,
    Math.round(m.spansPerSecond).toLocaleString('en-US'),
    `${m.peakRssMB.toFixed(0)} MB`,
    `${Math.round(m.bytesPerSpan)} B`,
    m.baselineLoadSeconds === undefined ? '-' : `${m.baselineLoadSeconds.toFixed(2)} s (×${(m.loadSpeedup ?? 0).toFixed(2)})`,
  ]);
  const head = ['spans', 'traces', 'file', 'load', 'analyze', 'total', 'CPU load + analyze', 'spans/s', 'peak RSS', 'RSS/span', 'baseline load (ours ×faster)'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(w[i] as number)).join('  ');
  console.log(`node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0]?.toFixed(1)} at the end`);
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(r));
  if (jaeger) {
    console.log(
      `Jaeger JSON, ${jaeger.traces.toLocaleString('en-US')} traces (${jaeger.spans.toLocaleString('en-US')} spans, ${jaeger.fileMB.toFixed(0)} MB): bare JSON.parse ${jaeger.parseSeconds.toFixed(2)} s, mltrace load + analysis ${jaeger.analyzeSeconds.toFixed(2)} s: ×${jaeger.ratio.toFixed(2)} the parse`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
