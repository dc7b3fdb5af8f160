/**
 * A streaming splitter for large JSON documents: it walks the envelope of each top-level value and
 * hands over the elements of the big arrays (`resourceSpans`, `data`, `result.resourceSpans`, or a
 * top-level array) one at a time as bytes, so a multi-gigabyte document is parsed one element at a
 * time and memory is bounded by the largest element, not the file. Other envelope members are handed
 * over whole. It does not validate the captured bytes; JSON.parse does that per element.
 * Several top-level values in a row (concatenated documents) are accepted.
 *
 * It reads bytes, not text, so that a handler's `element` can convert an element straight from the
 * chunk (the fast path, `fast/jaeger-scan.ts`) before the splitter captures it; offsets are byte offsets.
 */

export interface ScanItem {
  /** `resourceSpans[]`, `data[]`, `result.resourceSpans[]`, `[]` for streamed elements; the member path otherwise. */
  path: string;
  /** The item's JSON text as UTF-8 bytes (see {@link itemText}). */
  bytes: Buffer;
  /** Byte offset of the item in the input, and its 1-based line. */
  offset: number;
  line: number;
}

/** The item's JSON text. */
export function itemText(item: ScanItem): string {
  return item.bytes.toString('utf8');
}

export interface ScanHandler {
  item(item: ScanItem): void;
  /**
   * Offered each object element of a streamed array (`path` as in ScanItem) before it is captured:
   * returns the index in `chunk` just after the element when the handler took it from there, or -1
   * to have it captured and handed to `item` as usual (also when it does not end within `chunk`).
   */
  element?(chunk: Buffer, start: number, path: string): number;
  /** One top-level value is complete. */
  valueEnd(): void;
}

export class JsonScanError extends Error {
  override readonly name = 'JsonScanError';
  constructor(message: string, readonly offset: number, readonly line: number) {
    super(`${message} at offset ${offset} (line ${line})`);
  }
}

const STREAMED = new Set(['resourceSpans', 'data', 'result.resourceSpans']);
const DESCEND = new Set(['result']);

type FrameState = 'start' | 'key' | 'colon' | 'value' | 'comma' | 'elem';
interface Frame {
  array: boolean;
  path: string;
  state: FrameState;
  key: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
function isValueStart(c: number): boolean {
  return c === 0x7b || c === 0x5b || c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}
function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c);
}

export class JsonScanner {
  private readonly stack: Frame[] = [];
  private base = 0; // byte offset of the current chunk's first byte
  private line = 1;
  // Capture of one value (an element or a member) as text.
  private capturing = false;
  private capKind: 'composite' | 'string' | 'literal' = 'composite';
  private capDepth = 0;
  private capInString = false;
  private capEscape = false;
  private capParts: Buffer[] = [];
  private capPath = '';
  private capOffset = 0;
  private capLine = 0;
  // A key being read.
  private inKey = false;
  private keyEscape = false;
  private keyParts: Buffer[] = [];

  constructor(private readonly handler: ScanHandler) {}

  push(chunk: Buffer): void {
    let i = 0;
    let capFrom = 0;
    let keyFrom = 0;
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i] ?? 0;
      if (this.capturing) {
        if (this.capKind === 'literal') {
          if (isDelimiter(c)) {
            this.finishCapture(chunk.subarray(capFrom, i));
            continue; // the delimiter is structural: reprocess it
          }
        } else if (c === NEWLINE) this.line++;
        else if (this.capInString) {
          if (this.capEscape) this.capEscape = false;
          else if (c === BACKSLASH) this.capEscape = true;
          else if (c === QUOTE) {
            this.capInString = false;
            if (this.capKind === 'string') {
              this.finishCapture(chunk.subarray(capFrom, i + 1));
              i++;
              continue;
            }
          }
        } else if (c === QUOTE) this.capInString = true;
        else if (c === 0x7b || c === 0x5b) this.capDepth++;
        else if (c === 0x7d || c === 0x5d) {
          if (--this.capDepth === 0) {
            this.finishCapture(chunk.subarray(capFrom, i + 1));
            i++;
            continue;
          }
        }
        i++;
        continue;
      }
      if (this.inKey) {
        if (this.keyEscape) this.keyEscape = false;
        else if (c === BACKSLASH) this.keyEscape = true;
        else if (c === QUOTE) {
          this.keyParts.push(chunk.subarray(keyFrom, i));
          this.finishKey();
        } else if (c === NEWLINE) this.line++;
        i++;
        continue;
      }
      if (isSpace(c)) {
        if (c === NEWLINE) this.line++;
        i++;
        continue;
      }
      const frame = this.stack[this.stack.length - 1];
      const at = this.base + i;
      if (frame === undefined) {
        if (c === 0x7b) this.stack.push({ array: false, path: '', state: 'start', key: '' });
        else if (c === 0x5b) this.stack.push({ array: true, path: '', state: 'start', key: '' });
        else this.fail(`expected '{' or '[' to start a JSON document, found ${describe(chunk, i)}`, at);
        i++;
        continue;
      }
      if (frame.array) {
        if (c === 0x5d && (frame.state === 'start' || frame.state === 'comma')) this.close();
        else if (c === 0x2c && frame.state === 'comma') frame.state = 'elem';
        else if ((frame.state === 'start' || frame.state === 'elem') && isValueStart(c)) {
          frame.state = 'comma';
          const path = `${frame.path}[]`;
          const end = c === 0x7b && this.handler.element !== undefined ? this.handler.element(chunk, i, path) : -1;
          if (end >= 0) {
            this.line += countNewlines(chunk, i, end);
            i = end;
            continue;
          }
          this.beginCapture(c, path, at);
          capFrom = i;
          if (this.capKind === 'literal') continue;
        } else this.fail(`unexpected ${describe(chunk, i)} in an array`, at);
        i++;
        continue;
      }
      switch (frame.state) {
        case 'start':
        case 'key':
          if (c === QUOTE) {
            this.inKey = true;
            this.keyParts = [];
            keyFrom = i + 1;
          } else if (c === 0x7d && frame.state === 'start') this.close();
          else this.fail(`expected a property name, found ${describe(chunk, i)}`, at);
          break;
        case 'colon':
          if (c === 0x3a) frame.state = 'value';
          else this.fail(`expected ':' after property "${frame.key}", found ${describe(chunk, i)}`, at);
          break;
        case 'value': {
          const path = frame.path === '' ? frame.key : `${frame.path}.${frame.key}`;
          frame.state = 'comma';
          if (c === 0x5b && STREAMED.has(path)) this.stack.push({ array: true, path, state: 'start', key: '' });
          else if (c === 0x7b && DESCEND.has(path)) this.stack.push({ array: false, path, state: 'start', key: '' });
          else if (isValueStart(c)) {
            this.beginCapture(c, path, at);
            capFrom = i;
            if (this.capKind === 'literal') continue;
          } else this.fail(`unexpected ${describe(chunk, i)} as the value of "${frame.key}"`, at);
          break;
        }
        case 'comma':
          if (c === 0x2c) frame.state = 'key';
          else if (c === 0x7d) this.close();
          else this.fail(`expected ',' or '}', found ${describe(chunk, i)}`, at);
          break;
        default:
          this.fail(`unexpected ${describe(chunk, i)}`, at);
      }
      i++;
    }
    if (this.capturing) this.capParts.push(chunk.subarray(capFrom));
    if (this.inKey) this.keyParts.push(chunk.subarray(keyFrom));
    this.base += n;
  }

  end(): void {
    if (this.capturing || this.inKey || this.stack.length > 0) {
      this.fail('unexpected end of input (the document is truncated)', this.base);
    }
  }

  private beginCapture(c: number, path: string, at: number): void {
    this.capturing = true;
    this.capPath = path;
    this.capOffset = at;
    this.capLine = this.line;
    this.capParts = [];
    this.capEscape = false;
    if (c === QUOTE) {
      this.capKind = 'string';
      this.capInString = true;
    } else if (c === 0x7b || c === 0x5b) {
      this.capKind = 'composite';
      this.capInString = false;
      this.capDepth = 1; // the opening bracket itself
    } else {
      this.capKind = 'literal';
      this.capInString = false;
    }
  }

  private finishCapture(tail: Buffer): void {
    this.capParts.push(tail);
    const bytes = this.capParts.length === 1 ? tail : Buffer.concat(this.capParts);
    this.capParts = [];
    this.capturing = false;
    this.handler.item({ path: this.capPath, bytes, offset: this.capOffset, line: this.capLine });
  }

  private finishKey(): void {
    this.inKey = false;
    const frame = this.stack[this.stack.length - 1]!;
    const raw = Buffer.concat(this.keyParts).toString('utf8');
    frame.key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    frame.state = 'colon';
  }

  private close(): void {
    this.stack.pop();
    if (this.stack.length === 0) this.handler.valueEnd();
  }

  private fail(message: string, offset: number): never {
    throw new JsonScanError(message, offset, this.line);
  }
}

/** The character at byte `i`, quoted, for an error message. */
function describe(chunk: Buffer, i: number): string {
  return JSON.stringify(chunk.toString('utf8', i, Math.min(chunk.length, i + 4)).charAt(0));
}

/** Newlines in `chunk[from, to)`: JSON has them only as whitespace, so this is the lines a skipped element spans. */
function countNewlines(chunk: Buffer, from: number, to: number): number {
  // Searched within the element only: a minified file has no newline, and a search to the chunk's end per element would cost more than the element.
  const element = chunk.subarray(from, to);
  let count = 0;
  for (let at = element.indexOf(NEWLINE); at >= 0; at = element.indexOf(NEWLINE, at + 1)) count++;
  return count;
}
