import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Field } from '../schema/field.js';
import { describe } from '../schema/schema.js';
import type { BufferPool } from './buffer-pool.js';
import { BaseColumn, BoolColumn, Float64Column, Int32Column, Int64Column, LITTLE_ENDIAN, StringColumn } from './columns.js';
import { encodeUtf8Into } from './utf8.js';

const TWO_POW_32 = 4294967296;
/** Up to this many bytes, `appendBytes` copies by a loop rather than through a subarray. */
const SHORT_COPY_BYTES = 32;
const MAX_STRING_BYTES = 0x7fffffff; // int32 offsets
const UNITS_PER_MS = { ms: 1, us: 1000, ns: 1_000_000 } as const;

/**
 * Whole-column input for `appendColumn`: the public parts of a column (another chunk's column,
 * or an Arrow vector's buffers). `validity` is an Arrow bitmap starting at bit 0.
 */
export interface ColumnData {
  readonly length?: number;
  readonly validity?: Uint8Array | null;
  readonly values?: Int32Array | BigInt64Array | Float64Array | Uint8Array;
  readonly offsets?: Int32Array;
  readonly bytes?: Uint8Array;
}

/**
 * State every column builder shares: length, growth and the lazily created validity bitmap
 * (a column that never sees a null never pays for one).
 */
export abstract class BaseColumnBuilder {
  readonly field: Field;
  /** Position of the field in the schema, for messages. */
  readonly fieldIndex: number;
  length = 0;
  nullCount = 0;
  protected capacity = 0;
  protected hasNulls = false;
  protected validity: Uint8Array = new Uint8Array(0);
  protected readonly pool: BufferPool | undefined;

  protected constructor(field: Field, fieldIndex: number, pool: BufferPool | undefined) {
    this.field = field;
    this.fieldIndex = fieldIndex;
    this.pool = pool;
  }

  /** Appends a value of the column's type, or null/undefined as null. */
  abstract append(value: unknown): void;

  /** Appends a whole column: a chunk column, ColumnData, a typed array of the right kind, or a plain array. */
  abstract appendColumn(input: unknown): void;

  appendNull(): void {
    if (!this.field.nullable) {
      throw new FlowEngineError('FE_CHUNK_NULL_IN_NON_NULLABLE',
        `${this.where()}: expected a value of type ${this.field.type} (the field is nullable: false), found null`,
        { details: { field: this.field.name, index: this.fieldIndex, row: this.length } });
    }
    if (this.length === this.capacity) this.grow(1);
    if (!this.hasNulls) this.startValidity();
    const i = this.length;
    this.validity[i >> 3] = (this.validity[i >> 3] as number) & ~(1 << (i & 7));
    this.writeEmpty(i);
    this.length = i + 1;
    this.nullCount++;
  }

  /** Drops values from `length` on (used to undo a half-appended row). */
  truncate(length: number): void {
    if (length >= this.length) return;
    if (this.hasNulls) for (let i = length; i < this.length; i++) if (this.isNullAt(i)) this.nullCount--;
    this.length = length;
    this.afterTruncate(length);
  }

  reset(): void {
    this.length = 0;
    this.nullCount = 0;
    this.hasNulls = false;
    this.afterTruncate(0);
  }

  /** Bytes of the validity bitmap finish() writes (0 when there are no nulls). */
  validityBytes(): number {
    return this.nullCount > 0 ? (this.length + 7) >> 3 : 0;
  }

  writeValidity(target: Uint8Array, at: number): void {
    target.set(this.validity.subarray(0, (this.length + 7) >> 3), at);
  }

  /** Bytes of the offsets region (strings only). */
  offsetsBytes(): number {
    return 0;
  }

  writeOffsets(_target: Uint8Array, _at: number): void {}

  abstract dataBytes(): number;
  abstract writeData(target: Uint8Array, at: number): void;

  protected abstract writeEmpty(index: number): void;
  protected abstract growData(capacity: number): void;
  protected afterTruncate(_length: number): void {}

  protected isNullAt(index: number): boolean {
    return this.hasNulls && ((this.validity[index >> 3] as number) & (1 << (index & 7))) === 0;
  }

  /** Makes room for `extra` more values, at least doubling, so appends are amortised O(1). */
  protected grow(extra: number): void {
    const capacity = Math.max(this.capacity * 2, this.length + extra, 64);
    this.growData(capacity);
    if (this.hasNulls) this.validity = this.resize(this.validity, (capacity + 7) >> 3, (this.length + 7) >> 3);
    this.capacity = capacity;
  }

  /** A new byte array of at least `bytes` holding the first `keep` bytes of `old`, which goes back to the pool. */
  protected resize(old: Uint8Array, bytes: number, keep: number): Uint8Array {
    const buffer = this.pool === undefined ? new ArrayBuffer(bytes) : this.pool.acquire(bytes);
    const next = new Uint8Array(buffer);
    if (keep > 0) next.set(old.subarray(0, keep));
    if (old.byteLength > 0) this.pool?.release(old.buffer as ArrayBuffer);
    return next;
  }

  /** First null: every earlier value was valid. */
  protected startValidity(): void {
    const bytes = (this.capacity + 7) >> 3;
    if (this.validity.byteLength < bytes) this.validity = this.resize(this.validity, bytes, 0);
    this.validity.fill(0xff, 0, (this.length + 7) >> 3);
    this.hasNulls = true;
  }

  protected setValid(index: number): void {
    this.validity[index >> 3] = (this.validity[index >> 3] as number) | (1 << (index & 7));
  }

  /**
   * Appends `count` validity bits from `source` (null = all valid), counting nulls first so a
   * non-nullable field rejects the column before anything is written.
   */
  protected appendValidity(source: Uint8Array | null | undefined, count: number): void {
    const at = this.length;
    if (source === null || source === undefined) {
      if (this.hasNulls) for (let i = 0; i < count; i++) this.setValid(at + i);
      return;
    }
    let nulls = 0;
    for (let i = 0; i < count; i++) if (((source[i >> 3] as number) & (1 << (i & 7))) === 0) nulls++;
    if (nulls > 0 && !this.field.nullable) {
      throw new FlowEngineError('FE_CHUNK_NULL_IN_NON_NULLABLE',
        `${this.where()}: expected a column without nulls (the field is nullable: false), found ${nulls} null(s)`,
        { details: { field: this.field.name, index: this.fieldIndex, nulls } });
    }
    if (nulls === 0) return this.appendValidity(null, count);
    if (!this.hasNulls) this.startValidity();
    for (let i = 0; i < count; i++) {
      const bit = 1 << ((at + i) & 7);
      const byte = (at + i) >> 3;
      if (((source[i >> 3] as number) & (1 << (i & 7))) === 0) this.validity[byte] = (this.validity[byte] as number) & ~bit;
      else this.validity[byte] = (this.validity[byte] as number) | bit;
    }
    this.nullCount += nulls;
  }

  /** The value count of whole-column input, checked against what its buffers can hold. */
  protected checkedLength(declared: number | undefined, available: number, validity: Uint8Array | null | undefined): number {
    const n = declared ?? available;
    if (!Number.isInteger(n) || n < 0 || n > available || (validity != null && validity.length * 8 < n)) {
      throw new FlowEngineError('FE_CHUNK_LENGTH_MISMATCH',
        `${this.where()}: expected a column length within its buffers (${available} values${validity == null ? '' : `, ${validity.length * 8} validity bits`}), found ${String(n)}`,
        { details: { field: this.field.name, index: this.fieldIndex, declared: n, available } });
    }
    return n;
  }

  protected where(): string {
    return `field "${this.field.name}" (fields[${this.fieldIndex}], ${this.field.type}), row ${this.length}`;
  }

  protected mismatch(expected: string, found: unknown): FlowEngineError {
    return new FlowEngineError('FE_CHUNK_TYPE_MISMATCH', `${this.where()}: expected ${expected}, found ${describe(found)}`,
      { details: { field: this.field.name, index: this.fieldIndex, row: this.length, type: this.field.type, found: describe(found) } });
  }

  /** Splits whole-column input into validity + payload and checks the column kind. */
  protected columnInput(input: unknown, kind: abstract new (...args: never[]) => BaseColumn): ColumnData | unknown[] {
    if (Array.isArray(input)) return input;
    if (input instanceof BaseColumn) {
      if (!(input instanceof kind) || input.type !== this.field.type
        || (input instanceof Int64Column && input.unit !== this.field.unit)) {
        throw this.mismatch(`a column of type ${this.field.type}${this.field.unit === undefined ? '' : `[${this.field.unit}]`}`,
          `${input.type}${input instanceof Int64Column && input.unit !== undefined ? `[${input.unit}]` : ''} column`);
      }
      return input as ColumnData;
    }
    if (typeof input === 'object' && input !== null && !ArrayBuffer.isView(input)) return input as ColumnData;
    return { values: input as ColumnData['values'] };
  }
}

type FixedWidthArray = Int32Array | Float64Array | BigInt64Array;
type FixedWidthArrayType<A extends FixedWidthArray> = (new (buffer: ArrayBuffer, byteOffset: number, length: number) => A) & { readonly name: string };

/**
 * What the fixed-width builders (int32, float64, int64/timestamp) share: one typed array of
 * values, growth, packing and whole-column appends. Each subclass keeps its own `append`, where a
 * value is checked and written, so the per-row path stays monomorphic.
 */
abstract class FixedWidthColumnBuilder<A extends FixedWidthArray> extends BaseColumnBuilder {
  values: A;
  readonly #array: FixedWidthArrayType<A>;
  readonly #kind: abstract new (...args: never[]) => BaseColumn;

  protected constructor(field: Field, fieldIndex: number, pool: BufferPool | undefined, capacity: number,
    array: FixedWidthArrayType<A>, kind: abstract new (...args: never[]) => BaseColumn) {
    super(field, fieldIndex, pool);
    this.#array = array;
    this.#kind = kind;
    this.values = new array(new ArrayBuffer(0), 0, 0);
    if (capacity > 0) this.grow(capacity);
  }

  appendColumn(input: unknown): void {
    const data = this.columnInput(input, this.#kind);
    if (Array.isArray(data)) return data.forEach((v) => this.append(v));
    const name = this.#array.name;
    if (!(data.values instanceof this.#array)) throw this.mismatch(`${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} of values`, data.values);
    const n = this.checkedLength(data.length, data.values.length, data.validity);
    if (this.length + n > this.capacity) this.grow(n);
    this.appendValidity(data.validity, n);
    // Both are arrays of kind A (checked above); the cast only picks one member of the union for `set`.
    (this.values as Int32Array).set((data.values as Int32Array).subarray(0, n), this.length);
    this.length += n;
  }

  dataBytes(): number {
    return this.length * this.values.BYTES_PER_ELEMENT;
  }

  writeData(target: Uint8Array, at: number): void {
    target.set(new Uint8Array(this.values.buffer, this.values.byteOffset, this.dataBytes()), at);
  }

  protected growData(capacity: number): void {
    const width = this.values.BYTES_PER_ELEMENT;
    const bytes = this.resize(new Uint8Array(this.values.buffer, 0, this.values.byteLength), capacity * width, this.length * width);
    this.values = new this.#array(bytes.buffer as ArrayBuffer, 0, capacity);
  }
}

export class Int32ColumnBuilder extends FixedWidthColumnBuilder<Int32Array> {
  constructor(field: Field, fieldIndex: number, pool?: BufferPool, capacity = 0) {
    super(field, fieldIndex, pool, capacity, Int32Array, Int32Column);
  }

  append(value: unknown): void {
    if (typeof value !== 'number' || (value | 0) !== value) {
      if (value === null || value === undefined) return this.appendNull();
      throw this.mismatch('an integer in int32 range', value);
    }
    if (this.length === this.capacity) this.grow(1);
    const i = this.length++;
    this.values[i] = value;
    if (this.hasNulls) this.setValid(i);
  }

  protected writeEmpty(index: number): void {
    this.values[index] = 0;
  }
}

export class Float64ColumnBuilder extends FixedWidthColumnBuilder<Float64Array> {
  constructor(field: Field, fieldIndex: number, pool?: BufferPool, capacity = 0) {
    super(field, fieldIndex, pool, capacity, Float64Array, Float64Column);
  }

  append(value: unknown): void {
    if (typeof value !== 'number') {
      if (value === null || value === undefined) return this.appendNull();
      throw this.mismatch('a number', value);
    }
    if (this.length === this.capacity) this.grow(1);
    const i = this.length++;
    this.values[i] = value;
    if (this.hasNulls) this.setValid(i);
  }

  protected writeEmpty(index: number): void {
    this.values[index] = 0;
  }
}

/**
 * int64 and timestamp. Numbers (safe integers) are written as two 32-bit words without making a
 * bigint; bigints are range-checked; a timestamp also takes a Date (converted to the field's unit).
 */
export class Int64ColumnBuilder extends FixedWidthColumnBuilder<BigInt64Array> {
  /** The same bytes as `values`, as 32-bit words: low word at 2i, high word at 2i+1. */
  words: Int32Array;

  constructor(field: Field, fieldIndex: number, pool?: BufferPool, capacity = 0) {
    super(field, fieldIndex, pool, capacity, BigInt64Array, Int64Column);
    // Set here, not only in growData: a field initialiser would run after super() and undo it.
    this.words = new Int32Array(this.values.buffer, 0, this.values.length * 2);
  }

  append(value: unknown): void {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return this.appendNumber(value);
    if (typeof value === 'bigint') return this.appendBigInt(value);
    if (value === null || value === undefined) return this.appendNull();
    if (value instanceof Date && this.field.type === 'timestamp') return this.appendDate(value);
    throw this.mismatch(this.field.type === 'timestamp'
      ? `a safe integer, bigint or Date (${this.field.unit} since the epoch)`
      : 'a safe integer (|v| <= 2^53 - 1) or a bigint in int64 range', value);
  }

  /** Fast path for a safe integer (not checked here: callers that skip `append` must ensure it). */
  appendNumber(value: number): void {
    if (this.length === this.capacity) this.grow(1);
    const i = this.length++;
    if (LITTLE_ENDIAN) {
      const lo = value >>> 0; // ToUint32 is the value modulo 2^32, for negatives too
      this.words[2 * i] = lo;
      this.words[2 * i + 1] = (value - lo) / TWO_POW_32;
    } else {
      this.values[i] = BigInt(value);
    }
    if (this.hasNulls) this.setValid(i);
  }

  appendBigInt(value: bigint): void {
    if (BigInt.asIntN(64, value) !== value) throw this.mismatch('a bigint in int64 range [-2^63, 2^63 - 1]', value);
    if (this.length === this.capacity) this.grow(1);
    const i = this.length++;
    this.values[i] = value;
    if (this.hasNulls) this.setValid(i);
  }

  appendDate(value: Date): void {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw this.mismatch('a valid Date', value);
    const unit = this.field.unit ?? 'ms';
    if (unit === 's') return this.appendNumber(Math.floor(ms / 1000));
    const scaled = ms * UNITS_PER_MS[unit];
    if (Number.isSafeInteger(scaled)) return this.appendNumber(scaled);
    this.appendBigInt(BigInt(ms) * BigInt(UNITS_PER_MS[unit]));
  }

  protected writeEmpty(index: number): void {
    this.words[2 * index] = 0;
    this.words[2 * index + 1] = 0;
  }

  protected override growData(capacity: number): void {
    super.growData(capacity);
    this.words = new Int32Array(this.values.buffer, 0, capacity * 2);
  }
}

export class BoolColumnBuilder extends BaseColumnBuilder {
  bits: Uint8Array = new Uint8Array(0);

  constructor(field: Field, fieldIndex: number, pool?: BufferPool, capacity = 0) {
    super(field, fieldIndex, pool);
    if (capacity > 0) this.grow(capacity);
  }

  append(value: unknown): void {
    if (typeof value !== 'boolean') {
      if (value === null || value === undefined) return this.appendNull();
      throw this.mismatch('true or false', value);
    }
    if (this.length === this.capacity) this.grow(1);
    const i = this.length++;
    this.#write(i, value);
    if (this.hasNulls) this.setValid(i);
  }

  appendColumn(input: unknown): void {
    const data = this.columnInput(input, BoolColumn);
    if (Array.isArray(data)) return data.forEach((v) => this.append(v));
    if (!(data.values instanceof Uint8Array) || data.length === undefined) {
      throw this.mismatch('{ values: bit-packed Uint8Array, length }', data.values);
    }
    const n = this.checkedLength(data.length, data.values.length * 8, data.validity);
    if (this.length + n > this.capacity) this.grow(n);
    this.appendValidity(data.validity, n);
    const source = data.values;
    for (let i = 0; i < n; i++) this.#write(this.length + i, ((source[i >> 3] as number) & (1 << (i & 7))) !== 0);
    this.length += n;
  }

  dataBytes(): number {
    return (this.length + 7) >> 3;
  }

  writeData(target: Uint8Array, at: number): void {
    const bytes = (this.length + 7) >> 3;
    target.set(this.bits.subarray(0, bytes), at);
    // The bits past the last row: an array grown from a pool may hold an earlier chunk's there.
    if ((this.length & 7) !== 0) target[at + bytes - 1] = (target[at + bytes - 1] as number) & ((1 << (this.length & 7)) - 1);
  }

  protected writeEmpty(index: number): void {
    this.#write(index, false);
  }

  protected growData(capacity: number): void {
    this.bits = this.resize(this.bits, (capacity + 7) >> 3, (this.length + 7) >> 3);
  }

  #write(index: number, value: boolean): void {
    const byte = index >> 3;
    const bit = 1 << (index & 7);
    this.bits[byte] = value ? (this.bits[byte] as number) | bit : (this.bits[byte] as number) & ~bit;
  }
}

/**
 * UTF-8 strings as Arrow offsets + bytes. `appendBytes` lets a parser copy UTF-8 straight from its
 * input without ever making a JS string (the bytes are trusted to be UTF-8).
 */
export class StringColumnBuilder extends BaseColumnBuilder {
  offsets: Int32Array = new Int32Array(1);
  bytes: Uint8Array = new Uint8Array(0);
  byteLength = 0;

  constructor(field: Field, fieldIndex: number, pool?: BufferPool, capacity = 0) {
    super(field, fieldIndex, pool);
    if (capacity > 0) this.grow(capacity);
  }

  append(value: unknown): void {
    if (typeof value !== 'string') {
      if (value === null || value === undefined) return this.appendNull();
      throw this.mismatch('a string', value);
    }
    if (this.length === this.capacity) this.grow(1);
    const worst = this.byteLength + value.length * 3;
    if (worst > this.bytes.byteLength) this.#growBytes(worst);
    this.byteLength += encodeUtf8Into(value, this.bytes, this.byteLength);
    const i = this.length++;
    this.offsets[i + 1] = this.byteLength;
    if (this.hasNulls) this.setValid(i);
  }

  /** Appends the UTF-8 bytes `source[start, end)` as one value. */
  appendBytes(source: Uint8Array, start = 0, end = source.length): void {
    if (this.length === this.capacity) this.grow(1);
    const next = this.byteLength + (end - start);
    if (next > this.bytes.byteLength) this.#growBytes(next);
    if (end - start <= SHORT_COPY_BYTES) {
      // Typical CSV/Kafka fields are a few bytes: a loop beats a subarray allocation + native copy.
      const bytes = this.bytes;
      for (let k = start, o = this.byteLength; k < end; k++, o++) bytes[o] = source[k] as number;
    } else this.bytes.set(source.subarray(start, end), this.byteLength);
    this.byteLength = next;
    const i = this.length++;
    this.offsets[i + 1] = next;
    if (this.hasNulls) this.setValid(i);
  }

  appendColumn(input: unknown): void {
    const data = this.columnInput(input, StringColumn);
    if (Array.isArray(data)) return data.forEach((v) => this.append(v));
    const { offsets, bytes } = data;
    if (!(offsets instanceof Int32Array) || !(bytes instanceof Uint8Array)) {
      throw this.mismatch('{ offsets: Int32Array, bytes: Uint8Array }', offsets ?? data);
    }
    const n = this.checkedLength(data.length, offsets.length - 1, data.validity);
    if ((offsets[n] as number) > bytes.length || (offsets[0] as number) < 0) {
      throw this.mismatch(`offsets within the ${bytes.length} bytes given`, `offsets ${offsets[0]} to ${offsets[n]}`);
    }
    if (this.length + n > this.capacity) this.grow(n);
    const first = offsets[0] as number;
    const size = (offsets[n] as number) - first;
    if (this.byteLength + size > this.bytes.byteLength) this.#growBytes(this.byteLength + size);
    this.appendValidity(data.validity, n);
    this.bytes.set(bytes.subarray(first, first + size), this.byteLength);
    const shift = this.byteLength - first;
    for (let i = 1; i <= n; i++) this.offsets[this.length + i] = (offsets[i] as number) + shift;
    this.byteLength += size;
    this.length += n;
  }

  override offsetsBytes(): number {
    return (this.length + 1) * 4;
  }

  override writeOffsets(target: Uint8Array, at: number): void {
    target.set(new Uint8Array(this.offsets.buffer, this.offsets.byteOffset, (this.length + 1) * 4), at);
  }

  dataBytes(): number {
    return this.byteLength;
  }

  writeData(target: Uint8Array, at: number): void {
    target.set(this.bytes.subarray(0, this.byteLength), at);
  }

  protected writeEmpty(index: number): void {
    this.offsets[index + 1] = this.byteLength;
  }

  protected override afterTruncate(length: number): void {
    this.byteLength = this.offsets[length] as number;
  }

  protected growData(capacity: number): void {
    const bytes = this.resize(new Uint8Array(this.offsets.buffer, 0, this.offsets.byteLength), (capacity + 1) * 4, (this.length + 1) * 4);
    this.offsets = new Int32Array(bytes.buffer, 0, capacity + 1);
    if (this.bytes.byteLength === 0) this.#growBytes(capacity * 16);
  }

  #growBytes(needed: number): void {
    if (needed > MAX_STRING_BYTES) {
      throw new FlowEngineError('FE_CHUNK_TOO_LARGE', `${this.where()}: expected at most ${MAX_STRING_BYTES} bytes of strings per column, found ${needed}`,
        { details: { field: this.field.name, bytes: needed } });
    }
    const size = Math.min(MAX_STRING_BYTES, Math.max(needed, this.bytes.byteLength * 2));
    this.bytes = this.resize(this.bytes, size, this.byteLength);
  }
}

/** A builder for one column; narrow with `instanceof` to reach its typed fast paths. */
export type ColumnBuilder = Int32ColumnBuilder | Int64ColumnBuilder | Float64ColumnBuilder | BoolColumnBuilder | StringColumnBuilder;

export function columnBuilderFor(field: Field, index: number, pool: BufferPool | undefined, capacity: number): ColumnBuilder {
  switch (field.type) {
    case 'int32': return new Int32ColumnBuilder(field, index, pool, capacity);
    case 'int64': case 'timestamp': return new Int64ColumnBuilder(field, index, pool, capacity);
    case 'float64': return new Float64ColumnBuilder(field, index, pool, capacity);
    case 'bool': return new BoolColumnBuilder(field, index, pool, capacity);
    case 'string': return new StringColumnBuilder(field, index, pool, capacity);
  }
}
