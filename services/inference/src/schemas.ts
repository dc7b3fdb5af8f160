/** JSON schema of POST /v1/infer; per-row feature count and finiteness are checked against the chosen model. */
export function inferBodySchema(maxBatchSize: number) {
  return {
    type: 'object',
    required: ['instances'],
    additionalProperties: false,
    properties: {
      instances: {
        type: 'array',
        minItems: 1,
        maxItems: maxBatchSize,
        // The row length is checked in the handler, where the model's feature count is known.
        items: { type: 'array', maxItems: 1024, items: { type: 'number' } },
      },
      model_version: { type: 'string', minLength: 1, maxLength: 64 },
    },
  } as const;
}
