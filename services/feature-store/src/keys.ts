/**
 * Redis key layout. The version sits in a hash tag (`{v1}`) so one version's
 * keys share a cluster slot and a new version is a new key space, not an overwrite.
 */
export function featureKey(featureVersion: string, entity: string): string {
  return `features:{${featureVersion}}:${entity}`;
}

/** Hash with `count`, `features` (JSON array in stored order) and `seed`. */
export function metaKey(featureVersion: string): string {
  return `features:{${featureVersion}}:__meta`;
}
