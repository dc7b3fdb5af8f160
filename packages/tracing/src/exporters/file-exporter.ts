import { closeSync, mkdirSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface FileSpanExporterOptions {
  /** Directory for the trace files; created on first export. */
  dir: string;
  serviceName: string;
  /** Defaults to this process's pid; part of the file name so processes never share a file. */
  pid?: number;
}

const NEWLINE = Buffer.from('\n');

/** Turns a service name into something safe inside a file name. */
export function traceFileName(serviceName: string, pid: number): string {
  return `${serviceName.replace(/[^A-Za-z0-9._-]+/g, '_') || 'service'}-${pid}.jsonl`;
}

/**
 * Appends each batch as one OTLP/JSON `ExportTraceServiceRequest` per line to
 * `<dir>/<service>-<pid>.jsonl`, serialized by @opentelemetry/otlp-transformer
 * (the same JSON an OTLP/HTTP exporter posts: hex trace and span ids, nanosecond
 * timestamps as strings), so any OTLP/JSON reader can load the files.
 *
 * Writes are synchronous: a batch is small, the file stays line-consistent, and
 * what was exported is on disk even if the process exits right after.
 */
export class FileSpanExporter implements SpanExporter {
  readonly path: string;
  private fd: number | undefined;
  private stopped = false;

  constructor(private readonly options: FileSpanExporterOptions) {
    this.path = join(options.dir, traceFileName(options.serviceName, options.pid ?? process.pid));
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('file exporter is shut down') });
      return;
    }
    try {
      const body = JsonTraceSerializer.serializeRequest(spans);
      if (!body) throw new Error('OTLP/JSON serialization produced nothing');
      if (this.fd === undefined) {
        mkdirSync(this.options.dir, { recursive: true });
        this.fd = openSync(this.path, 'a');
      }
      // One write per batch, without copying the body to append the newline.
      writevSync(this.fd, [body, NEWLINE]);
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (err) {
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
