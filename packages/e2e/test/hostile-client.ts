// Sends hostile cases (hostile-inputs.ts) and reads what came back, whatever it is.
import { connect } from 'node:net';
import { request } from 'node:http';
import type { HostileCase } from './hostile-inputs';

export interface Answer {
  status: number;
  /** The body as text (empty for HEAD). */
  text: string;
  /** No answer at all: the connection was reset or closed first. */
  error?: string;
  /** The gateway's `x-trace-id` header, when there was one. */
  traceId?: string;
}

/** One case against `origin` (http://127.0.0.1:port), bounded by `timeoutMs`. */
export function send(c: HostileCase, origin: string, timeoutMs = 10_000): Promise<Answer> {
  const url = new URL(origin);
  return c.kind === 'raw' ? sendRaw(url, c.data, timeoutMs) : sendHttp(url, c.method, c.path, c.headers, c.body, timeoutMs);
}

/** node:http (not undici/fetch): it sends odd paths and header values as given, one connection per case. */
function sendHttp(url: URL, method: string, path: string, headers: Record<string, string>, body: string | Buffer | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, connection: 'close' }, timeout: timeoutMs, insecureHTTPParser: true },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const traceId = res.headers['x-trace-id'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ...(typeof traceId === 'string' ? { traceId } : {}) }));
        res.on('error', (err) => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ status: 0, text: '', error: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }));
    req.end(body);
  });
}

/** Raw bytes on a socket; the answer is parsed from what arrives before the server closes it. */
function sendRaw(url: URL, data: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      // One answer is enough: a keep-alive connection would stay open.
      const head = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(text)?.[1] ?? NaN);
      if (head !== -1 && Number.isFinite(length) && Buffer.byteLength(text.slice(head + 4)) >= length) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve(status ? { status, text: text.slice(text.indexOf('\r\n\r\n') + 4) } : { status: 0, text, error: 'closed without an answer' });
    });
    socket.write(data, 'latin1');
  });
}
