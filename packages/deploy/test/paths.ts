// One list of services and their default ports: the stack's. The code-agreement test checks it
// against each service's own config, so compose, k8s and the Dockerfiles are held to the code.
export { REPO_ROOT as repoRoot, SERVICE_NAMES as SERVICES, DEFAULT_PORTS } from '@mltrace/stack';
export type { ServiceName } from '@mltrace/stack';
