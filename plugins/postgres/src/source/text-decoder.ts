import type { FlowEngineError, Schema, StringColumnBuilder } from '@flowengine/sdk';
import { FIELD_KIND as KIND } from '../catalog/types.js';
import { ChunkAssembler, type DecodedChunk, type DecodeTarget } from './chunk-assembler.js';
import { appendTextValue, type ColumnBuilder } from './text-values.js';

const TAB = 9;
const NEWLINE = 10;
const BACKSLASH = 92;

/**
 * Turns Postgres' COPY text format (tab-separated, `\N` for null, backslash escapes, one row per
 * line) into chunks, writing every field straight into its column builder: integers and
 * timestamps are parsed from the bytes, strings are copied as UTF-8. No row object or per-field
 * string is ever made, except for floats (V8's parser wants a string) and escaped text.
 *
 * `push` accepts any split of the stream; a row cut between two pushes is carried over.
 */
export class CopyTextDecoder {
  readonly #chunks: ChunkAssembler;
  readonly #columns: readonly ColumnBuilder[];
  /** Per column: which parser (see KIND), so the hot loop switches on a small int instead of testing classes. */
  readonly #kinds: Uint8Array;
  readonly #keyIndex: number;
  #carry: Buffer | undefined;
  #scratch = Buffer.alloc(256);
  #viewOf: Buffer | undefined;
  #view: Uint8Array = new Uint8Array(0);
  #lastKey: string | undefined;

  /** `keyIndex`: the column whose last value becomes {@link DecodedChunk.lastKey}; -1 for none. */
  constructor(schema: Schema, chunkSize: number, keyIndex: number, target: DecodeTarget) {
    this.#chunks = new ChunkAssembler(schema, chunkSize, target);
    this.#columns = this.#chunks.columns;
    this.#kinds = Uint8Array.from(schema.fields, (field) => KIND[field.type]);
    this.#keyIndex = keyIndex;
  }

  /** Rows decoded so far (including `firstRow`). */
  get rows(): number {
    return this.#chunks.rows;
  }

  /** Decodes every complete line of `data` (of `data[start, end)` when given); full chunks are appended to `out`. */
  push(data: Buffer, out: DecodedChunk[], start = 0, end = data.length): void {
    if (start >= end) return;
    // The common case: COPY sends each row as its own CopyData message, whole, so nothing is carried.
    if (this.#carry === undefined && data[end - 1] === NEWLINE) {
      this.#decodeLines(data, start, end, out);
      return;
    }
    let from = start;
    if (this.#carry !== undefined) {
      const newline = data.indexOf(NEWLINE, start);
      if (newline < 0 || newline >= end) {
        this.#carry = Buffer.concat([this.#carry, data.subarray(start, end)]);
        return;
      }
      const line = Buffer.concat([this.#carry, data.subarray(start, newline + 1)]);
      this.#carry = undefined;
      this.#decodeLines(line, 0, line.length, out);
      from = newline + 1;
    }
    const last = data.lastIndexOf(NEWLINE, end - 1);
    if (last >= from) this.#decodeLines(data, from, last + 1, out);
    const rest = Math.max(from, last + 1);
    // Copied: the stream may reuse its buffers once we return.
    if (rest < end) this.#carry = Buffer.from(data.subarray(rest, end));
  }

  /** The rows still in the builder as a last chunk (undefined when there are none). */
  end(): DecodedChunk | undefined {
    if (this.#carry !== undefined && this.#carry.length > 0) throw this.#chunks.streamError('a complete COPY row', 'the stream ended inside one');
    return this.#chunks.rest(this.#lastKey);
  }

  /**
   * Cursor mode: one row of raw text values (what the server sends, unparsed). Reuses the field
   * parsers so both modes read values identically.
   */
  pushTextRow(values: readonly (string | null)[], out: DecodedChunk[]): void {
    for (let c = 0; c < values.length; c++) {
      const value = values[c];
      if (value === null || value === undefined) {
        this.#chunks.appendNull(c);
        continue;
      }
      // Encoded into the reused scratch buffer: no Buffer per value (UTF-8 takes at most 3 bytes per UTF-16 unit).
      if (this.#scratch.length < value.length * 3) this.#scratch = Buffer.alloc(Math.max(value.length * 3, this.#scratch.length * 2));
      const length = this.#scratch.write(value, 0, 'utf8');
      this.#appendValue(c, this.#scratch, 0, length);
      if (c === this.#keyIndex) this.#lastKey = value;
    }
    this.#endRow(out);
  }

  #decodeLines(buf: Buffer, start: number, end: number, out: DecodedChunk[]): void {
    const width = this.#columns.length;
    let pos = start;
    let column = 0;
    while (pos < end) {
      const fieldStart = pos;
      let escaped = false;
      let byte = buf[pos] as number;
      while (byte !== TAB && byte !== NEWLINE) {
        if (byte === BACKSLASH) {
          escaped = true;
          pos++;
        }
        byte = buf[++pos] as number;
      }
      if (column >= width) throw this.#shapeError(column + 1);
      if (escaped) this.#appendEscaped(column, buf, fieldStart, pos);
      else this.#appendValue(column, buf, fieldStart, pos);
      if (column === this.#keyIndex && !(escaped && pos - fieldStart === 2 && buf[fieldStart + 1] === 78)) {
        this.#lastKeyAt(buf, fieldStart, pos, escaped);
      }
      pos++;
      if (byte === NEWLINE) {
        if (column !== width - 1) throw this.#shapeError(column + 1);
        column = 0;
        this.#endRow(out);
      } else {
        column++;
      }
    }
  }

  #endRow(out: DecodedChunk[]): void {
    if (this.#chunks.rowDone()) out.push(this.#chunks.take(this.#lastKey));
  }

  #lastKeyAt(buf: Buffer, start: number, end: number, escaped: boolean): void {
    if (!escaped) {
      this.#lastKey = buf.toString('utf8', start, end);
      return;
    }
    const length = this.#unescape(buf, start, end);
    this.#lastKey = this.#scratch.toString('utf8', 0, length);
  }

  #appendEscaped(column: number, buf: Buffer, start: number, end: number): void {
    if (end - start === 2 && buf[start + 1] === 78 /* N */) {
      this.#chunks.appendNull(column);
      return;
    }
    const length = this.#unescape(buf, start, end);
    this.#appendValue(column, this.#scratch, 0, length);
  }

  /** Undoes COPY text escapes into the scratch buffer; returns the byte length. */
  #unescape(buf: Buffer, start: number, end: number): number {
    if (this.#scratch.length < end - start) this.#scratch = Buffer.alloc(Math.max(end - start, this.#scratch.length * 2));
    const out = this.#scratch;
    let n = 0;
    for (let i = start; i < end; i++) {
      const byte = buf[i] as number;
      if (byte !== BACKSLASH) {
        out[n++] = byte;
        continue;
      }
      const next = buf[++i] as number;
      switch (next) {
        case 98: out[n++] = 8; break; // \b
        case 102: out[n++] = 12; break; // \f
        case 110: out[n++] = 10; break; // \n
        case 114: out[n++] = 13; break; // \r
        case 116: out[n++] = 9; break; // \t
        case 118: out[n++] = 11; break; // \v
        default: {
          if (next >= 48 && next <= 55) { // \ooo octal
            let value = next - 48;
            for (let k = 0; k < 2 && i + 1 < end && (buf[i + 1] as number) >= 48 && (buf[i + 1] as number) <= 55; k++) value = value * 8 + ((buf[++i] as number) - 48);
            out[n++] = value & 0xff;
          } else if (next === 120 && i + 1 < end && isHex(buf[i + 1] as number)) { // \xhh
            let value = hex(buf[++i] as number);
            if (i + 1 < end && isHex(buf[i + 1] as number)) value = value * 16 + hex(buf[++i] as number);
            out[n++] = value;
          } else {
            out[n++] = next; // \\ and any other escaped byte stand for themselves
          }
        }
      }
    }
    return n;
  }

  #appendValue(column: number, buf: Buffer, start: number, end: number): void {
    const builder = this.#columns[column] as ColumnBuilder;
    const kind = this.#kinds[column] as number;
    if (kind === KIND.string) {
      // A plain Uint8Array view: appendBytes' subarray on it is far cheaper than on a Buffer.
      (builder as StringColumnBuilder).appendBytes(buf === this.#viewOf ? this.#view : this.#viewFor(buf), start, end);
      return;
    }
    const expected = appendTextValue(builder, kind, buf, start, end);
    if (expected !== undefined) throw this.#chunks.valueError(column, expected, buf.toString('utf8', start, end));
  }

  #viewFor(buf: Buffer): Uint8Array {
    this.#viewOf = buf;
    this.#view = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    return this.#view;
  }

  #shapeError(found: number): FlowEngineError {
    return this.#chunks.streamError(`${this.#columns.length} COPY fields`, String(found));
  }
}

function isHex(byte: number): boolean {
  return (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102);
}

function hex(byte: number): number {
  return byte <= 57 ? byte - 48 : (byte | 0x20) - 87;
}
