import { freePort } from '@mltrace/stack';

/** `n` different free loopback ports (the kernel may hand out one twice when asked in a row). */
export async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
