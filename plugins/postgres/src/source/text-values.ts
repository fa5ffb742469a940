import type { BoolColumnBuilder, Float64ColumnBuilder, Int32ColumnBuilder, Int64ColumnBuilder, StringColumnBuilder } from '@flowengine/sdk';
import { FIELD_KIND as KIND } from '../catalog/types.js';
import { parseTimestampMicros } from './timestamp.js';

export type ColumnBuilder = Int32ColumnBuilder | Int64ColumnBuilder | Float64ColumnBuilder | BoolColumnBuilder | StringColumnBuilder;

/**
 * Parses one value in Postgres' text output (`buf[start, end)`, UTF-8, unescaped) into `builder`,
 * whose field kind is `kind` (see FIELD_KIND). Returns undefined when appended, or what was
 * expected when the text does not fit, for the caller's message (which knows table, row and column).
 *
 * Shared by COPY text, cursor rows and the columns binary COPY receives as text, so every path
 * reads a value identically.
 */
export function appendTextValue(builder: ColumnBuilder, kind: number, buf: Buffer, start: number, end: number): string | undefined {
  switch (kind) {
    case KIND.string:
      (builder as StringColumnBuilder).appendBytes(buf, start, end);
      return undefined;
    case KIND.int32: {
      const value = parseInteger(buf, start, end);
      if (value === undefined || (value | 0) !== value) return 'an int32';
      (builder as Int32ColumnBuilder).append(value);
      return undefined;
    }
    case KIND.int64: {
      if (end - start <= 15) {
        const value = parseInteger(buf, start, end);
        if (value === undefined) return 'an int64';
        (builder as Int64ColumnBuilder).appendNumber(value);
        return undefined;
      }
      const text = buf.toString('latin1', start, end);
      if (!/^-?\d+$/.test(text)) return 'an int64';
      (builder as Int64ColumnBuilder).appendBigInt(BigInt(text));
      return undefined;
    }
    case KIND.timestamp: {
      const micros = parseTimestampMicros(buf, start, end);
      if (micros === undefined) return 'a finite ISO date or timestamp';
      if (typeof micros === 'number') (builder as Int64ColumnBuilder).appendNumber(micros);
      else (builder as Int64ColumnBuilder).appendBigInt(micros);
      return undefined;
    }
    case KIND.float64: {
      const fast = parseSimpleDecimal(buf, start, end);
      if (fast === fast) { // not NaN: the fast path took it
        (builder as Float64ColumnBuilder).append(fast);
        return undefined;
      }
      const text = buf.toString('latin1', start, end);
      const value = Number(text);
      if (Number.isNaN(value) && text !== 'NaN') return 'a number';
      (builder as Float64ColumnBuilder).append(value);
      return undefined;
    }
    default:
      (builder as BoolColumnBuilder).append(buf[start] === 116 /* t */);
      return undefined;
  }
}

/** A decimal integer from ASCII bytes; undefined for anything else or past 2^53. */
function parseInteger(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const negative = buf[i] === 45;
  if (negative) i++;
  if (i === end) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const digit = (buf[i] as number) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * `[-]digits[.digits]` with at most 15 digits in all, as m / 10^k: both exact doubles, so IEEE
 * division rounds correctly (Clinger's fast path) and the result equals Number(text). NaN for
 * anything else (exponents, `Infinity`, more digits), which then goes through Number().
 */
function parseSimpleDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === 45;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = -1;
  for (; i < end; i++) {
    const byte = buf[i] as number;
    if (byte === 46 && scale < 0) {
      scale = 0;
      continue;
    }
    const digit = byte - 48;
    if (digit < 0 || digit > 9 || ++digits > 15) return Number.NaN;
    mantissa = mantissa * 10 + digit;
    if (scale >= 0) scale++;
  }
  if (digits === 0) return Number.NaN;
  const value = scale > 0 ? mantissa / (POWERS_OF_TEN[scale] as number) : mantissa;
  return negative ? -value : value;
}
