import type { Ingest } from './detect';
import { RecordError } from './errors';

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines without decoding more than one line at a time: newlines are
 * found with Buffer.indexOf (memchr speed) and each line is decoded on its own. A line that spans
 * chunks is carried over. `onLine` receives the line's bytes (a view, valid only during the call).
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  /** Set by the handler to stop: the rest of the input is ignored. */
  stopped = false;

  constructor(private readonly onLine: (line: Buffer) => void) {}

  feed(buf: Buffer): void {
    let from = 0;
    while (!this.stopped) {
      const nl = buf.indexOf(NEWLINE, from);
      if (nl < 0) break;
      if (this.carry.length > 0) {
        this.carry.push(buf.subarray(from, nl));
        const line = Buffer.concat(this.carry);
        this.carry = [];
        this.onLine(line);
      } else this.onLine(buf.subarray(from, nl));
      from = nl + 1;
    }
    if (!this.stopped && from < buf.length) this.carry.push(buf.subarray(from));
  }

  /** The last line when the input does not end with a newline. */
  end(): void {
    if (this.stopped || this.carry.length === 0) return;
    const line = Buffer.concat(this.carry);
    this.carry = [];
    this.onLine(line);
  }
}

/** True when the line is empty or only white space (such lines are counted but hold no record). */
export function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) return false;
  }
  return true;
}

/**
 * One line of a JSON-lines file into the ingest: an OTLP line through the scanner's fast path, any
 * other (or one the scanner declines) parsed and converted; skipped with `where` in the reason when it
 * is not valid JSON or not a trace record. Blank lines are ignored.
 */
export function ingestLine(ingest: Ingest, bytes: Buffer, where: string): void {
  if (isBlank(bytes)) return;
  const spans = ingest.otlpLines?.scan(bytes);
  if (spans !== undefined) {
    for (let i = 0; i < spans.length; i++) ingest.collector.add(spans[i]!);
    return;
  }
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8', 0, end));
  } catch (err) {
    ingest.collector.skip(`${where}: invalid JSON (${(err as Error).message})`);
    return;
  }
  try {
    ingest.record(value, where);
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    ingest.collector.skip(`${where}: ${err.message}`);
  }
}
