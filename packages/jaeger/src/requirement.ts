import { jaegerConfig } from './config';
import { ToolError } from './errors';
import { ensureTool, type ToolName } from './tools';

/** The tools a test needs: their paths, or why they are not available. */
export type ToolCheck = { ok: true; paths: Record<ToolName, string> } | { ok: false; missing: string };

/** What registers skipping: a node:test TestContext. */
export interface Skippable {
  skip(message?: string): void;
}

/**
 * Builds (once, cached) or finds the tools. Only "cannot be had here" becomes `{ ok: false }`:
 * Go missing or the module proxy unreachable. A genuine build failure throws.
 */
export async function checkTools(names: readonly ToolName[]): Promise<ToolCheck> {
  const paths = {} as Record<ToolName, string>;
  for (const name of names) {
    try {
      paths[name] = (await ensureTool(name)).path;
    } catch (err) {
      if (err instanceof ToolError && (err.code === 'TOOL_GO_MISSING' || err.code === 'TOOL_PROXY_UNREACHABLE')) {
        return { ok: false, missing: `${name} cannot be built: ${err.message}` };
      }
      throw err;
    }
  }
  return { ok: true, paths };
}

/**
 * For a test that needs the tools: true when they are there. Otherwise, in CI (CI set) it throws
 * the reason, so the run fails saying what is missing; elsewhere it skips the test with it.
 */
export function toolsReady(t: Skippable, check: ToolCheck | undefined): check is Extract<ToolCheck, { ok: true }> {
  if (check === undefined) throw new Error('the tools were not checked (call checkTools in before())');
  if (check.ok) return true;
  if (jaegerConfig().ci) throw new Error(`${check.missing} (CI is set, so this fails instead of skipping)`);
  t.skip(check.missing);
  return false;
}
