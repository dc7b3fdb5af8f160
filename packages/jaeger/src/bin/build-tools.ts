#!/usr/bin/env node
// Builds every pinned Go tool the tests use into the cache (once: a cached one is reused), e.g. in
// CI before `npm test`. Go missing or the module proxy unreachable is reported and is not a
// failure here: the tests that need the tools then fail in CI (skip elsewhere) saying the same.
//   node packages/jaeger/dist/src/bin/build-tools.js [tool…]
import { ToolError } from '../errors';
import { ensureTool, TOOL_NAMES, toolPath, type ToolName } from '../tools';

async function main(): Promise<number> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((a) => !(TOOL_NAMES as readonly string[]).includes(a));
  if (unknown.length) {
    console.error(`unknown tool ${unknown.join(', ')}; known: ${TOOL_NAMES.join(', ')}`);
    return 2;
  }
  const names = (asked.length ? asked : TOOL_NAMES) as ToolName[];
  for (const name of names) {
    const label = `${name}`.padEnd(15);
    try {
      const r = await ensureTool(name);
      console.log(`${label} ${r.built ? `built in ${(r.ms / 1000).toFixed(1)} s` : 'cached'}: ${r.path}`);
    } catch (err) {
      if (err instanceof ToolError && (err.code === 'TOOL_GO_MISSING' || err.code === 'TOOL_PROXY_UNREACHABLE')) {
        console.warn(`${label} NOT BUILT: ${err.message}\n(the tests that need it fail in CI and are skipped elsewhere)`);
        continue;
      }
      console.error(`${label} build failed (${toolPath(name)}): ${(err as Error).message}`);
      return 1;
    }
  }
  return 0;
}

void main().then((code) => (process.exitCode = code));
