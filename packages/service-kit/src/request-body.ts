import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { bodyErrors } from './errors';

/**
 * JSON bodies only, with errors that say what is wrong: the JSON parser names the syntax error,
 * `text/plain` (which fastify would hand over as a string) is a 415 like any other non-JSON type,
 * and a body that parses to something other than an object is a 400 before schema validation
 * (whose messages for a string body are confusing, e.g. a `oneOf` that every branch passes).
 */
export function installBodyHandling(app: FastifyInstance, codePrefix: string): void {
  const { InvalidJson, BodyNotObject, BodyTooLarge } = bodyErrors(codePrefix);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', (request, payload, done) => {
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? DEFAULT_BODY_LIMIT;
    readLimited(payload, limit).then(
      (text) => {
        if (text === null) return done(new BodyTooLarge(limit), undefined);
        if (text.length === 0) return done(new InvalidJson('the body is empty'), undefined);
        parseJson(request, text, (err, value) => (err ? done(new InvalidJson(syntaxProblem(text)), undefined) : done(null, value)));
      },
      (err: Error) => done(err, undefined),
    );
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const schema = request.routeOptions.schema?.body as { type?: unknown } | undefined;
    if (schema?.type !== 'object') return;
    const body: unknown = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BodyNotObject(kindOf(body));
  });
}

/** fastify's default `bodyLimit` (1 MiB); the services keep it. */
const DEFAULT_BODY_LIMIT = 1_048_576;
/**
 * A body over the limit is still read to its end (and thrown away) up to this many times the
 * limit, so the client, still sending, receives the 413: closing a socket with unread data makes
 * the kernel send a reset, and the client sees "connection reset" instead of the answer.
 * Beyond it (or with a Content-Length beyond it) the 413 goes out at once and the connection closes.
 */
const DRAIN_FACTOR = 32;

/** The body as UTF-8 text, or null when it is larger than `limit` bytes (then drained, see DRAIN_FACTOR). */
function readLimited(payload: NodeJS.ReadableStream & { headers?: unknown }, limit: number): Promise<string | null> {
  const drainCap = limit * DRAIN_FACTOR;
  const declared = Number((payload as { headers?: Record<string, string | undefined> }).headers?.['content-length']);
  return new Promise((resolve, reject) => {
    if (declared > drainCap) return resolve(null);
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: string | null) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buf.length;
      if (received <= limit) chunks.push(buf);
      else {
        chunks.length = 0;
        if (received > drainCap) finish(null);
      }
    };
    const onEnd = () => finish(received > limit ? null : Buffer.concat(chunks, received).toString('utf8'));
    const onError = (err: Error) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      reject(err);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

/** JSON.parse's own words for the problem (position included); fastify's parser drops them. */
function syntaxProblem(text: string): string {
  try {
    JSON.parse(text);
    // It parses, so the secure parser refused it.
    return 'it sets __proto__ or constructor.prototype';
  } catch (err) {
    return (err as Error).message;
  }
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing (no body was sent)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Fastify's message for a failed schema check (`body/entities must NOT have fewer than 1 items`),
 * except that an unknown property is named: Ajv only says "must NOT have additional properties".
 */
export function describeValidationError(error: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${error.instancePath}`;
  const unknown = (error.params as { additionalProperty?: unknown }).additionalProperty;
  if (error.keyword === 'additionalProperties' && typeof unknown === 'string') return `${where} has unknown property '${unknown}'`;
  return `${where} ${error.message ?? 'is invalid'}`;
}

/** The instance-wide `schemaErrorFormatter`: every failed check, described as above. */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new Error(errors.map((e) => describeValidationError(e, dataVar)).join(', '));
}
