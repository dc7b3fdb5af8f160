// Helpers of the out-of-process preload tests: fixture apps started with
// `node --require @mltrace/tracing/register`, real sockets, spans read back
// from the file exporter's OTLP/JSON files.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from '@mltrace/testkit';

export const PKG_ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(__dirname, 'fixtures');
export const SERVER = 2;
export const CLIENT = 3;

export interface App {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** This process's environment without any tracing settings that would leak into the children. */
export function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('MLTRACE_')));
}

export async function startApp(fixture: string, env: Record<string, string>, preload: string[] = []): Promise<App> {
  const port = await freePort();
  const requires = [...preload, '@mltrace/tracing/register'].flatMap((p) => ['--require', p]);
  const child = spawn(process.execPath, [...requires, join(FIXTURES, fixture)], {
    cwd: PKG_ROOT,
    env: { ...cleanEnv(), OTEL_BSP_SCHEDULE_DELAY: '50', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}

export async function post(url: string, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  return res.json();
}

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-preload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

