/**
 * What an entity id may be: the feature store's contract, exported through `./client` so a
 * caller (the gateway) refuses a bad id itself instead of spending a hop on it.
 */
export const ENTITY_ID_PATTERN = '^[A-Za-z0-9._:-]+$';
export const ENTITY_ID_MAX_LENGTH = 64;

/** The JSON schema of one entity id, for a caller's own request schema. */
export const ENTITY_ID_SCHEMA = { type: 'string', minLength: 1, maxLength: ENTITY_ID_MAX_LENGTH, pattern: ENTITY_ID_PATTERN } as const;

/** A non-empty list of entity ids (its length limit is checked in code, with its own error code). */
export const ENTITY_IDS_SCHEMA = { type: 'array', minItems: 1, items: ENTITY_ID_SCHEMA } as const;
