// A real OTLP/gRPC trace receiver for tests: it serves
// opentelemetry.proto.collector.trace.v1.TraceService/Export over HTTP/2 and
// decodes every request with protobufjs, so a test can assert on the spans that
// actually crossed the wire (not on what the exporter meant to send).
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** The part of opentelemetry-proto (trace/v1, common/v1, resource/v1) a receiver needs, upstream field numbers. */
const OTLP_TRACE_SUBSET = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; bytes bytes_value = 7; }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; Status status = 15;
}
message InstrumentationScope { string name = 1; string version = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse {}
`;

export interface ReceivedSpan {
  serviceName: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

export interface OtlpGrpcReceiver {
  /** `http://127.0.0.1:<port>`: the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Export calls received (one per batch). */
  requests: () => number;
  close: () => Promise<void>;
}

type Json = Record<string, any>;

function value(v: Json | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

function attributes(list: Json[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

export async function startOtlpGrpcReceiver(): Promise<OtlpGrpcReceiver> {
  const root = protobuf.parse(OTLP_TRACE_SUBSET).root;
  const Request = root.lookupType('otlp.ExportTraceServiceRequest');
  const spans: ReceivedSpan[] = [];
  let requests = 0;
  const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');
  const server = new Server();
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: (m: Uint8Array) => Buffer.from(m),
        requestDeserialize: (b: Buffer) => Request.toObject(Request.decode(b), { defaults: false, longs: String, bytes: Array }) as Json,
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: (b: Buffer) => b,
      },
    },
    {
      Export: (call: ServerUnaryCall<Json, Buffer>, callback: sendUnaryData<Buffer>) => {
        requests++;
        for (const rs of call.request.resourceSpans ?? []) {
          const serviceName = String(attributes(rs.resource?.attributes)[ATTR_SERVICE_NAME] ?? '');
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                serviceName,
                traceId: hex(s.traceId && Uint8Array.from(s.traceId)),
                spanId: hex(s.spanId && Uint8Array.from(s.spanId)),
                parentSpanId: hex(s.parentSpanId && Uint8Array.from(s.parentSpanId)),
                name: s.name ?? '',
                kind: s.kind ?? 0,
                attributes: attributes(s.attributes),
              });
            }
          }
        }
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
