// The test-facing surface: process helpers and exported-span readers live in @mltrace/stack
// (it needs them at run time for `npm start`); tests import them from here.
export {
  freePort,
  sleep,
  waitForHttp,
  hasRedisServer,
  startRedisServer,
  stopProcess,
  readExportedSpans,
  waitForSpans,
  countExportedSpans,
} from '@mltrace/stack';
export type { RedisServer, ExportedSpan } from '@mltrace/stack';
export { startTracedProcess } from './traced-process';
export type { Cleanup, TracedProcess, TracedProcessOptions } from './traced-process';
export { startOtlpGrpcReceiver } from './otlp-grpc-receiver';
export type { OtlpGrpcReceiver, ReceivedSpan } from './otlp-grpc-receiver';
export { modulesLoadedBy, TRACING_RUNTIME_MODULE } from './loaded-modules';
