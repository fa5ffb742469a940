import type { FieldType } from '@flowengine/sdk';

export type CastResult = { ok: true; value: unknown } | { ok: false; reason: string };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Converts one value to `target`; never guesses: a value that does not fit is a failure with a reason. */
export function castValue(value: unknown, target: FieldType): CastResult {
  if (value === null || value === undefined) return { ok: true, value: null };
  switch (target) {
    case 'string':
      return { ok: true, value: typeof value === 'string' ? value : String(value) };
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

function toBool(value: unknown): CastResult {
  if (typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'number' || typeof value === 'bigint') return { ok: true, value: value !== 0 && value !== 0n };
  const text = String(value).trim().toLowerCase();
  if (text === 'true' || text === '1') return { ok: true, value: true };
  if (text === 'false' || text === '0') return { ok: true, value: false };
  return { ok: false, reason: `expected true/false/1/0, found ${JSON.stringify(value)}` };
}

function toFloat(value: unknown): CastResult {
  if (typeof value === 'number') return { ok: true, value };
  if (typeof value === 'bigint') return { ok: true, value: Number(value) };
  if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
  const text = String(value).trim();
  if (DECIMAL.test(text) || /^[+-]?(Infinity|NaN)$/.test(text)) return { ok: true, value: Number(text) };
  return { ok: false, reason: `expected a number, found ${JSON.stringify(value)}` };
}

function toInt(value: unknown, int32: boolean): CastResult {
  let result: number | bigint;
  if (typeof value === 'boolean') result = value ? 1 : 0;
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, reason: `expected an integer, found ${value}` };
    result = value;
  } else if (typeof value === 'bigint') result = value;
  else {
    const text = String(value).trim();
    if (!INTEGER.test(text)) return { ok: false, reason: `expected an integer, found ${JSON.stringify(value)}` };
    const big = BigInt(text);
    result = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (int32) {
    if (typeof result === 'bigint' || result < INT32_MIN || result > INT32_MAX) {
      return { ok: false, reason: `expected an integer in int32 range [${INT32_MIN}, ${INT32_MAX}], found ${String(result)}` };
    }
    return { ok: true, value: result };
  }
  if (typeof result === 'bigint' && (result < -(2n ** 63n) || result >= 2n ** 63n)) {
    return { ok: false, reason: `expected an integer in int64 range, found ${String(result)}` };
  }
  return { ok: true, value: result };
}
