import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { countProtobufSpans } from './otlp-protobuf';
import type { ExportTally } from './types';

/** A local OTLP/HTTP traces endpoint that only counts: request bytes as received, spans per scope. */
export interface OtlpSink {
  endpoint: string;
  tally(): ExportTally;
  reset(): void;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let tally: ExportTally = { bytes: 0, spans: 0, byScope: {}, byService: {}, badRequests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      tally.bytes += raw.length;
      try {
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        for (const [scope, n] of Object.entries(countProtobufSpans(body))) {
          tally.byScope[scope] = (tally.byScope[scope] ?? 0) + n;
          tally.spans += n;
        }
        // An empty ExportTraceServiceResponse is zero bytes of protobuf.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch {
        tally.badRequests++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    tally: () => ({ ...tally, byScope: { ...tally.byScope }, byService: {} }),
    reset: () => {
      tally = { bytes: 0, spans: 0, byScope: {}, byService: {}, badRequests: 0 };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
