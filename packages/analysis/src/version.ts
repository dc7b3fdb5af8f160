/** The @mltrace/analysis version, read from its package.json (dist/src/version.js → ../../package.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function mltraceVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
