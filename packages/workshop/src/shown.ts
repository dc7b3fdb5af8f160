import { relative } from 'node:path';

/** A path as the learner would type it: relative when under the current directory. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
