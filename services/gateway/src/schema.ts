import type { FastifySchemaValidationError } from 'fastify/types/schema';

/** `POST /v1/predict` body: exactly one of `entities` or `instances`; batch size is checked in code (its own error code). */
export const predictBodySchema = {
  type: 'object',
  properties: {
    entities: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1, maxLength: 128 },
    },
    instances: {
      type: 'array',
      minItems: 1,
      items: { type: 'array', minItems: 1, items: { type: 'number' } },
    },
  },
  oneOf: [{ required: ['entities'] }, { required: ['instances'] }],
} as const;

/**
 * One sentence naming the field, instead of ajv's list of every failed branch of the `oneOf`.
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const oneOf = errors.find((e) => e.keyword === 'oneOf');
  if (oneOf && oneOf.instancePath === '') {
    const bothGiven = (oneOf.params as { passingSchemas?: unknown }).passingSchemas != null;
    return new Error(
      bothGiven
        ? `${dataVar} must have only one of 'entities' or 'instances', not both`
        : `${dataVar} must have one of 'entities' (customer ids) or 'instances' (feature vectors)`,
    );
  }
  const first = errors[0];
  if (!first) return new Error(`${dataVar} is invalid`);
  return new Error(`${dataVar}${first.instancePath} ${first.message ?? 'is invalid'}`);
}
