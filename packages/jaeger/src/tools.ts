import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jaegerConfig } from './config';
import { findGo, goRun, goOutput, type Go } from './go';
import { ToolError } from './errors';

/** The Go programs the tests and `npm run jaeger` run, each built once per pinned version. */
export type ToolName = 'jaeger' | 'hotrod' | 'kustomize' | 'compose-config';
export const TOOL_NAMES: readonly ToolName[] = ['jaeger', 'hotrod', 'kustomize', 'compose-config'];

/** Jaeger's Go module: its `cmd/jaeger` is the Jaeger v2 binary, `examples/hotrod` the demo application. */
export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger';
export const JAEGER_VERSION = 'v1.75.0';
export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5';
/** v5.8.3 needs go 1.27; v5.8.2 builds with the machines' go 1.26. */
export const KUSTOMIZE_VERSION = 'v5.8.2';
/** The Compose loader program: its own go.mod pins github.com/compose-spec/compose-go/v2. */
export const COMPOSE_CONFIG_DIR = resolve(__dirname, '..', '..', 'go', 'compose-config');

interface ToolSpec {
  /** What the cache folder is named after: a change rebuilds. */
  stamp(): string;
  /** Builds the binary into `out`. */
  build(go: Go, out: string): Promise<void>;
}

/**
 * Jaeger's go.mod has a `replace` directive, so `go install …@v1.75.0` refuses it: the module is
 * downloaded (checked against the checksum database) and built as its own main module, with its
 * own go.sum, as Jaeger's Makefile builds it.
 */
async function buildFromJaegerModule(go: Go, pkg: string, out: string, ldflags: string[] = []): Promise<void> {
  const info = JSON.parse(await goOutput(go, ['mod', 'download', '-json', `${JAEGER_MODULE}@${JAEGER_VERSION}`])) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new ToolError('TOOL_BUILD_FAILED', `go mod download ${JAEGER_MODULE}@${JAEGER_VERSION}: ${info.Error ?? 'no directory'}`);
  const flags = ldflags.length ? ['-ldflags', ldflags.join(' ')] : [];
  await goRun(go, ['build', '-trimpath', ...flags, '-o', out, pkg], { cwd: info.Dir });
}

const SPECS: Record<ToolName, ToolSpec> = {
  jaeger: {
    stamp: () => JAEGER_VERSION,
    build: (go, out) => buildFromJaegerModule(go, './cmd/jaeger', out, [`-X ${JAEGER_MODULE}/internal/version.latestVersion=${JAEGER_VERSION}`]),
  },
  hotrod: {
    stamp: () => JAEGER_VERSION,
    build: (go, out) => buildFromJaegerModule(go, './examples/hotrod', out),
  },
  kustomize: {
    stamp: () => KUSTOMIZE_VERSION,
    build: async (go, out) => {
      const bin = `${out}.gobin`;
      await goRun(go, ['install', '-trimpath', `${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION}`], { env: { GOBIN: bin } });
      renameSync(join(bin, 'kustomize'), out);
      rmSync(bin, { recursive: true, force: true });
    },
  },
  'compose-config': {
    stamp: () => sourceHash(COMPOSE_CONFIG_DIR, ['go.mod', 'go.sum', 'main.go']),
    build: (go, out) => goRun(go, ['build', '-trimpath', '-mod=readonly', '-o', out, '.'], { cwd: COMPOSE_CONFIG_DIR }),
  },
};

function sourceHash(dir: string, files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  return h.digest('hex').slice(0, 12);
}

/** Where `name`'s binary is (or will be) cached: `<tools dir>/<name>-<version or source hash>/<name>`. */
export function toolPath(name: ToolName): string {
  return join(jaegerConfig().toolsDir, `${name}-${SPECS[name].stamp()}`, name);
}

export function isBuilt(name: ToolName): boolean {
  return existsSync(toolPath(name));
}

export interface BuildResult {
  name: ToolName;
  path: string;
  /** false: it was in the cache. */
  built: boolean;
  ms: number;
}

const inProcess = new Map<ToolName, Promise<BuildResult>>();

/**
 * The tool's binary, built first if the cache does not have it. Builds are serialized across
 * processes (parallel test files) by a lock directory beside the cache folder; a lock whose owner
 * has died is taken over. Throws ToolError (GO_MISSING, PROXY_UNREACHABLE, BUILD_FAILED).
 */
export function ensureTool(name: ToolName): Promise<BuildResult> {
  let p = inProcess.get(name);
  if (!p) {
    p = buildLocked(name);
    inProcess.set(name, p);
    p.catch(() => inProcess.delete(name));
  }
  return p;
}

async function buildLocked(name: ToolName): Promise<BuildResult> {
  const started = Date.now();
  const path = toolPath(name);
  if (existsSync(path)) return { name, path, built: false, ms: 0 };
  const go = findGo();
  const dir = join(path, '..');
  const lock = `${dir}.lock`;
  mkdirSync(join(dir, '..'), { recursive: true });
  await acquire(lock);
  try {
    // Another process may have built it while this one waited.
    if (existsSync(path)) return { name, path, built: false, ms: Date.now() - started };
    const staging = `${dir}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      await SPECS[name].build(go, join(staging, name));
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return { name, path, built: true, ms: Date.now() - started };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (lockIsStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // No pid file yet: the owner is between mkdir and write, unless that was long ago.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        return Date.now() - statSync(lock).mtimeMs > 10_000;
      } catch {
        return false;
      }
    }
    // ESRCH: the owner died; EPERM: it lives (another user).
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
