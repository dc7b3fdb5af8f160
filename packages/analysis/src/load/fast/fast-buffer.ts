/**
 * Node's Buffer has latin1/utf8 slice and write methods (undocumented, stable since its first
 * versions) that `toString(enc, start, end)` and `write(s, offset, length, enc)` wrap with argument
 * checks. Per span, those checks are a measurable part of loading, so the hot paths call them directly.
 */
export interface FastBuffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
}

export function fast(buf: Uint8Array): FastBuffer {
  return buf as unknown as FastBuffer;
}
