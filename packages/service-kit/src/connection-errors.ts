import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ErrorBody } from './error-body';

/** Node's default `maxHeaderSize` (the services do not change it). */
const MAX_HEADER_BYTES = 16_384;

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (a malformed request line or
 * header, a NUL in a header, Content-Length together with Transfer-Encoding, headers over 16 KiB)
 * and requests not received in full within the request timeout are answered in the shape of every
 * other error, `{statusCode, code, error, message}`, then the connection is closed (its framing can
 * no longer be trusted). fastify's default sends no code and only "Client Error".
 */
export function clientErrorHandler(codePrefix: string, requestTimeoutMs: number, log: () => FastifyBaseLogger) {
  return (err: Error & { code?: string; reason?: string }, socket: Socket): void => {
    // Reset by the client: nobody is left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { statusCode, code, message } = describe(err, codePrefix, requestTimeoutMs);
    log().info({ code, reason: message, parserCode: err.code }, 'connection rejected');
    if (socket.writable) {
      const body: ErrorBody = { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
      const text = JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${statusCode} ${body.error}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    }
    socket.destroySoon();
  };
}

function describe(err: Error & { code?: string; reason?: string }, prefix: string, requestTimeoutMs: number): { statusCode: number; code: string; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { statusCode: 408, code: `${prefix}_REQUEST_TIMEOUT`, message: `the request was not received in full within ${requestTimeoutMs} ms` };
    case 'HPE_HEADER_OVERFLOW':
      return { statusCode: 431, code: `${prefix}_HEADERS_TOO_LARGE`, message: `the request headers are larger than ${MAX_HEADER_BYTES} bytes` };
    default: {
      // Node's parser names the problem: "Invalid header value char", "Content-Length can't be present with Transfer-Encoding", …
      const reason = err.reason ?? err.message.replace(/^Parse Error:\s*/, '');
      return { statusCode: 400, code: `${prefix}_BAD_HTTP_REQUEST`, message: `malformed HTTP request: ${reason || err.code || 'unparseable'}` };
    }
  }
}

/**
 * While the service drains (SIGTERM), a request that still arrives on a connection accepted
 * before is served: the client sent it before the stop, and whatever it needs is still up (a
 * caller stops the services behind it after itself). Every answer during the drain closes its
 * connection, so the client opens a new one (refused, or served elsewhere) instead of sending its
 * next request on a connection the drain is about to close under it (a reset without an answer).
 */
export function installDrainClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
