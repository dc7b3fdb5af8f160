/** Runs the built `mltrace` command (`mltrace lab …` included) as a learner would, in child processes. */
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@mltrace/stack';

/** The committed bin of @mltrace/cli (a path, not an import: the CLI depends on this package). */
export const MLTRACE_BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'mltrace.js');

/** The built `npm run jaeger` (packages/jaeger's bin), as `mltrace` is the built CLI. */
export const JAEGER_BIN = join(REPO_ROOT, 'packages', 'jaeger', 'dist', 'src', 'bin', 'jaeger.js');

/** A fresh directory where a page's commands find the repository's files they name. */
export function freshLabDir(prefix: string): string {
  const cwd = mkdtempSync(join(tmpdir(), prefix));
  for (const dir of ['docs', 'config', 'packages', 'services']) symlinkSync(join(REPO_ROOT, dir), join(cwd, dir));
  return cwd;
}

/**
 * The shell around a page's blocks: the commands as a learner has them, pointed at this run's
 * ports: the gateway's http://localhost:8080 at the lab's, Jaeger's 4318 and 16686 at those the
 * background Jaeger (`npm run jaeger -- --detach`, with MLTRACE_JAEGER_PORTS=auto) took.
 */
export function pageScript(blocks: string[]): string {
  const body = blocks
    .join('\n')
    .replaceAll('http://localhost:8080', '$(lab_gateway)')
    .replaceAll('http://localhost:4318', '$(jaeger_url otlpHttpUrl)')
    .replaceAll('http://localhost:16686', '$(jaeger_url queryUrl)');
  return [
    'set -euo pipefail',
    `mltrace() { node ${JSON.stringify(MLTRACE_BIN)} "$@"; }`,
    'npx() { if [ "${1:-}" = mltrace ]; then shift; mltrace "$@"; else command npx "$@"; fi; }',
    `npm() { if [ "\${1:-} \${2:-}" = "run jaeger" ]; then shift 2; if [ "\${1:-}" = -- ]; then shift; fi; node ${JSON.stringify(JAEGER_BIN)} "$@"; else command npm "$@"; fi; }`,
    `lab_gateway() { node -p "require('./.mltrace/lab/state.json').gateway"; }`,
    `jaeger_url() { node -p "require('./.mltrace/jaeger/state.json').$1"; }`,
    // Whatever happens, the system does not outlive the test.
    'trap \'mltrace lab stop >/dev/null 2>&1 || true\' EXIT',
    body,
  ].join('\n');
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment every test run gets: free ports, files (never a shell's Jaeger), the lab dir given. */
export function labEnv(labDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MLTRACE_LAB_DIR: labDir,
    MLTRACE_LAB_PORTS: 'auto',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    OTEL_TRACES_EXPORTER: '',
    MLTRACE_SCENARIO: '',
  };
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export const lab = (args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Run> => run(process.execPath, [MLTRACE_BIN, 'lab', ...args], { env, ...(cwd ? { cwd } : {}) });
export const mltrace = (args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Run> => run(process.execPath, [MLTRACE_BIN, ...args], { env, ...(cwd ? { cwd } : {}) });

/** Runs `fn` over `items`, at most `limit` at a time (two systems at once is what 2 cores bear). */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}
