import { spawn, spawnSync } from 'node:child_process';
import { jaegerConfig } from './config';
import { ToolError } from './errors';

export interface Go {
  command: string;
  /** e.g. "go1.26.8" */
  version: string;
}

const CANDIDATES = ['go', '/usr/local/go/bin/go'];

/** The go command: MLTRACE_GO, else `go` on PATH, else /usr/local/go/bin/go. Throws TOOL_GO_MISSING. */
export function findGo(): Go {
  const configured = jaegerConfig().go;
  for (const command of configured ? [configured] : CANDIDATES) {
    const r = spawnSync(command, ['env', 'GOVERSION'], { encoding: 'utf8', env: jaegerConfig().inherited });
    if (r.status === 0 && r.stdout.trim()) return { command, version: r.stdout.trim() };
  }
  throw new ToolError(
    'TOOL_GO_MISSING',
    `Go is missing: no go command ${configured ? `at MLTRACE_GO=${configured}` : 'on PATH or at /usr/local/go/bin/go'} (install Go ≥ 1.26 to build Jaeger, HotROD, Kustomize and the Compose loader)`,
  );
}

// What go prints when a module download cannot reach the proxy (or the checksum database).
const UNREACHABLE = /dial tcp|no such host|i\/o timeout|connection refused|network is unreachable|proxyconnect|TLS handshake timeout|connection reset|server misbehaving/i;

// What go prints when a module needs a newer Go than this one and may not fetch it.
const TOO_OLD = /requires go >= ([\d.]+) \(running go [\d.]+; GOTOOLCHAIN=local\)/;

function goproxy(go: Go): string {
  const r = spawnSync(go.command, ['env', 'GOPROXY'], { encoding: 'utf8', env: jaegerConfig().inherited });
  return r.stdout?.trim() || 'GOPROXY unset';
}

interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs go (niced: builds share the machine with tests), returning stdout; a failure is classified. */
export function goOutput(go: Go, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '10', go.command, ...args], {
      cwd: opts.cwd,
      env: { ...jaegerConfig().inherited, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new ToolError('TOOL_GO_MISSING', `could not run ${go.command}: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const output = (stderr || stdout).trim();
      const what = `go ${args.join(' ')}${opts.cwd ? ` (in ${opts.cwd})` : ''}`;
      const tooOld = TOO_OLD.exec(output);
      if (tooOld) {
        reject(new ToolError('TOOL_GO_MISSING', `Go ${tooOld[1]} or newer is missing: ${what} needs it and ${go.command} is ${go.version} (GOTOOLCHAIN=local); install a newer Go or allow GOTOOLCHAIN=auto`));
      } else if (UNREACHABLE.test(output)) {
        reject(new ToolError('TOOL_PROXY_UNREACHABLE', `the Go module proxy is unreachable (${goproxy(go)}): ${what} failed:\n${lastLines(output)}`));
      } else {
        reject(new ToolError('TOOL_BUILD_FAILED', `${what} failed (exit ${code}):\n${lastLines(output)}`));
      }
    });
  });
}

export async function goRun(go: Go, args: string[], opts: RunOptions = {}): Promise<void> {
  await goOutput(go, args, opts);
}

function lastLines(text: string, n = 15): string {
  return text.split('\n').slice(-n).join('\n');
}
