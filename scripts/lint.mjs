#!/usr/bin/env node
// Project rules that a type checker cannot see:
//  - no relative import reaches outside its own package (use the package name and its `exports`);
//  - a service imports another service only through its typed `client` subpath export.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const problems = [];
const services = readdirSync(join(root, 'services'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

for (const group of ['packages', 'services']) {
  for (const pkg of readdirSync(join(root, group))) {
    const pkgDir = join(root, group, pkg);
    for (const file of walk(pkgDir, [])) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) {
        const spec = m[1];
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(pkgDir + '/')) problems.push(`${relative(root, file)}: relative import '${spec}' leaves the package`);
        }
        const svc = /^@mltrace\/([^/]+)(\/.*)?$/.exec(spec);
        if (svc && services.includes(svc[1]) && group === 'services' && svc[1] !== pkg && svc[2] !== '/client') {
          problems.push(`${relative(root, file)}: imports service '${spec}'; services may only import another service's '/client'`);
        }
      }
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('lint: ok');
