import { BoolColumn, Float64Column, Int32Column, Int64Column, StringColumn } from '@flowengine/sdk';
import type { Column } from '@flowengine/sdk';
import type { ValueType } from './typed.js';

/**
 * Intermediate results of the compiled evaluator, one per expression node per chunk. Validity is
 * an Arrow bitmap (bit i set = valid; null = no nulls) so null propagation is a byte-wise AND over
 * n/8 bytes; bools are one byte per row because comparisons and selections write them branch-free.
 */
export type Vec = NumVec | I64Vec | BoolVec | StrVec;

export interface NumVec {
  readonly kind: 'i32' | 'f64';
  readonly values: Int32Array | Float64Array;
  readonly valid: Uint8Array | null;
}

export interface I64Vec {
  readonly kind: 'i64';
  readonly values: BigInt64Array;
  /** The same bytes as 32-bit words (low at 2i, high at 2i+1): the allocation-free fast path. */
  readonly words: Int32Array;
  readonly valid: Uint8Array | null;
}

export interface BoolVec {
  readonly kind: 'bool';
  /** 1 true, 0 false; unspecified where invalid. */
  readonly values: Uint8Array;
  readonly valid: Uint8Array | null;
}

export interface StrVec {
  readonly kind: 'str';
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly valid: Uint8Array | null;
}

/** A value known at compile time; `null` is the SQL null. */
export interface Const {
  readonly kind: 'const';
  readonly value: number | bigint | string | boolean | null;
}

export type Val = Vec | Const;

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function bitmapBytes(n: number): number {
  return (n + 7) >> 3;
}

export function isValid(valid: Uint8Array | null, i: number): boolean {
  return valid === null || ((valid[i >> 3] as number) & (1 << (i & 7))) !== 0;
}

/** AND of two validity bitmaps; returns an input as-is when the other is all-valid (never mutate results). */
export function andValid(a: Uint8Array | null, b: Uint8Array | null, n: number): Uint8Array | null {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(bitmapBytes(n));
  for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) & (b[i] as number);
  return out;
}

/** A fresh, writable copy of a validity bitmap (all-valid when `valid` is null). */
export function copyValid(valid: Uint8Array | null, n: number): Uint8Array {
  if (valid !== null) return valid.slice(0, bitmapBytes(n));
  return new Uint8Array(bitmapBytes(n)).fill(0xff);
}

export function clearBit(valid: Uint8Array, i: number): void {
  valid[i >> 3] = (valid[i >> 3] as number) & ~(1 << (i & 7));
}

export function nullCount(valid: Uint8Array | null, n: number): number {
  if (valid === null) return 0;
  let count = 0;
  for (let i = 0; i < n; i++) if (((valid[i >> 3] as number) & (1 << (i & 7))) === 0) count++;
  return count;
}

export function i64(values: BigInt64Array, valid: Uint8Array | null): I64Vec {
  return { kind: 'i64', values, words: new Int32Array(values.buffer, values.byteOffset, values.length * 2), valid };
}

/** Views a chunk column as a Vec without copying, except bools (bits → bytes). */
export function columnToVec(column: Column, n: number): Vec {
  switch (column.type) {
    case 'int32':
      return { kind: 'i32', values: column.values, valid: column.validity };
    case 'float64':
      return { kind: 'f64', values: column.values, valid: column.validity };
    case 'int64': case 'timestamp':
      return i64(column.values, column.validity);
    case 'bool': {
      const bits = column.values;
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) values[i] = ((bits[i >> 3] as number) >> (i & 7)) & 1;
      return { kind: 'bool', values, valid: column.validity };
    }
    case 'string':
      return { kind: 'str', offsets: column.offsets, bytes: column.bytes, valid: column.validity };
  }
}

const encoder = new TextEncoder();

/** Repeats a constant over n rows, for kernels that have no constant-operand specialisation. */
export function broadcast(value: Const['value'], type: ValueType, n: number): Vec {
  const valid = value === null ? new Uint8Array(bitmapBytes(n)) : null;
  switch (type) {
    case 'int32': return { kind: 'i32', values: new Int32Array(n).fill(value === null ? 0 : value as number), valid };
    case 'float64': return { kind: 'f64', values: new Float64Array(n).fill(value === null ? 0 : value as number), valid };
    case 'int64': case 'timestamp': return i64(new BigInt64Array(n).fill(value === null ? 0n : value as bigint), valid);
    case 'bool': case 'null': return { kind: 'bool', values: new Uint8Array(n).fill(value === true ? 1 : 0), valid };
    case 'string': {
      const one = value === null ? new Uint8Array(0) : encoder.encode(value as string);
      const bytes = new Uint8Array(one.length * n);
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        bytes.set(one, i * one.length);
        offsets[i + 1] = (i + 1) * one.length;
      }
      return { kind: 'str', offsets, bytes, valid };
    }
  }
}

export function toVec(val: Val, type: ValueType, n: number): Vec {
  return val.kind === 'const' ? broadcast(val.value, type, n) : val;
}

/** The Vec as an SDK column of `type` (bools packed back to bits, validity dropped when all valid). */
export function vecToColumn(vec: Vec, type: ValueType, n: number): Column {
  const nulls = nullCount(vec.valid, n);
  const valid = nulls === 0 ? null : vec.valid;
  switch (vec.kind) {
    case 'i32': return new Int32Column(vec.values.subarray(0, n) as Int32Array, nulls, valid);
    case 'f64': return new Float64Column(vec.values.subarray(0, n) as Float64Array, nulls, valid);
    case 'i64': return new Int64Column(vec.values.subarray(0, n), nulls, valid, type === 'timestamp' ? 'timestamp' : 'int64');
    case 'str': return new StringColumn(vec.offsets.subarray(0, n + 1), vec.bytes, nulls, valid);
    case 'bool': {
      const bits = new Uint8Array(bitmapBytes(n));
      const values = vec.values;
      for (let i = 0; i < n; i++) if (values[i] !== 0) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
      return new BoolColumn(bits, n, nulls, valid);
    }
  }
}
