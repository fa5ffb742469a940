/**
 * Numbers parsed straight from a field's bytes, without making a string, for the common forms;
 * anything unusual falls back to JavaScript's own `Number()` so results are bit-exact with it.
 *
 * Each parser returns its value and leaves {@link parseStatus} at OK, INVALID or OUT_OF_RANGE:
 * a module-level status instead of a result object keeps the hot loop free of allocations.
 */
export const PARSE_OK = 0;
export const PARSE_INVALID = 1;
export const PARSE_OUT_OF_RANGE = 2;

export let parseStatus = PARSE_OK;

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Exact powers of ten: every 10^k with k ≤ 22 is a double, which is what makes the fast path exact. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses `[+-]?[0-9]+` as a 32-bit signed integer. */
export function parseInt32(buf: Uint8Array, start: number, end: number): number {
  const value = parseDigits(buf, start, end, 1e10);
  if (parseStatus !== PARSE_OK) return value;
  if (value > 2147483647 || value < -2147483648) return fail(PARSE_OUT_OF_RANGE);
  return value;
}

/**
 * Parses `[+-]?[0-9]+` as a 64-bit signed integer: a number when it fits in 53 bits
 * (the common case, with no allocation), otherwise a bigint.
 */
export function parseInt64(buf: Uint8Array, start: number, end: number): number | bigint {
  const value = parseDigits(buf, start, end, 1e16);
  if (parseStatus !== PARSE_OK || (value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER)) return value;
  const big = BigInt(latin1(buf, start, end)); // BigInt reads the sign and leading zeros as Number does
  if (big < INT64_MIN || big > INT64_MAX) return fail(PARSE_OUT_OF_RANGE);
  return big;
}

/**
 * `[+-]?[0-9]+` as a number, exact while its magnitude stays below 2^53; past `cap` the digits are
 * only checked, so the caller sees an out-of-range magnitude without the number growing to Infinity.
 */
function parseDigits(buf: Uint8Array, start: number, end: number, cap: number): number {
  let i = start;
  const first = buf[i];
  const negative = first === MINUS;
  if (negative || first === PLUS) i++;
  if (i >= end) return fail(PARSE_INVALID);
  let value = 0;
  for (; i < end; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) return fail(PARSE_INVALID);
    // Keep scanning past the cap so "99999999999x" reports the bad byte, not the overflow.
    if (value < cap) value = value * 10 + d;
  }
  parseStatus = PARSE_OK;
  return negative && value !== 0 ? -value : value; // "-0" is the integer 0, not -0
}

/**
 * Parses a decimal floating point number exactly as `Number(text)` would: `[+-]?` digits with an
 * optional fraction and exponent, `Infinity` with a sign, or `NaN`. Unlike `Number`, it refuses
 * the empty string, whitespace and hex/octal/binary forms, which in a CSV file are data errors.
 */
export function parseFloat64(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  const first = buf[i];
  if (first === MINUS || first === PLUS) {
    negative = first === MINUS;
    i++;
  }
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let fractionDigits = 0;
  let c = 0;
  for (; i < end; i++) {
    c = buf[i] as number;
    if (c < ZERO || c > NINE) break;
    digits++;
    if (mantissa !== 0 || c !== ZERO) {
      mantissa = mantissa * 10 + (c - ZERO);
      significant++;
    }
  }
  if (i < end && c === DOT) {
    for (i++; i < end; i++) {
      c = buf[i] as number;
      if (c < ZERO || c > NINE) break;
      digits++;
      fractionDigits++;
      if (mantissa !== 0 || c !== ZERO) {
        mantissa = mantissa * 10 + (c - ZERO);
        significant++;
      }
    }
  }
  if (digits === 0) return parseSpecial(buf, start, end, i, negative);
  let exponent = 0;
  if (i < end) {
    c = buf[i] as number;
    if (c !== 101 && c !== 69) return fail(PARSE_INVALID); // e E
    i++;
    let expNegative = false;
    if (buf[i] === MINUS || buf[i] === PLUS) {
      expNegative = buf[i] === MINUS;
      i++;
    }
    if (i >= end) return fail(PARSE_INVALID);
    for (; i < end; i++) {
      const d = (buf[i] as number) - ZERO;
      if (d < 0 || d > 9) return fail(PARSE_INVALID);
      if (exponent < 1e6) exponent = exponent * 10 + d;
    }
    if (expNegative) exponent = -exponent;
  }
  parseStatus = PARSE_OK;
  const scale = exponent - fractionDigits;
  // Clinger's fast path: an exact integer below 2^53 times or over an exact power of ten is one
  // correctly rounded operation, so it equals what Number() computes.
  if (significant <= 15 && scale >= -22 && scale <= 22) {
    const value = scale >= 0 ? mantissa * (POW10[scale] as number) : mantissa / (POW10[-scale] as number);
    return negative ? -value : value;
  }
  if (mantissa === 0) return negative ? -0 : 0;
  return Number(latin1(buf, start, end));
}

function parseSpecial(buf: Uint8Array, start: number, end: number, i: number, negative: boolean): number {
  const text = latin1(buf, i, end);
  if (text === 'Infinity') {
    parseStatus = PARSE_OK;
    return negative ? -Infinity : Infinity;
  }
  if (text === 'NaN' && i === start) {
    parseStatus = PARSE_OK;
    return NaN;
  }
  return fail(PARSE_INVALID);
}

/**
 * Where the last {@link scanPlainInteger} or {@link scanPlainDecimal} stopped: just after the
 * number, or back at its start when the bytes there are not in the plain form.
 */
export let scanEnd = 0;

/** The most digits a plain number may have: any 15-digit integer is below 2^53, so exact. */
const PLAIN_DIGITS = 15;

/**
 * Reads the plain unsigned integer `[0-9]{1,15}` from `buf[start]`, stopping at the first other
 * byte or at `limit`, for a caller that is scanning the field anyway: the digits are read once.
 * Returns its value, or -1 (with {@link scanEnd} at `start`) when there is no digit or too many.
 * Whatever follows is the caller's to check; {@link parseInt32} / {@link parseInt64} take the rest.
 */
export function scanPlainInteger(buf: Uint8Array, start: number, limit: number): number {
  let p = start;
  let value = 0;
  let d = 0;
  while (p < limit && (d = (buf[p] as number) - ZERO) >= 0 && d <= 9) {
    value = value * 10 + d;
    p++;
  }
  if (p === start || p - start > PLAIN_DIGITS) {
    scanEnd = start;
    return -1;
  }
  scanEnd = p;
  return value;
}

/**
 * Reads the plain decimal `-?[0-9]*(\.[0-9]+)?` of 1 to 15 digits from `buf[start]`, as
 * {@link scanPlainInteger} does, and returns exactly what `Number(text)` gives: an exact integer
 * over an exact power of ten is one correctly rounded division (Clinger's fast path, as in
 * {@link parseFloat64}). Any other form leaves {@link scanEnd} at `start`; its return is then NaN.
 */
export function scanPlainDecimal(buf: Uint8Array, start: number, limit: number): number {
  let p = start;
  const negative = p < limit && buf[p] === MINUS;
  if (negative) p++;
  const first = p;
  let mantissa = 0;
  let d = 0;
  while (p < limit && (d = (buf[p] as number) - ZERO) >= 0 && d <= 9) {
    mantissa = mantissa * 10 + d;
    p++;
  }
  let digits = p - first;
  let fractionDigits = 0;
  if (p < limit && buf[p] === DOT) {
    const fraction = ++p;
    while (p < limit && (d = (buf[p] as number) - ZERO) >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      p++;
    }
    fractionDigits = p - fraction;
    digits += fractionDigits;
    if (fractionDigits === 0) digits = 0; // "12." is Number()'s, not the plain form
  }
  if (p === first || digits === 0 || digits > PLAIN_DIGITS) {
    scanEnd = start;
    return NaN;
  }
  scanEnd = p;
  const value = fractionDigits === 0 ? mantissa : mantissa / (POW10[fractionDigits] as number);
  return negative ? -value : value;
}

/** `true`/`false` in any letter case, or `1`/`0`. Returns 1, 0, or -1 for anything else. */
export function parseBool(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n === 1) {
    const c = buf[start];
    parseStatus = c === 49 || c === ZERO ? PARSE_OK : PARSE_INVALID;
    return c === 49 ? 1 : c === ZERO ? 0 : -1;
  }
  if (n === 4 && matchesLower(buf, start, 'true')) {
    parseStatus = PARSE_OK;
    return 1;
  }
  if (n === 5 && matchesLower(buf, start, 'false')) {
    parseStatus = PARSE_OK;
    return 0;
  }
  parseStatus = PARSE_INVALID;
  return -1;
}

function matchesLower(buf: Uint8Array, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (((buf[start + k] as number) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

function fail(status: number): number {
  parseStatus = status;
  return NaN;
}

/** Bytes as latin1 text: every byte one char, so no decoding can fail or substitute. */
function latin1(buf: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(buf[i] as number);
  return text;
}
