import { resolve } from 'node:path';
import { REPO_ROOT } from '@mltrace/stack';

export { REPO_ROOT };
/** What Jaeger's remote sampling serves (and the services read as a file without Jaeger): the stack's default. */
export { DEFAULT_SAMPLING_STRATEGIES_FILE as SAMPLING_STRATEGIES_FILE } from '@mltrace/stack';
/** The sandbox's Jaeger v2 configuration (memory storage, OTLP in, UI/query, remote sampling). */
export const JAEGER_CONFIG_FILE = resolve(REPO_ROOT, 'deploy', 'jaeger', 'config.yaml');
/** The tail-sampling collector of the compose overlay. */
export const COLLECTOR_CONFIG_FILE = resolve(REPO_ROOT, 'deploy', 'collector', 'config.yaml');
export const COMPOSE_FILE = resolve(REPO_ROOT, 'docker-compose.yml');
export const COMPOSE_COLLECTOR_FILE = resolve(REPO_ROOT, 'docker-compose.collector.yml');
export const K8S_DIR = resolve(REPO_ROOT, 'k8s');
