/**
 * Limits from the W3C Baggage spec (https://www.w3.org/TR/baggage/#limits):
 * a propagator must be able to carry this much and may drop anything beyond it.
 * Header values are ASCII after percent-encoding, so characters = bytes here.
 */
export const BAGGAGE_MAX_MEMBERS = 180;
export const BAGGAGE_MAX_MEMBER_BYTES = 4096;
export const BAGGAGE_MAX_TOTAL_BYTES = 8192;

export interface LimitedBaggage {
  accepted: Array<[key: string, value: string]>;
  dropped: number;
}

/**
 * Keeps members in order until a limit is reached. A member is measured as it
 * would be serialized in a `baggage` header (`key=percent-encoded-value`).
 */
export function limitBaggageMembers(members: Iterable<[string, string]>): LimitedBaggage {
  const accepted: Array<[string, string]> = [];
  let dropped = 0;
  let total = 0;
  for (const [key, value] of members) {
    const size = encodeURIComponent(key).length + 1 + encodeURIComponent(value).length;
    const withSeparator = accepted.length === 0 ? size : size + 1;
    if (accepted.length >= BAGGAGE_MAX_MEMBERS || size > BAGGAGE_MAX_MEMBER_BYTES || total + withSeparator > BAGGAGE_MAX_TOTAL_BYTES) {
      dropped++;
      continue;
    }
    accepted.push([key, value]);
    total += withSeparator;
  }
  return { accepted, dropped };
}
