import type { FieldType, TimeUnit } from '../schema/field.js';
import { decodeUtf8 } from './utf8.js';

const TWO_POW_32 = 4294967296;
/** Arrow buffers are little-endian; the int64 fast path reads the two 32-bit halves directly. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * What every column has. Values of null slots are unspecified in `values` (the builder writes 0);
 * check {@link BaseColumn.isNull} or `validity` first. Index access is not bounds-checked, like a typed array.
 */
export abstract class BaseColumn {
  abstract readonly type: FieldType;
  readonly length: number;
  readonly nullCount: number;
  /** Arrow validity bitmap (bit set = value present), or null when the column has no nulls. */
  readonly validity: Uint8Array | null;

  protected constructor(length: number, nullCount: number, validity: Uint8Array | null) {
    this.length = length;
    this.nullCount = nullCount;
    this.validity = nullCount === 0 ? null : validity;
  }

  isNull(index: number): boolean {
    const validity = this.validity;
    return validity !== null && ((validity[index >> 3] as number) & (1 << (index & 7))) === 0;
  }

  /** The value at `index` as a JS value, or null. */
  abstract get(index: number): unknown;
}

export class Int32Column extends BaseColumn {
  readonly type = 'int32' as const;
  readonly values: Int32Array;

  constructor(values: Int32Array, nullCount = 0, validity: Uint8Array | null = null) {
    super(values.length, nullCount, validity);
    this.values = values;
  }

  get(index: number): number | null {
    return this.isNull(index) ? null : this.values[index] as number;
  }
}

export class Float64Column extends BaseColumn {
  readonly type = 'float64' as const;
  readonly values: Float64Array;

  constructor(values: Float64Array, nullCount = 0, validity: Uint8Array | null = null) {
    super(values.length, nullCount, validity);
    this.values = values;
  }

  get(index: number): number | null {
    return this.isNull(index) ? null : this.values[index] as number;
  }
}

/**
 * int64 and timestamp columns, Arrow layout (8-byte little-endian two's complement).
 * `get` returns a number when the value is a safe integer (|v| <= 2^53 - 1) and a bigint otherwise,
 * so no value is ever rounded; `getNumber` always returns a number (rounded past 2^53) and never
 * allocates, for arithmetic on epoch times and counters. `values` gives the raw BigInt64Array.
 */
export class Int64Column extends BaseColumn {
  readonly type: 'int64' | 'timestamp';
  /** Set for timestamp columns. */
  readonly unit: TimeUnit | undefined;
  readonly values: BigInt64Array;
  /** The same bytes as 32-bit words: low word at 2i, high word at 2i+1. */
  readonly words: Int32Array;

  constructor(values: BigInt64Array, nullCount = 0, validity: Uint8Array | null = null, type: 'int64' | 'timestamp' = 'int64', unit?: TimeUnit) {
    super(values.length, nullCount, validity);
    this.type = type;
    this.unit = type === 'timestamp' ? unit ?? 'ms' : undefined;
    this.values = values;
    this.words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  }

  get(index: number): number | bigint | null {
    if (this.isNull(index)) return null;
    const n = this.getNumber(index);
    return n >= -Number.MAX_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER ? n : this.values[index] as bigint;
  }

  /** The value as a number, exact up to 2^53 and rounded beyond; no allocation. Null slots read 0. */
  getNumber(index: number): number {
    if (!LITTLE_ENDIAN) return Number(this.values[index]);
    const words = this.words;
    return (words[2 * index + 1] as number) * TWO_POW_32 + ((words[2 * index] as number) >>> 0);
  }

  /** The value as a bigint (exact, allocates), or null. */
  getBigInt(index: number): bigint | null {
    return this.isNull(index) ? null : this.values[index] as bigint;
  }
}

/** Booleans bit-packed as in Arrow: bit `i & 7` of byte `i >> 3`. */
export class BoolColumn extends BaseColumn {
  readonly type = 'bool' as const;
  readonly values: Uint8Array;

  constructor(values: Uint8Array, length: number, nullCount = 0, validity: Uint8Array | null = null) {
    super(length, nullCount, validity);
    this.values = values;
  }

  get(index: number): boolean | null {
    return this.isNull(index) ? null : this.getBool(index);
  }

  /** The bit at `index`, ignoring validity. */
  getBool(index: number): boolean {
    return ((this.values[index >> 3] as number) & (1 << (index & 7))) !== 0;
  }
}

/** UTF-8 strings: value i is `bytes[offsets[i], offsets[i + 1])`. */
export class StringColumn extends BaseColumn {
  readonly type = 'string' as const;
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;

  constructor(offsets: Int32Array, bytes: Uint8Array, nullCount = 0, validity: Uint8Array | null = null) {
    super(offsets.length - 1, nullCount, validity);
    this.offsets = offsets;
    this.bytes = bytes;
  }

  get(index: number): string | null {
    if (this.isNull(index)) return null;
    return decodeUtf8(this.bytes, this.offsets[index] as number, this.offsets[index + 1] as number);
  }

  /** The UTF-8 bytes of value i as a view (no copy, no decoding); empty for null. */
  getBytes(index: number): Uint8Array {
    return this.bytes.subarray(this.offsets[index] as number, this.offsets[index + 1] as number);
  }
}

/** Any column of a chunk; narrow it with `column.type` or `instanceof`. */
export type Column = Int32Column | Int64Column | Float64Column | BoolColumn | StringColumn;
