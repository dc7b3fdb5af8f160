export {
  FEATURE_NAMES,
  SEGMENTS,
  REGIONS,
  DEFAULT_CUSTOMER_COUNT,
  DEFAULT_SEED,
  customerId,
  generateCustomer,
  generateCustomers,
} from './customers';
export type { Customer, FeatureName, GenerateOptions } from './customers';
export { trainTestSplit } from './split';
export type { Split } from './split';
export { mulberry32, mix32, normal, randomInt } from './prng';
export type { Random } from './prng';
