import { propagation, type Attributes, type Context } from '@opentelemetry/api';
import { BAGGAGE_TO_ATTRIBUTE, type MLContextKey } from '../attributes';
import type { MlRule } from './types';

/** A member's value as the sampler sees it at span start: the span's own attribute first, then the parent context's baggage. */
function mlValue(key: MLContextKey, attributes: Attributes, ctx: Context): string | undefined {
  const attr = attributes[BAGGAGE_TO_ATTRIBUTE[key]];
  if (typeof attr === 'string') return attr;
  return propagation.getBaggage(ctx)?.getEntry(key)?.value;
}

/** Returns the first matching rule and its label (`ml-rule:priority=high`), or undefined. */
export function matchMlRule(rules: readonly MlRule[], attributes: Attributes, ctx: Context): { rule: MlRule; label: string } | undefined {
  for (const rule of rules) {
    const parts: string[] = [];
    let all = true;
    for (const [key, accepted] of Object.entries(rule.match) as Array<[MLContextKey, string | string[]]>) {
      const value = mlValue(key, attributes, ctx);
      if (value === undefined || !(Array.isArray(accepted) ? accepted.includes(value) : accepted === value)) {
        all = false;
        break;
      }
      parts.push(`${key}=${value}`);
    }
    if (all) return { rule, label: `ml-rule:${parts.join(',')}` };
  }
  return undefined;
}
