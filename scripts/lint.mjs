#!/usr/bin/env node
// Project rules a type checker cannot see. Usage: node scripts/lint.mjs [package-dir …]
//  - no relative import leaves its package (use the package name and its `exports`);
//  - a service imports another service only through its typed `client` subpath export;
//  - the environment is read only in a package's config.ts (a preload that must run before
//    anything else may opt out with a `lint-allow: process-env` comment saying why);
//  - standard OpenTelemetry attribute keys come from @opentelemetry/semantic-conventions
//    (ATTR_*), not string literals; mltrace's own keys from packages/tracing/src/attributes.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const services = readdirSync(join(root, 'services'));
const allPackages = ['packages', 'services'].flatMap((g) => readdirSync(join(root, g)).map((p) => join(root, g, p)));
const selected = process.argv.slice(2).map((p) => resolve(p));
const packages = selected.length ? allPackages.filter((p) => selected.includes(p)) : allPackages;

// Keys of the semantic conventions that have ATTR_* constants; a literal of one in src/ is a slip.
const SEMCONV_LITERAL = /['"`](service\.(name|version|namespace|instance\.id)|deployment\.environment(\.name)?|http\.(request\.method|response\.status_code|route)|url\.(full|path|scheme)|server\.(address|port)|client\.address|error\.type|exception\.(type|message|stacktrace)|db\.(system|system\.name|operation\.name|operation\.batch\.size|namespace)|network\.protocol\.version|user_agent\.(original|synthetic\.type)|telemetry\.sdk\.\w+|process\.pid|host\.name)['"`]/;

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const problems = [];
for (const pkgDir of packages) {
  const group = relative(root, pkgDir).split('/')[0];
  const pkg = relative(join(root, group), pkgDir);
  for (const file of walk(pkgDir, [])) {
    const rel = relative(root, file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(pkgDir + '/')) problems.push(`${rel}: relative import '${spec}' leaves the package`);
      }
      const svc = /^@mltrace\/([^/]+)(\/.*)?$/.exec(spec);
      if (svc && services.includes(svc[1]) && group === 'services' && svc[1] !== pkg && svc[2] !== '/client') {
        problems.push(`${rel}: imports service '${spec}'; services may only import another service's '/client'`);
      }
    }
    const inSrc = relative(pkgDir, file).startsWith('src/');
    if (!inSrc) continue;
    const isConfig = /(^|\/)config\.ts$/.test(file);
    if (!isConfig && /process\.env\b/.test(src) && !/lint-allow: process-env/.test(src)) {
      problems.push(`${rel}: reads process.env outside config.ts`);
    }
    // The two files that define attribute keys: mltrace's own, and the unstable semconv keys copied from upstream.
    const isAttributesFile = rel === 'packages/tracing/src/attributes.ts' || rel === 'packages/tracing/src/semconv.ts';
    if (!isAttributesFile) {
      src.split('\n').forEach((line, i) => {
        if (SEMCONV_LITERAL.test(line) && !/^\s*(\/\/|\/\*|\*)/.test(line)) {
          problems.push(`${rel}:${i + 1}: semantic-convention key as a string literal; use its ATTR_* constant`);
        }
      });
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`lint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`lint: ok (${packages.length} packages)`);
