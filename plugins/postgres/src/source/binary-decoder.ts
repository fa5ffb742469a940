import {
  FlowEngineError, type BoolColumnBuilder, type Float64ColumnBuilder, type Int32ColumnBuilder, type Int64ColumnBuilder,
  type Schema, type StringColumnBuilder,
} from '@flowengine/sdk';
import { FIELD_KIND as KIND, OID } from '../catalog/types.js';
import { BINARY_COPY_HEADER_BYTES, BINARY_COPY_SIGNATURE, MICROS_PER_DAY, PG_EPOCH_DAYS, PG_EPOCH_MICROS, TWO_POW_32 } from '../catalog/wire.js';
import { ChunkAssembler, type DecodedChunk, type DecodeTarget } from './chunk-assembler.js';
import { appendTextValue, type ColumnBuilder } from './text-values.js';

/**
 * How a column arrives in binary COPY: one of the send formats decoded here, or text, which is
 * parsed like COPY text (raw text-like types, and every other type, which the SELECT casts to text).
 */
export const WIRE = { text: 0, int2: 1, int4: 2, int8: 3, float8: 4, bool: 5, timestamp: 6, date: 7 } as const;
export type Wire = (typeof WIRE)[keyof typeof WIRE];

/** Payload bytes of each fixed-width wire (text varies). */
const WIDTH: Record<Wire, number> = {
  [WIRE.text]: -1, [WIRE.int2]: 2, [WIRE.int4]: 4, [WIRE.int8]: 8, [WIRE.float8]: 8, [WIRE.bool]: 1, [WIRE.timestamp]: 8, [WIRE.date]: 4,
};

/** Types whose send format is exactly their text output's bytes (textsend and kin, json_send). */
const RAW_TEXT_OIDS: ReadonlySet<number> = new Set([OID.text, OID.varchar, OID.bpchar, OID.name, OID.json]);

/**
 * How a column of base type `oid` is read in binary COPY, and whether the SELECT must cast it to
 * text. Cast: numeric, uuid, jsonb, "char" (send formats not worth decoding) and float4 (its
 * float8 widening differs from the shortest decimal text the other paths parse: 0.1 would read as
 * 0.10000000149011612). The incremental key always comes as text, because its text is the position.
 */
export function binaryWireFor(oid: number, isKey: boolean): { wire: Wire; cast: boolean } {
  if (RAW_TEXT_OIDS.has(oid)) return { wire: WIRE.text, cast: false };
  if (isKey) return { wire: WIRE.text, cast: true };
  switch (oid) {
    case OID.int2: return { wire: WIRE.int2, cast: false };
    case OID.int4: return { wire: WIRE.int4, cast: false };
    case OID.int8: return { wire: WIRE.int8, cast: false };
    case OID.float8: return { wire: WIRE.float8, cast: false };
    case OID.bool: return { wire: WIRE.bool, cast: false };
    case OID.timestamp: case OID.timestamptz: return { wire: WIRE.timestamp, cast: false };
    case OID.date: return { wire: WIRE.date, cast: false };
    default: return { wire: WIRE.text, cast: true };
  }
}

/** High words of int64s whose value is a safe integer for sure: |hi| < 2^21. */
const SAFE_HIGH = 0x200000;

/**
 * Turns `COPY … TO STDOUT (FORMAT binary)` into chunks, writing each field straight into its
 * column builder: fixed-width values are read from the bytes, strings copied as UTF-8, and the
 * columns that arrive as text parsed by the same code as COPY text ({@link appendTextValue}), so
 * both formats give the same values and the same errors.
 *
 * `push` accepts any split of the stream. A row is decoded only once all its bytes are there
 * (its length words are walked first), so builders never hold half a row; a row cut between two
 * pushes is gathered in a carry buffer, taking from the next push only the bytes it still needs.
 */
export class CopyBinaryDecoder {
  readonly #chunks: ChunkAssembler;
  readonly #columns: readonly ColumnBuilder[];
  /** Per column: wire * 8 + field kind, so the hot loop is one switch on a small int. */
  readonly #codes: Uint8Array;
  readonly #widths: Int8Array;
  readonly #keyIndex: number;
  readonly #target: DecodeTarget;
  /** Header bytes still to read: the fixed 19, then the extension (its length is in them). */
  #header = Buffer.alloc(BINARY_COPY_HEADER_BYTES);
  #headerRead = 0;
  #extensionLeft = -1;
  #ended = false;
  /** The start of a row cut by the end of a push. */
  #carry = Buffer.alloc(256);
  #carryLength = 0;
  /** The buffer being decoded, as the views the decoder reads it through. */
  #buf: Buffer = Buffer.alloc(0);
  #bytes: Uint8Array = new Uint8Array(0);
  #data: DataView = new DataView(new ArrayBuffer(0));
  /** The key text of the last row with a key, kept as bytes and made a string only when a chunk needs it. */
  #keyBytes = Buffer.alloc(64);
  #keyLength = 0;
  #keyFresh = false;
  #lastKey: string | undefined;

  /** `wires`: per field, how it arrives ({@link binaryWireFor}). `keyIndex`: as for CopyTextDecoder (its wire must be text). */
  constructor(schema: Schema, wires: readonly Wire[], chunkSize: number, keyIndex: number, target: DecodeTarget) {
    this.#chunks = new ChunkAssembler(schema, chunkSize, target);
    this.#columns = this.#chunks.columns;
    this.#codes = Uint8Array.from(schema.fields, (field, i) => (wires[i] ?? WIRE.text) * 8 + KIND[field.type]);
    this.#widths = Int8Array.from(schema.fields, (_, i) => WIDTH[wires[i] ?? WIRE.text]);
    this.#keyIndex = keyIndex;
    this.#target = target;
  }

  /** Rows decoded so far (including `firstRow`). */
  get rows(): number {
    return this.#chunks.rows;
  }

  /** Decodes every complete row of `data[start, end)`; full chunks are appended to `out`. */
  push(data: Buffer, out: DecodedChunk[], start = 0, end = data.length): void {
    let pos = start;
    if (this.#extensionLeft !== 0) pos = this.#readHeader(data, pos, end);
    if (this.#carryLength > 0) pos = this.#fillCarry(data, pos, end, out);
    if (pos >= end) return;
    this.#bind(data);
    while (pos < end) {
      const rowEnd = this.#rowEnd(this.#bytes, pos, end);
      if (rowEnd < 0) {
        this.#carryBytes(data, pos, end);
        return;
      }
      this.#decodeRow(pos, out);
      pos = rowEnd;
    }
  }

  /** The rows still in the builder as a last chunk (undefined when there are none). */
  end(): DecodedChunk | undefined {
    if (!this.#ended) {
      const what = this.#extensionLeft !== 0 ? 'the binary COPY header' : this.#carryLength > 0 ? 'a complete COPY row' : 'the binary COPY trailer';
      throw this.#chunks.streamError(what, 'the stream ended');
    }
    return this.#chunks.rest(this.#currentKey());
  }

  /** Reads (and checks) the header from `data[pos, end)`; returns where the rows start or `end`. */
  #readHeader(data: Buffer, pos: number, end: number): number {
    if (this.#headerRead < BINARY_COPY_HEADER_BYTES) {
      const take = Math.min(BINARY_COPY_HEADER_BYTES - this.#headerRead, end - pos);
      data.copy(this.#header, this.#headerRead, pos, pos + take);
      this.#headerRead += take;
      pos += take;
      if (this.#headerRead < BINARY_COPY_HEADER_BYTES) return pos;
      if (!this.#header.subarray(0, BINARY_COPY_SIGNATURE.length).equals(BINARY_COPY_SIGNATURE)) {
        throw new FlowEngineError('FE_PG_VALUE_INVALID', `${this.#target.display}: expected the binary COPY signature, found ${JSON.stringify(this.#header.toString('latin1', 0, BINARY_COPY_SIGNATURE.length))}`,
          { details: { table: this.#target.display } });
      }
      this.#extensionLeft = this.#header.readInt32BE(15);
    }
    const skip = Math.min(this.#extensionLeft, end - pos);
    this.#extensionLeft -= skip;
    return pos + skip;
  }

  /** Where the row starting at `pos` ends, or -1 when `bytes[pos, end)` does not hold all of it. */
  #rowEnd(bytes: Uint8Array, pos: number, end: number): number {
    if (end - pos < 2) return -1;
    const count = this.#fieldCount(bytes, pos);
    if (count === -1) return pos + 2;
    let p = pos + 2;
    for (let c = 0; c < count; c++) {
      if (end - p < 4) return -1;
      const length = ((bytes[p] as number) << 24) | ((bytes[p + 1] as number) << 16) | ((bytes[p + 2] as number) << 8) | (bytes[p + 3] as number);
      p += 4;
      if (length > 0) {
        p += length;
        if (p > end) return -1;
      }
    }
    return p;
  }

  /** The row's field count: the schema's width, or -1 for the trailer; anything else is an error. */
  #fieldCount(bytes: Uint8Array, pos: number): number {
    const count = (((bytes[pos] as number) << 24) | ((bytes[pos + 1] as number) << 16)) >> 16;
    if (this.#ended) throw this.#chunks.streamError('the COPY to end after its trailer', 'more data');
    if (count !== this.#columns.length && count !== -1) throw this.#chunks.streamError(`${this.#columns.length} COPY fields`, String(count));
    return count;
  }

  /** Copied: the stream may reuse its buffers once we return. */
  #carryBytes(data: Buffer, start: number, end: number): void {
    const length = this.#carryLength + (end - start);
    if (length > this.#carry.length) {
      const grown = Buffer.alloc(Math.max(length, this.#carry.length * 2));
      this.#carry.copy(grown, 0, 0, this.#carryLength);
      this.#carry = grown;
    }
    data.copy(this.#carry, this.#carryLength, start, end);
    this.#carryLength = length;
  }

  /** Completes the carried row from `data[pos, end)`, decoding it once whole; returns where the next row starts. */
  #fillCarry(data: Buffer, pos: number, end: number, out: DecodedChunk[]): number {
    for (;;) {
      const need = this.#carryNeed();
      if (need === 0) {
        this.#bind(this.#carry);
        this.#decodeRow(0, out);
        this.#carryLength = 0;
        return pos;
      }
      if (pos >= end) return pos;
      const take = Math.min(need, end - pos);
      this.#carryBytes(data, pos, pos + take);
      pos += take;
    }
  }

  /** Bytes the carried row needs before its end, or the next length word, is known; 0 once it is whole. */
  #carryNeed(): number {
    const bytes = this.#carry;
    const n = this.#carryLength;
    if (n < 2) return 2 - n;
    const count = this.#fieldCount(bytes, 0);
    let p = 2;
    for (let c = 0; c < count; c++) {
      if (n < p + 4) return p + 4 - n;
      const length = bytes.readInt32BE(p);
      p += 4;
      if (length > 0) p += length;
      if (p > n) return p - n;
    }
    return 0;
  }

  #bind(buf: Buffer): void {
    if (buf === this.#buf) return;
    this.#buf = buf;
    // Plain views: reads through them, and appendBytes' subarray, are far cheaper than on a Buffer.
    this.#bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#data = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Decodes the whole row at `pos` of the bound buffer (checked by #rowEnd or #carryNeed). */
  #decodeRow(pos: number, out: DecodedChunk[]): void {
    const data = this.#data;
    if (data.getInt16(pos) === -1) {
      this.#ended = true;
      return;
    }
    const codes = this.#codes;
    const columns = this.#columns;
    let p = pos + 2;
    for (let c = 0; c < codes.length; c++) {
      const length = data.getInt32(p);
      p += 4;
      if (length < 0) {
        this.#chunks.appendNull(c);
        continue;
      }
      const code = codes[c] as number;
      if (code >= 8 && length !== this.#widths[c]) throw this.#chunks.valueError(c, `${this.#widths[c]} bytes`, `${length} bytes`);
      const builder = columns[c];
      switch (code) {
        case WIRE.text * 8 + KIND.string:
          (builder as StringColumnBuilder).appendBytes(this.#bytes, p, p + length);
          break;
        case WIRE.int4 * 8 + KIND.int32: (builder as Int32ColumnBuilder).append(data.getInt32(p)); break;
        case WIRE.int4 * 8 + KIND.int64: (builder as Int64ColumnBuilder).appendNumber(data.getInt32(p)); break;
        case WIRE.int4 * 8 + KIND.float64: (builder as Float64ColumnBuilder).append(data.getInt32(p)); break;
        case WIRE.int2 * 8 + KIND.int32: (builder as Int32ColumnBuilder).append(data.getInt16(p)); break;
        case WIRE.int2 * 8 + KIND.int64: (builder as Int64ColumnBuilder).appendNumber(data.getInt16(p)); break;
        case WIRE.int2 * 8 + KIND.float64: (builder as Float64ColumnBuilder).append(data.getInt16(p)); break;
        case WIRE.int8 * 8 + KIND.int64: this.#appendInt64(builder as Int64ColumnBuilder, p, 0); break;
        // hi·2^32 and lo are exact doubles, so the one addition rounds the int64 to nearest, as Number(text) does.
        case WIRE.int8 * 8 + KIND.float64: (builder as Float64ColumnBuilder).append(data.getInt32(p) * TWO_POW_32 + data.getUint32(p + 4)); break;
        case WIRE.float8 * 8 + KIND.float64: (builder as Float64ColumnBuilder).append(data.getFloat64(p)); break;
        case WIRE.bool * 8 + KIND.bool: (builder as BoolColumnBuilder).append(this.#bytes[p] !== 0); break;
        case WIRE.timestamp * 8 + KIND.timestamp: this.#appendTimestamp(c, p); break;
        case WIRE.date * 8 + KIND.timestamp: this.#appendDate(c, p); break;
        default: {
          // Text of another kind (a cast column, numeric → float64...); plan.ts pairs nothing else.
          const expected = appendTextValue(builder as ColumnBuilder, code & 7, this.#buf, p, p + length);
          if (expected !== undefined) throw this.#chunks.valueError(c, expected, this.#buf.toString('utf8', p, p + length));
        }
      }
      if (c === this.#keyIndex) this.#keepKey(p, p + length);
      p += length;
    }
    if (this.#chunks.rowDone()) out.push(this.#chunks.take(this.#currentKey()));
  }

  /** An int64 at `p` plus `offset` (an exact small shift): a number when safe, else a bigint (range-checked by the builder). */
  #appendInt64(builder: Int64ColumnBuilder, p: number, offset: number): void {
    const high = this.#data.getInt32(p);
    if (high > -SAFE_HIGH && high < SAFE_HIGH) {
      const value = high * TWO_POW_32 + this.#data.getUint32(p + 4) + offset;
      if (Number.isSafeInteger(value)) {
        builder.appendNumber(value);
        return;
      }
    }
    builder.appendBigInt(this.#data.getBigInt64(p) + BigInt(offset));
  }

  /** µs since 2000-01-01; INT64_MAX/MIN are ±infinity, which the text path refuses too (with their text). */
  #appendTimestamp(column: number, p: number): void {
    const high = this.#data.getInt32(p);
    const low = this.#data.getUint32(p + 4);
    if (high === 0x7fffffff && low === 0xffffffff) throw this.#chunks.valueError(column, 'a finite ISO date or timestamp', 'infinity');
    if (high === -0x80000000 && low === 0) throw this.#chunks.valueError(column, 'a finite ISO date or timestamp', '-infinity');
    this.#appendInt64(this.#columns[column] as Int64ColumnBuilder, p, PG_EPOCH_MICROS);
  }

  /** Days since 2000-01-01; INT32_MAX/MIN are ±infinity. */
  #appendDate(column: number, p: number): void {
    const days = this.#data.getInt32(p);
    if (days === 0x7fffffff) throw this.#chunks.valueError(column, 'a finite ISO date or timestamp', 'infinity');
    if (days === -0x80000000) throw this.#chunks.valueError(column, 'a finite ISO date or timestamp', '-infinity');
    const builder = this.#columns[column] as Int64ColumnBuilder;
    const micros = (days + PG_EPOCH_DAYS) * MICROS_PER_DAY;
    if (Number.isSafeInteger(micros)) builder.appendNumber(micros);
    else builder.appendBigInt(BigInt(days + PG_EPOCH_DAYS) * BigInt(MICROS_PER_DAY));
  }

  #keepKey(start: number, end: number): void {
    const length = end - start;
    if (length > this.#keyBytes.length) this.#keyBytes = Buffer.alloc(Math.max(length, this.#keyBytes.length * 2));
    this.#buf.copy(this.#keyBytes, 0, start, end);
    this.#keyLength = length;
    this.#keyFresh = true;
  }

  #currentKey(): string | undefined {
    if (this.#keyFresh) {
      this.#lastKey = this.#keyBytes.toString('utf8', 0, this.#keyLength);
      this.#keyFresh = false;
    }
    return this.#lastKey;
  }
}
