import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { countProtobufSpans } from './otlp-protobuf';
import type { ExportTally } from './types';

/**
 * A local OTLP/HTTP endpoint that only counts: trace request bytes as received, spans per scope.
 * Metrics and logs (what an SDK with default settings sends too) are accepted and not counted.
 */
export interface OtlpSink {
  /** The traces endpoint (`…/v1/traces`), for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  endpoint: string;
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the SDK appends /v1/traces, /v1/metrics, /v1/logs). */
  baseUrl: string;
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
      if (!req.url?.startsWith('/v1/traces')) {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        return;
      }
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
    baseUrl: `http://127.0.0.1:${port}`,
    tally: () => ({ ...tally, byScope: { ...tally.byScope }, byService: {} }),
    reset: () => {
      tally = { bytes: 0, spans: 0, byScope: {}, byService: {}, badRequests: 0 };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
