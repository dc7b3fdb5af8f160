// The README's quick start, run from the README's own text: the commands in its
// "Quick start" section are extracted and executed as written (npm start, the curl
// request, npx mltrace analyze), so the README cannot drift from what works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PORTS, REPO_ROOT } from '@mltrace/stack';
import { waitForHttp } from '@mltrace/testkit';

const run = promisify(execFile);

/** The shell commands of the fenced blocks in one README section, comments stripped, `\` continuations joined. */
export function sectionCommands(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `README has a "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  const commands: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command) commands.push(command);
    }
  }
  return commands;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const commands = sectionCommands(README, 'Quick start');

test('the quick start is the two README commands, then a request and the analysis', () => {
  assert.deepEqual(commands.slice(0, 2), ['npm install && npm start', 'npm install && npm test']);
  assert.match(commands[2] ?? '', /^curl .*\/v1\/predict/);
  assert.match(commands[3] ?? '', /^npx mltrace analyze /);
});

test('the quick start works as written: npm start, the curl request, npx mltrace analyze; SIGTERM stops everything', { timeout: 180_000 }, async (t) => {
  const ports = Object.values(DEFAULT_PORTS);
  const busy = [];
  for (const port of ports) if (!(await portFree(port))) busy.push(port);
  if (busy.length) {
    // A developer's own running system holds the README's ports; CI's machine must have them free.
    if (process.env.CI === 'true') assert.fail(`ports ${busy.join(', ')} are in use`);
    t.skip(`ports ${busy.join(', ')} are in use (is the system already running?)`);
    return;
  }
  // `npm install` has run already (this test runs inside `npm test`): start with the second half.
  const [install, start] = commands[0]!.split(' && ');
  assert.equal(install, 'npm install');
  const [cmd, ...args] = start!.split(' ');
  // Its own process group, so that whatever the test's outcome everything it started can be stopped.
  const stack = spawn(cmd!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  stack.stdout.on('data', (d: Buffer) => (output += d.toString()));
  stack.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
  t.after(() => {
    try {
      process.kill(-stack.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  });
  await waitForHttp(`http://127.0.0.1:${DEFAULT_PORTS.gateway}/ready`, 120_000).catch((err: unknown) => assert.fail(`${String(err)}\n${output}`));

  const curl = await run('bash', ['-c', commands[2]!], { cwd: REPO_ROOT });
  const body = JSON.parse(curl.stdout) as { predictions?: unknown[] };
  assert.equal(body.predictions?.length, 2, curl.stdout);

  // The gateway's spans reach the file exporter within its flush interval; analyze reads them back.
  let analysis = { stdout: '', stderr: '' };
  for (let attempt = 0; attempt < 20; attempt++) {
    analysis = await run('bash', ['-c', commands[3]!], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stdout: string; stderr: string }) => e);
    if (/critical path/i.test(analysis.stdout) && /enterprise/.test(analysis.stdout)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.match(analysis.stdout, /critical path/i, analysis.stderr);
  assert.match(analysis.stdout, /enterprise/, 'the request\'s customer segment is in the report');

  // SIGTERM to the npm process itself stops the whole system.
  stack.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  for (const port of ports) assert.ok(await portFree(port), `port ${port} is free after SIGTERM\n${output}`);
});
