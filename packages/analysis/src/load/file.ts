import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ingest } from './detect';
import { LoadError, RecordError } from './errors';
import { JsonScanError, JsonScanner, itemText, type ScanItem } from './json-stream';
import { isZipkinSpan } from './zipkin';
import { LineSplitter, ingestLine } from './lines';
import type { LinePool } from './fast/parallel';

const CHUNK = 1 << 20;
const LBRACE = 0x7b;
/** The streamed arrays whose object elements are Jaeger traces (API v1 `data`, a top-level array of traces). */
const TRACE_LISTS: ReadonlySet<string> = new Set(['data[]', '[]']);
const NEWLINE = 0x0a;
/** How much of the start of a file is read to tell JSON lines from a (pretty-printed) document. */
const SNIFF_LIMIT = 16 << 20;

/** Outcome of one file: how many spans it contributed and how many records it skipped. */
export interface FileOutcome {
  spans: number;
  skipped: number;
}

/**
 * Read one trace file into the ingest's collector, streaming. The format is detected by content:
 * - JSON lines (each line one JSON document, e.g. the file exporter's OTLP lines) → parsed line by line,
 *   by the pool's worker threads when one is given and the file is large; a bad line is skipped with
 *   its line number;
 * - otherwise one or more JSON documents, split by {@link JsonScanner} so the big arrays are parsed
 *   element by element; a bad element is skipped with its offset, a structural error ends the file.
 * Throws LoadError when the file yields no spans and something was wrong with it (or it is empty).
 */
export async function readTraceFile(path: string, ingest: Ingest, pool?: LinePool, onBytes?: (bytes: number) => void): Promise<FileOutcome> {
  const collector = ingest.collector;
  const spansBefore = collector.spanCount;
  const skippedBefore = collector.skippedCount;
  const reasonsBefore = collector.reasons.length;
  const info = await stat(path);
  if (info.size === 0) throw new LoadError(`${path}: empty file (no trace data)`, path);

  // Bytes, not strings: lines are found with a memchr-speed Buffer.indexOf and decoded one by one.
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  const chunks = counted(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>, onBytes);
  let fatal: string | undefined;
  try {
    // Sniff: gather complete lines until two non-empty ones are seen (or the limit / end of file).
    const parts: Buffer[] = [];
    let size = 0;
    let lines = 0;
    let done = false;
    while (!done && size < SNIFF_LIMIT && lines < 2) {
      const next = await chunks.next();
      if (next.done) done = true;
      else {
        parts.push(next.value);
        size += next.value.length;
        // Joined (and counted) only when a line may have ended: a minified document has no newline to find.
        if (next.value.includes(NEWLINE)) lines = countNonEmptyLines(Buffer.concat(parts));
      }
    }
    const head = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
    const rest = done ? undefined : chunks;
    if (looksLikeJsonLines(head.toString('utf8'), done)) {
      if (pool !== undefined && pool.accepts(info.size)) {
        stream.destroy();
        await pool.readFile(path, info.size, collector, onBytes);
      } else await readLines(path, head, rest, ingest);
    } else {
      fatal = await readDocuments(path, head, rest, ingest);
    }
  } finally {
    stream.destroy();
  }

  const spans = collector.spanCount - spansBefore;
  const skipped = collector.skippedCount - skippedBefore;
  if (fatal !== undefined) collector.skip(fatal);
  if (spans === 0 && (skipped > 0 || fatal !== undefined)) {
    const reasons = collector.reasons.slice(reasonsBefore);
    // These reasons become the error; they are not also counted as skips of a load that goes on.
    collector.reasons.length = reasonsBefore;
    collector.skippedCount = skippedBefore;
    const first = fatal ?? reasons[0] ?? 'no trace data';
    throw new LoadError(first.startsWith(path) ? first : `${path}: ${first}`, path, reasons);
  }
  return { spans, skipped: collector.skippedCount - skippedBefore };
}

function countNonEmptyLines(buf: Buffer): number {
  let count = 0;
  let from = 0;
  for (;;) {
    const nl = buf.indexOf(NEWLINE, from);
    if (nl < 0) return count;
    if (buf.toString('latin1', from, Math.min(nl, from + 64)).trim() !== '' || nl - from > 64) count++;
    from = nl + 1;
  }
}

/** JSON lines when the first (or, if that one is corrupt, the second) non-empty line is a complete JSON object by itself. */
function looksLikeJsonLines(head: string, complete: boolean): boolean {
  const lines = head.split('\n');
  if (!complete) lines.pop(); // possibly partial
  const nonEmpty = lines.map((l) => l.trim()).filter((l) => l !== '');
  const [first, second] = nonEmpty;
  if (first === undefined) return false;
  if (parsesAsObject(first)) return true;
  return first.startsWith('{"') && second !== undefined && second.startsWith('{"') && parsesAsObject(second);
}

function parsesAsObject(line: string): boolean {
  if (!line.startsWith('{') || !line.endsWith('}')) return false;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

async function readLines(path: string, head: Buffer, rest: AsyncIterator<Buffer> | undefined, ingest: Ingest): Promise<void> {
  let lineNo = 0;
  const splitter = new LineSplitter((bytes) => {
    lineNo++;
    ingestLine(ingest, bytes, `${path}: line ${lineNo}`);
  });
  splitter.feed(head);
  if (rest) {
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      splitter.feed(next.value);
    }
  }
  splitter.end();
}

/**
 * Stream one or more JSON documents (files, HTTP bodies) into the ingest. Returns the fatal
 * (structural) error, if any, after handing over every element read before it. `path` labels errors.
 */
export async function readDocuments(path: string, head: Buffer, rest: AsyncIterator<Buffer> | undefined, ingest: Ingest): Promise<string | undefined> {
  let envelope: Record<string, unknown> = {};
  let streamed = false;
  // A Zipkin span array is converted whole at the end of its document: client and server halves
  // that share an id are told apart within the trace (zipkin.ts).
  let zipkin: unknown[] = [];
  const where = (item: ScanItem): string => `${path}: offset ${item.offset} (line ${item.line})`;
  const parse = (item: ScanItem): { ok: true; value: unknown } | { ok: false } => {
    try {
      return { ok: true, value: JSON.parse(itemText(item)) };
    } catch (err) {
      ingest.collector.skip(`${where(item)}: invalid JSON (${(err as Error).message})`);
      return { ok: false };
    }
  };
  // The fast path for Jaeger traces (fast/jaeger-scan.ts): a trace it takes is converted from the bytes.
  const traces = ingest.jaegerTraces;
  const scanner = new JsonScanner({
    element(chunk, start, itemPath) {
      if (traces === undefined || !TRACE_LISTS.has(itemPath)) return -1;
      const end = traces.scanFrom(chunk, start);
      if (end >= 0) streamed = true;
      return end;
    },
    item(item) {
      // An element the fast path could not take from the chunk, mostly one split across two chunks: whole now.
      if (traces !== undefined && TRACE_LISTS.has(item.path) && item.bytes[0] === LBRACE && traces.scanWhole(item.bytes)) {
        streamed = true;
        return;
      }
      const parsed = parse(item);
      if (item.path.endsWith('[]')) {
        streamed = true;
        if (!parsed.ok) return;
        if (item.path === '[]' && isZipkinSpan(parsed.value)) zipkin.push(parsed.value);
        else if (item.path === '[]' || item.path === 'data[]') ingest.element(parsed.value, where(item));
        else {
          try {
            ingest.otlp.addResourceSpans(parsed.value, where(item));
          } catch (err) {
            if (!(err instanceof RecordError)) throw err;
            ingest.collector.skip(`${where(item)}: ${err.message}`);
          }
        }
        return;
      }
      if (parsed.ok) setPath(envelope, item.path, parsed.value);
    },
    valueEnd() {
      const doc = envelope;
      envelope = {};
      const wasStreamed = streamed;
      streamed = false;
      const whereDoc = `${path}: document`;
      if (zipkin.length) {
        ingest.zipkin.addSpans(zipkin, whereDoc);
        zipkin = [];
      }
      if (!wasStreamed && Object.keys(doc).length === 0) return; // `{}` or `{"result":{}}`: no traces
      if ('spans' in doc || 'error' in doc || !wasStreamed) {
        ingest.element(doc, whereDoc);
      } else {
        ingest.envelopeErrors(doc.errors, whereDoc);
      }
    },
  });
  try {
    scanner.push(head);
    if (rest) {
      for (;;) {
        const next = await rest.next();
        if (next.done) break;
        scanner.push(next.value);
      }
    }
    scanner.end();
  } catch (err) {
    if (err instanceof JsonScanError) return `${path}: invalid JSON: ${err.message}`;
    throw err;
  }
  return undefined;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let obj = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = obj[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) obj = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      obj[key] = created;
      obj = created;
    }
  }
  obj[parts[parts.length - 1]!] = value;
}

/** Trace files of a directory, recursively, in a stable (sorted) order. Hidden files are left out. */
export async function listTraceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  await walk(dir);
  return out;
}

/** The file's chunks, each one's size told to `onBytes` as it is read (progress by bytes). */
function counted(chunks: AsyncIterator<Buffer>, onBytes: ((bytes: number) => void) | undefined): AsyncIterator<Buffer> {
  if (onBytes === undefined) return chunks;
  return {
    next: async () => {
      const r = await chunks.next();
      if (!r.done) onBytes(r.value.length);
      return r;
    },
  };
}
