/**
 * HotROD's documented walk-through, as requests: rides ordered one at a time, then a burst of
 * concurrent ones (the tutorial's "click the buttons fast" that makes requests queue on the
 * customer service's single MySQL connection). Shared by hotrod.test.ts and the fixture capture
 * (fixtures/README.md).
 */
import type { RunningHotrod } from '../src';

/** HotROD's four customers (its UI's buttons). */
export const CUSTOMERS = [123, 392, 731, 567] as const;

export interface Dispatch {
  customer: number;
  status: number;
  body: string;
}

async function dispatch(hotrod: RunningHotrod, customer: number, n: number): Promise<Dispatch> {
  const res = await fetch(`${hotrod.url}/dispatch?customer=${customer}&nonse=${n}`, { signal: AbortSignal.timeout(30_000) });
  return { customer, status: res.status, body: await res.text() };
}

export async function driveHotrod(hotrod: RunningHotrod, sequential = 3, concurrent = 3): Promise<{ sequential: Dispatch[]; concurrent: Dispatch[] }> {
  const one: Dispatch[] = [];
  for (let i = 0; i < sequential; i++) one.push(await dispatch(hotrod, CUSTOMERS[i % CUSTOMERS.length]!, i));
  const burst = await Promise.all(Array.from({ length: concurrent }, (_, i) => dispatch(hotrod, CUSTOMERS[i % CUSTOMERS.length]!, 100 + i)));
  return { sequential: one, concurrent: burst };
}
