import { resolve } from 'node:path';

/** The repository root, from this file's place in `packages/stack/dist/src`. */
export const REPO_ROOT = resolve(__dirname, '../../../..');

export const SERVICE_NAMES = ['feature-store', 'inference', 'postprocess', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: 8080,
  'feature-store': 8081,
  inference: 8082,
  postprocess: 8083,
};

export function serviceDir(name: ServiceName): string {
  return resolve(REPO_ROOT, 'services', name);
}

/** The stack's folder: logs, traces, the demo's runs and `stack.json` (MLTRACE_STACK_DIR overrides it). */
export const DEFAULT_STACK_DIR = resolve(REPO_ROOT, '.mltrace');
export const DEFAULT_TRACES_DIR = resolve(DEFAULT_STACK_DIR, 'traces');
export const DEFAULT_LOGS_DIR = resolve(DEFAULT_STACK_DIR, 'logs');
