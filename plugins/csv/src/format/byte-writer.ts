/**
 * A growable byte buffer the sink formats a chunk into, so a chunk becomes one write call and
 * numbers become ASCII digits without an intermediate string where that can be avoided.
 */
export class ByteWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1 << 16) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(b: number): void {
    if (this.length === this.bytes.length) this.ensure(1);
    this.bytes[this.length++] = b;
  }

  /** Appends `bytes[start, end)`. */
  copy(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n < 16) {
      const out = this.bytes;
      let at = this.length;
      for (let i = start; i < end; i++) out[at++] = bytes[i] as number;
    } else {
      this.bytes.set(bytes.subarray(start, end), this.length);
    }
    this.length += n;
  }

  /** Appends an ASCII string (numbers, NaN, Infinity): one byte per char. */
  ascii(text: string): void {
    this.ensure(text.length);
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** The bytes written so far; a view, valid until the next write. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}
