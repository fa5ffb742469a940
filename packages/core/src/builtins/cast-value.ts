import type { FieldType } from '@flowengine/sdk';

/** A value that does not convert, and why. Successes are the converted value itself: no object per cell. */
export class CastFailure {
  constructor(readonly reason: string) {}
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Converts one value to `target`; never guesses: a value that does not fit is a {@link CastFailure}. */
export function castValue(value: unknown, target: FieldType): unknown {
  if (value === null || value === undefined) return null;
  switch (target) {
    case 'string':
      return typeof value === 'string' ? value : String(value);
    case 'bool':
      return toBool(value);
    case 'float64':
      return toFloat(value);
    case 'int32':
      return toInt(value, true);
    case 'int64':
    case 'timestamp':
      return toInt(value, false);
  }
}

function toBool(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  const text = String(value).trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return new CastFailure(`expected true/false/1/0, found ${JSON.stringify(value)}`);
}

function toFloat(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  const text = String(value).trim();
  if (DECIMAL.test(text) || /^[+-]?(Infinity|NaN)$/.test(text)) return Number(text);
  return new CastFailure(`expected a number, found ${JSON.stringify(value)}`);
}

function toInt(value: unknown, int32: boolean): unknown {
  let result: number | bigint;
  if (typeof value === 'boolean') result = value ? 1 : 0;
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) return new CastFailure(`expected an integer, found ${value}`);
    result = value;
  } else if (typeof value === 'bigint') result = value;
  else {
    const text = String(value).trim();
    if (!INTEGER.test(text)) return new CastFailure(`expected an integer, found ${JSON.stringify(value)}`);
    const big = BigInt(text);
    result = big >= SAFE_MIN && big <= SAFE_MAX ? Number(big) : big;
  }
  if (int32) {
    if (typeof result === 'bigint' || result < INT32_MIN || result > INT32_MAX) {
      return new CastFailure(`expected an integer in int32 range [${INT32_MIN}, ${INT32_MAX}], found ${String(result)}`);
    }
    return result;
  }
  if (typeof result === 'bigint' && (result < INT64_MIN || result > INT64_MAX)) {
    return new CastFailure(`expected an integer in int64 range, found ${String(result)}`);
  }
  return result;
}
