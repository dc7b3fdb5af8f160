/** JSON schemas of the HTTP contract (validation in, fast serialization out). */
import { ENTITY_IDS_SCHEMA } from './entity-id';

export const featuresBodySchema = {
  type: 'object',
  required: ['entities'],
  additionalProperties: false,
  properties: {
    // The batch limit is checked in the handler so it gets its own error code.
    entities: ENTITY_IDS_SCHEMA,
    features: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: { type: 'string', minLength: 1, maxLength: 64 },
    },
  },
} as const;

export const featuresResponseSchema = {
  type: 'object',
  properties: {
    featureVersion: { type: 'string' },
    features: { type: 'array', items: { type: 'string' } },
    vectors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          entity: { type: 'string' },
          values: { type: 'array', items: { type: 'number' } },
        },
      },
    },
    missing: { type: 'array', items: { type: 'string' } },
  },
} as const;
