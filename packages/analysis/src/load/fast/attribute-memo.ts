/**
 * The line scanner's memory of attribute texts. An exporter writes a span's attributes in the same
 * order every time, and at a given position of a given operation's spans only a few texts occur
 * (`{"key":"ml.model.version","value":{"stringValue":"v2"}}`, …). Bytes equal to a remembered text
 * are that attribute, already validated and converted when it was first parsed, so recognizing it
 * costs one comparison of bytes, four at a time, and nothing is hashed, allocated or parsed.
 */

/** One remembered text: `length` bytes at `at` in the arena (room for `capacity`), and what it stands for. */
export interface AttributeText {
  at: number;
  length: number;
  capacity: number;
  key: string;
  value: string | number | boolean;
}

/** Texts kept per position: the values one key takes in one operation's spans, most recently used last. */
const SLOTS = 8;
/** Span names with their own memo; further ones share the unnamed memo (a name per URL would grow it without end). */
const MAX_NAMES = 1024;
/**
 * The texts live in one arena per thread (an ArrayBuffer per text would cost more than the text).
 * A new text takes the least recently used slot and, when it fits, that slot's bytes, so one-off
 * values (a confidence, a port) cycle through one slot; when the arena is full nothing new is kept.
 */
const ARENA_BYTES = 4 << 20;

export class AttributeTextMemo {
  private arena: Uint8Array | undefined;
  /** The arena through a DataView, for comparing four bytes at a time. */
  view: DataView = new DataView(new ArrayBuffer(0));
  private used = 0;
  private readonly byName = new Map<string, AttributeText[][]>();

  /** The slots of each attribute position for spans of this name. */
  positions(name: string): AttributeText[][] {
    let positions = this.byName.get(name);
    if (positions === undefined) {
      if (this.byName.size >= MAX_NAMES) return this.positions('');
      positions = [];
      this.byName.set(name, positions);
    }
    return positions;
  }

  /**
   * The remembered attribute whose text `line` repeats at `p` (`n` = the line's length), or undefined.
   * A hit becomes the most recently used.
   */
  match(slots: AttributeText[], line: DataView, p: number, n: number): AttributeText | undefined {
    const arena = this.view;
    for (let k = slots.length - 1; k >= 0; k--) {
      const text = slots[k]!;
      const at = text.at;
      const len = text.length;
      // Texts of one key differ in the value, at the end: its last character (before `"}}`) first.
      if (p + len > n || arena.getUint8(at + len - 4) !== line.getUint8(p + len - 4)) continue;
      let i = 0;
      while (i + 4 <= len && arena.getInt32(at + i) === line.getInt32(p + i)) i += 4;
      if (i + 4 <= len) continue;
      while (i < len && arena.getUint8(at + i) === line.getUint8(p + i)) i++;
      if (i < len) continue;
      const last = slots.length - 1;
      if (k !== last) {
        slots[k] = slots[last]!;
        slots[last] = text;
      }
      return text;
    }
    return undefined;
  }

  /** Remembers `bytes[start, end)` as the text of key = value, in the least recently used slot. */
  remember(slots: AttributeText[], bytes: Uint8Array, start: number, end: number, key: string, value: string | number | boolean): void {
    const length = end - start;
    if (length < 4) return;
    const victim = slots.length >= SLOTS ? slots[0]! : undefined;
    let at: number;
    let capacity = length;
    if (victim !== undefined && length <= victim.capacity) {
      at = victim.at;
      capacity = victim.capacity;
    } else {
      const room = this.alloc(length);
      if (room === undefined) return;
      at = room;
    }
    this.arena!.set(bytes.subarray(start, end), at);
    const text: AttributeText = { at, length, capacity, key, value };
    if (victim !== undefined) slots[0] = text;
    else slots.unshift(text);
  }

  private alloc(length: number): number | undefined {
    if (this.arena === undefined) {
      this.arena = new Uint8Array(ARENA_BYTES);
      this.view = new DataView(this.arena.buffer);
    }
    if (this.used + length > ARENA_BYTES) return undefined;
    const at = this.used;
    this.used += length;
    return at;
  }
}
