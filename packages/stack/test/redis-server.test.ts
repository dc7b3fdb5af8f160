// The private Redis: a machine without redis-server gets a rejection that says what to do, not an
// unhandled 'error' event that ends the caller (the benchmark and the stack start one).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRedisServer } from '../src/process';

test('startRedisServer without the binary rejects with an install hint', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'mltrace-no-redis-'));
  const path = process.env.PATH;
  process.env.PATH = empty; // spawn looks the binary up on PATH: an empty directory has none
  t.after(() => {
    process.env.PATH = path;
    rmSync(empty, { recursive: true, force: true });
  });
  await assert.rejects(startRedisServer(), (err: Error) => {
    assert.match(err.message, /redis-server could not be started: .*ENOENT/);
    assert.match(err.message, /apt-get install redis-server.*REDIS_URL/);
    return true;
  });
});
