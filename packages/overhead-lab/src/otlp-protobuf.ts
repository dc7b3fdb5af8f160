/** The spans of one OTLP export, counted per instrumentation scope. */
export type ScopeCounts = Record<string, number>;

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated protobuf varint');
    const b = buf[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
    shift += 7;
    if (shift > 63) throw new Error('protobuf varint too long');
  }
}

/** Calls `onField` for each field of the message in buf[start, end); only length-delimited fields carry a body. */
function walk(buf: Uint8Array, start: number, end: number, onField: (field: number, bodyStart: number, bodyEnd: number) => void): void {
  let pos = start;
  while (pos < end) {
    const [key, afterKey] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    pos = afterKey;
    if (wire === 0) pos = readVarint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, bodyStart] = readVarint(buf, pos);
      pos = bodyStart + len;
      if (pos > end) throw new Error('truncated protobuf field');
      onField(field, bodyStart, pos);
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/**
 * Counts the spans in a protobuf ExportTraceServiceRequest per instrumentation scope name,
 * without a protobuf library: resource_spans(1) → scope_spans(2) → {scope(1).name(1), spans(2)}.
 */
export function countProtobufSpans(buf: Uint8Array): ScopeCounts {
  const counts: ScopeCounts = {};
  const decoder = new TextDecoder();
  walk(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    walk(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      let scope = '';
      let spans = 0;
      walk(buf, s2, e2, (f3, s3, e3) => {
        if (f3 === 2) spans++;
        else if (f3 === 1) walk(buf, s3, e3, (f4, s4, e4) => {
          if (f4 === 1) scope = decoder.decode(buf.subarray(s4, e4));
        });
      });
      counts[scope] = (counts[scope] ?? 0) + spans;
    });
  });
  return counts;
}
