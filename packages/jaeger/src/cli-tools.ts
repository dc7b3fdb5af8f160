import { execFile } from 'node:child_process';
import { jaegerConfig } from './config';
import { ToolError } from './errors';
import { ensureTool, type ToolName } from './tools';

/** Runs a built tool to completion; its stdout, or a ToolError (TOOL_FAILED) with its stderr. */
export async function runTool(name: ToolName, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<string> {
  const { path } = await ensureTool(name);
  return new Promise((resolve, reject) => {
    execFile(path, args, { cwd: opts.cwd, env: { ...jaegerConfig().inherited, ...opts.env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new ToolError('TOOL_FAILED', `${name} ${args.join(' ')} failed (${err.code ?? err.signal}): ${(stderr || stdout).trim()}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** `kustomize build <dir>`: the manifests as the real Kustomize renders them (YAML stream). */
export function kustomizeBuild(dir: string): Promise<string> {
  return runTool('kustomize', ['build', dir]);
}

export interface ComposeConfigOptions {
  /** Where `.env` is read and relative paths resolve; default the first file's folder. */
  projectDir?: string;
  /** Environment for interpolation (over the inherited one). */
  env?: Record<string, string | undefined>;
}

/**
 * The Compose model as Docker Compose's own loader (compose-go) normalizes it: interpolated from
 * the environment and `.env`, the files merged in order, every profile's services included. The
 * same JSON `docker compose config --format json` prints.
 */
export async function composeConfig(files: readonly string[], opts: ComposeConfigOptions = {}): Promise<any> {
  const args = [...(opts.projectDir ? ['-C', opts.projectDir] : []), ...files.flatMap((f) => ['-f', f])];
  return JSON.parse(await runTool('compose-config', args, { env: opts.env }));
}

/** `jaeger validate --config <file>`: the real binary checks every component's configuration. */
export function validateBackendConfig(file: string): Promise<string> {
  return runTool('jaeger', ['validate', '--config', file]);
}
