import type { Field } from '@flowengine/sdk';

/** Why a value does not fit its column; the decoder turns it into a FE_KAFKA_DECODE rejection. */
export class CoerceError extends Error {}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UNIT_PER_MS = { s: 1 / 1000, ms: 1, us: 1000, ns: 1_000_000 } as const;

/**
 * Converts a decoded JSON value, or a CSV field's text (`fromText`), into what the column builder
 * of `field` appends. Strict: `"12"` is not an int32 in JSON, `12.5` never is.
 */
export function coerce(field: Field, value: unknown, fromText: boolean): unknown {
  if (value === null || value === undefined) {
    if (!field.nullable) throw new CoerceError(`field "${field.name}": expected a ${field.type}, found ${value === null ? 'null' : 'nothing'} (the field is not nullable)`);
    return null;
  }
  switch (field.type) {
    case 'string':
      if (typeof value === 'string') return value;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'int32': {
      const n = fromText ? numberFromText(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) throw mismatch(field, 'an integer in int32 range', value);
      return n;
    }
    case 'float64': {
      const n = fromText ? numberFromText(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) throw mismatch(field, 'a number', value);
      return n;
    }
    case 'int64':
      return toInt64(field, value);
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (fromText && (value === 'true' || value === 'false')) return value === 'true';
      throw mismatch(field, 'true or false', value);
    case 'timestamp': {
      if (typeof value === 'string' && !/^-?\d+$/.test(value)) {
        const ms = Date.parse(value);
        if (Number.isNaN(ms)) throw mismatch(field, `a time (ISO 8601 or an integer of ${field.unit ?? 'ms'})`, value);
        return BigInt(Math.round(ms * UNIT_PER_MS[field.unit ?? 'ms']));
      }
      return toInt64(field, value);
    }
  }
}

function numberFromText(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const n = Number(value);
  return Number.isNaN(n) ? value : n;
}

function toInt64(field: Field, value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = BigInt(value);
    if (BigInt.asIntN(64, n) === n) return n;
  }
  throw mismatch(field, 'an integer in int64 range (a number, or digits in a string beyond 2^53)', value);
}

function mismatch(field: Field, expected: string, value: unknown): CoerceError {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value) : typeof value === 'object' ? JSON.stringify(value)?.slice(0, 40) : String(value);
  return new CoerceError(`field "${field.name}": expected ${expected}, found ${shown}`);
}
