import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { ENTITY_IDS_SCHEMA } from '@mltrace/feature-store/client';
import { describeValidationError } from '@mltrace/service-kit/request-body';
import { GwInvalidRequestError } from './errors';

/** `POST /v1/predict` body: exactly one of `entities` or `instances`; batch size is checked in code (its own error code). */
export const predictBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // The feature store's own rule: a bad id is refused here, not one hop later.
    entities: ENTITY_IDS_SCHEMA,
    instances: {
      type: 'array',
      minItems: 1,
      items: { type: 'array', minItems: 1, items: { type: 'number' } },
    },
  },
  oneOf: [{ required: ['entities'] }, { required: ['instances'] }],
} as const;

/**
 * One sentence naming the field, instead of ajv's list of every failed branch of the `oneOf`,
 * as a GW_INVALID_REQUEST error (the shared error handler keeps its code and message).
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new GwInvalidRequestError(describeSchemaErrors(errors, dataVar));
}

function describeSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): string {
  const oneOf = errors.find((e) => e.keyword === 'oneOf');
  if (oneOf && oneOf.instancePath === '') {
    const bothGiven = (oneOf.params as { passingSchemas?: unknown }).passingSchemas != null;
    return bothGiven
      ? `${dataVar} must have only one of 'entities' or 'instances', not both`
      : `${dataVar} must have one of 'entities' (customer ids) or 'instances' (feature vectors)`;
  }
  const first = errors[0];
  if (!first) return `${dataVar} is invalid`;
  const described = describeValidationError(first, dataVar);
  const unknown = (first.params as { additionalProperty?: unknown }).additionalProperty;
  // Older clients put the ML context in the body; say where it goes instead.
  return first.keyword === 'additionalProperties' && typeof unknown === 'string' && BAGGAGE_FIELDS.has(unknown)
    ? `${described} (the ML context, e.g. model_version, customer_segment and region, comes from the W3C baggage header)`
    : described;
}

const BAGGAGE_FIELDS = new Set(['model_version', 'segment', 'customer_segment', 'region', 'experiment_id']);
