import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LoadUsageError } from './errors';
import { loadMixFile } from './mix';
import { formatResult } from './report';
import { DEFAULTS, runLoad } from './run-load';
import type { LoadMode, LoadOptions } from './types';

export const LOAD_USAGE = `Usage: mltrace load --url URL [options]

Sends bounded HTTP load to one URL (the gateway's /v1/predict when the URL has no path).
Every request carries a fresh sampled traceparent and baggage with its ML context and
synthetic_type=test, so load-test traces are marked synthetic.

Options:
  --url URL              target (required)
  --mode open|closed     open: constant arrival rate, latency from the scheduled time
                         (corrects coordinated omission); closed: N connections back to back,
                         for maximum throughput (default ${DEFAULTS.mode})
  --rate N               open loop: requests per second (default ${DEFAULTS.rate})
  --duration S           seconds of load (default ${DEFAULTS.durationS})
  --connections N        closed: concurrent connections; open: pool size (default ${DEFAULTS.connections})
  --max-outstanding N    open loop: in-flight cap; requests due beyond it are dropped and counted (default ${DEFAULTS.maxOutstanding})
  --max-requests N       stop after sending N requests
  --timeout MS           per-request deadline (default ${DEFAULTS.timeoutMs})
  --mix FILE             request mix (.json, .yaml or .yml); see the loadgen README
  --seed N               seed of the request mix (default ${DEFAULTS.seed})
  --out FILE             also write the result as JSON to FILE
  --format text|json     what to print on stdout (default text)
  --no-traceparent       send baggage only: the target starts each trace and its sampler decides
  --no-progress          no live progress line (it is only drawn on a TTY anyway)
  -h, --help             this help

Exit codes: 0 the run completed, 1 the target never answered, 2 bad usage or mix file.`;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new LoadUsageError(`--${name} expects a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Parses argv (without node and script) into load options. Throws LoadUsageError. */
export function parseLoadArgs(argv: string[]): { help: boolean; options: LoadOptions; out?: string; format: 'text' | 'json' } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        mode: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        'max-outstanding': { type: 'string' },
        'max-requests': { type: 'string' },
        timeout: { type: 'string' },
        mix: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        'no-progress': { type: 'boolean' },
        'no-traceparent': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new LoadUsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true, options: { url: '' }, format: 'text' };
  if (!v.url) throw new LoadUsageError('--url is required');
  if (v.mode !== undefined && v.mode !== 'open' && v.mode !== 'closed') throw new LoadUsageError(`--mode must be open or closed, got ${JSON.stringify(v.mode)}`);
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new LoadUsageError(`--format must be text or json, got ${JSON.stringify(format)}`);
  const options: LoadOptions = {
    url: v.url,
    progress: !v['no-progress'],
    ...(v['no-traceparent'] ? { traceparent: false } : {}),
    ...(v.mode ? { mode: v.mode as LoadMode } : {}),
  };
  const numeric: Array<[keyof LoadOptions, string, string | undefined]> = [
    ['rate', 'rate', v.rate],
    ['durationS', 'duration', v.duration],
    ['connections', 'connections', v.connections],
    ['maxOutstanding', 'max-outstanding', v['max-outstanding']],
    ['maxRequests', 'max-requests', v['max-requests']],
    ['timeoutMs', 'timeout', v.timeout],
    ['seed', 'seed', v.seed],
  ];
  for (const [key, flag, raw] of numeric) {
    const n = num(flag, raw);
    if (n !== undefined) (options as unknown as Record<string, number>)[key] = n;
  }
  if (v.mix) options.mix = loadMixFile(v.mix);
  return { help: false, options, format, ...(v.out ? { out: v.out } : {}) };
}

/** `mltrace load …`: resolves to the process exit code (0 ok, 1 target never answered, 2 bad usage). */
export async function runLoadCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseLoadArgs(argv);
  } catch (err) {
    if (!(err instanceof LoadUsageError)) throw err;
    process.stderr.write(`mltrace load: ${err.message}\nRun "mltrace load --help" for usage.\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${LOAD_USAGE}\n`);
    return 0;
  }
  try {
    const result = await runLoad(args.options);
    if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(args.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : `${formatResult(result)}\n`);
    if (result.sent > 0 && result.completed === 0) {
      process.stderr.write(`mltrace load: no response from ${result.url} (${Object.keys(result.errorCodes).join(', ') || 'no error code'})\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof LoadUsageError) {
      process.stderr.write(`mltrace load: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`mltrace load: ${(err as Error).message}\n`);
    return 1;
  }
}
