#!/usr/bin/env node
// Rewrites every Dockerfile from the one template (see ../dockerfiles.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@mltrace/stack';
import { IMAGES, readWorkspaces, renderDockerfile } from '../dockerfiles';

const workspaces = readWorkspaces(REPO_ROOT);
for (const spec of IMAGES) {
  writeFileSync(join(REPO_ROOT, spec.path), renderDockerfile(spec, workspaces));
  console.log(`wrote ${spec.path}`);
}
