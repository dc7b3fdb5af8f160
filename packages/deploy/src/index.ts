export { readEnvFile, interpolate, mergeCompose, loadCompose, serviceEnvironment } from './compose';
export type { ComposeFile, ComposeService, LoadedCompose, Interpolation } from './compose';
export { kustomizeBuild, readManifests, parseManifests } from './kustomize';
export type { K8sResource } from './kustomize';
export { validateResource } from './k8s-schema';
export { parseDockerfile, finalStage, execForm } from './dockerfile';
export type { Instruction } from './dockerfile';
export { IMAGES, readWorkspaces, runtimeClosure, renderDockerfile } from './dockerfiles';
export type { ImageSpec } from './dockerfiles';
