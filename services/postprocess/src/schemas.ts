/** JSON schemas of the HTTP contract (validation in, fast serialization out). */

const probability = { type: 'number', minimum: 0, maximum: 1 } as const;

export const postprocessBodySchema = {
  type: 'object',
  required: ['predictions'],
  additionalProperties: false,
  properties: {
    // The batch limit is checked in the handler so it gets its own error code.
    predictions: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['class', 'probabilities', 'confidence'],
        additionalProperties: false,
        properties: {
          entity: { type: 'string', minLength: 1, maxLength: 64 },
          class: { type: 'integer', enum: [0, 1] },
          probabilities: { type: 'array', minItems: 2, maxItems: 2, items: probability },
          confidence: probability,
        },
      },
    },
    segment: { type: 'string', minLength: 1, maxLength: 32 },
  },
} as const;

export const postprocessResponseSchema = {
  type: 'object',
  properties: {
    predictions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          entity: { type: ['string', 'null'] },
          label: { type: 'string' },
          probability: { type: 'number' },
          confidence: { type: 'number' },
          tier: { type: 'string' },
        },
      },
    },
    segment: { type: ['string', 'null'] },
    threshold: { type: 'number' },
  },
} as const;
