import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

export interface Hit {
  at: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface Target {
  url: string;
  hits: Hit[];
  maxConcurrent: number;
  close(): Promise<void>;
}

/** A real fastify server on a loopback port that records what arrives and answers through `handler`. */
export async function startTarget(handler: (req: FastifyRequest, reply: FastifyReply, hit: Hit) => Promise<unknown>): Promise<Target> {
  const app = Fastify({ logger: false });
  // Malformed JSON from the invalid-request mix must still be counted, not rejected before the handler.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(null, { unparsable: body });
    }
  });
  const target: Target = { url: '', hits: [], maxConcurrent: 0, close: () => app.close() };
  let concurrent = 0;
  app.post('/v1/predict', async (req, reply) => {
    const hit: Hit = { at: performance.now(), headers: req.headers, body: req.body };
    target.hits.push(hit);
    concurrent++;
    target.maxConcurrent = Math.max(target.maxConcurrent, concurrent);
    try {
      return await handler(req, reply, hit);
    } finally {
      concurrent--;
    }
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  target.url = address;
  return target;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
