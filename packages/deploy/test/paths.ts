import { join } from 'node:path';

/** Repository root, from dist/test of this package. */
export const repoRoot = join(__dirname, '..', '..', '..', '..');
export const SERVICES = ['gateway', 'feature-store', 'inference', 'postprocess'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The ports each service listens on by default (issue 3); compose, k8s and the Dockerfiles must agree. */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: 8080,
  'feature-store': 8081,
  inference: 8082,
  postprocess: 8083,
};
