import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CUSTOMER_COUNT } from '@mltrace/dataset';
import { MixError } from './errors';
import type { Mix } from './types';

const weights = {
  type: 'object',
  minProperties: 1,
  additionalProperties: { type: 'number', minimum: 0 },
} as const;

// Keys become baggage members or a Redis-facing entity count: keep them to safe, bounded shapes.
const MIX_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 100 },
    customers: { type: 'integer', minimum: 1, maximum: 99_999 },
    batchSizes: { ...weights, propertyNames: { pattern: '^[1-9][0-9]{0,2}$' } },
    modelVersions: { ...weights, propertyNames: { pattern: '^[A-Za-z0-9._-]{1,32}$' } },
    experiment: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'arms'],
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
        arms: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'weight'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
              weight: { type: 'number', minimum: 0 },
              modelVersion: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,32}$' },
            },
          },
        },
      },
    },
    segments: weights,
    regions: weights,
    priorities: weights,
    invalidFraction: { type: 'number', minimum: 0, maximum: 1 },
    unknownEntityFraction: { type: 'number', minimum: 0, maximum: 1 },
    baggage: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      additionalProperties: { type: 'string', maxLength: 256 },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile<Mix>(MIX_SCHEMA);

/** A mix that exercises the whole pipeline: both model versions, every segment and region, a few bad requests. */
export const DEFAULT_MIX: Mix = {
  name: 'default',
  batchSizes: { '1': 4, '4': 3, '16': 2, '32': 1 },
  modelVersions: { v1: 1, v2: 1 },
  segments: { consumer: 4, smb: 3, enterprise: 2, premium: 1 },
  regions: { 'us-east': 3, 'us-west': 2, 'eu-west': 2, 'ap-south': 1 },
  priorities: { normal: 8, high: 2 },
  invalidFraction: 0.02,
  unknownEntityFraction: 0.02,
};

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const at = e.instancePath || '(root)';
      if (e.keyword === 'additionalProperties') return `${at}: unknown field '${String(e.params['additionalProperty'])}'`;
      if (e.keyword === 'propertyNames') return `${at}: key '${String(e.params['propertyName'])}' ${e.message ?? 'is invalid'}`;
      return `${at} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/** Validates a parsed mix object; throws MixError naming every problem. `origin` names the file in messages. */
export function parseMix(value: unknown, origin = 'mix'): Mix {
  if (!validate(value)) throw new MixError(`${origin}: invalid mix: ${describe(validate.errors)}`);
  const mix = value;
  for (const [field, w] of Object.entries({ batchSizes: mix.batchSizes, modelVersions: mix.modelVersions, segments: mix.segments, regions: mix.regions, priorities: mix.priorities })) {
    if (w && !Object.values(w).some((x) => x > 0)) throw new MixError(`${origin}: invalid mix: /${field} needs at least one weight above 0`);
  }
  if (mix.experiment && !mix.experiment.arms.some((a) => a.weight > 0)) {
    throw new MixError(`${origin}: invalid mix: /experiment/arms needs at least one weight above 0`);
  }
  const maxBatch = Math.max(...Object.keys(mix.batchSizes ?? { 1: 1 }).map(Number));
  if (maxBatch > 256) throw new MixError(`${origin}: invalid mix: /batchSizes: batch size ${maxBatch} exceeds 256`);
  return mix;
}

/** Reads a mix from a `.json`, `.yaml` or `.yml` file. */
export function loadMixFile(path: string): Mix {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MixError(`cannot read mix file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new MixError(`${path}: not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
  return parseMix(value, path);
}

export function customerCount(mix: Mix): number {
  return mix.customers ?? DEFAULT_CUSTOMER_COUNT;
}
