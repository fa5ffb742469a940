import type { ByteWriter } from './byte-writer.js';

const ZERO = 48;
const MINUS = 45;
const DOT = 46;
/** "00".."99" as bytes: two digits per division halves the divisions. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = ZERO + Math.floor(i / 10);
  PAIRS[2 * i + 1] = ZERO + (i % 10);
}

function digitCount(v: number): number {
  if (v < 10) return 1;
  if (v < 100) return 2;
  if (v < 1000) return 3;
  if (v < 10000) return 4;
  if (v < 100000) return 5;
  if (v < 1000000) return 6;
  if (v < 10000000) return 7;
  if (v < 100000000) return 8;
  if (v < 1000000000) return 9;
  return 10;
}

/** Writes `v` (an integer in [0, 2^32)) in exactly `n` digits, zero-padded, ending before `end`. */
function writeDigits(bytes: Uint8Array, end: number, v: number, n: number): void {
  let at = end;
  while (n >= 2) {
    const q = Math.floor(v / 100);
    const pair = (v - q * 100) * 2;
    bytes[--at] = PAIRS[pair + 1] as number;
    bytes[--at] = PAIRS[pair] as number;
    v = q;
    n -= 2;
  }
  if (n === 1) bytes[--at] = ZERO + (v % 10);
}

/** Writes an integer below 2^53 in magnitude as decimal digits, with no string in between. */
export function writeInteger(out: ByteWriter, value: number): void {
  out.ensure(21);
  const bytes = out.bytes;
  let at = out.length;
  if (value < 0) {
    bytes[at++] = MINUS;
    value = -value;
  }
  if (value < 4294967296) {
    const n = digitCount(value);
    writeDigits(bytes, at + n, value, n);
    out.length = at + n;
    return;
  }
  // Above 32 bits: the high part (< 2^53 / 1e8 < 2^27) then the low eight digits, zero-padded.
  const high = Math.floor(value / 1e8);
  const low = value - high * 1e8;
  const n = digitCount(high);
  writeDigits(bytes, at + n, high, n);
  writeDigits(bytes, at + n + 8, low, 8);
  out.length = at + n + 8;
}

/**
 * Writes a float64 so that reading it back gives the same bits: JavaScript's shortest
 * round-trip form (`String(value)`), plus `-0` for negative zero, which `String` drops.
 *
 * Integers, and values below 1e9 with at most six decimals (prices, amounts, rates), take a path
 * without strings that writes the same digits as `String(value)`: at that magnitude two decimals
 * with at most six fraction digits are further apart than two neighbouring doubles, so the one
 * that reads back as `value` is unique, and no shorter form can exist.
 */
export function writeFloat(out: ByteWriter, value: number): void {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) {
    if (value === 0 && 1 / value < 0) {
      out.byte(MINUS);
      out.byte(ZERO);
      return;
    }
    writeInteger(out, value);
    return;
  }
  if (value < 1e9 && value > -1e9) {
    const scaled = Math.round(value * 1e6);
    if (scaled / 1e6 === value) {
      const abs = scaled < 0 ? -scaled : scaled;
      const whole = Math.floor(abs / 1e6);
      // An int32 (below 1e6, never 0: integers returned above), so `% 10` is an integer modulo, not
      // the slow float one it is on a double.
      let fraction = (abs - whole * 1e6) | 0;
      let digits = 6;
      while (fraction % 10 === 0) {
        fraction = (fraction / 10) | 0;
        digits--;
      }
      if (scaled < 0) out.byte(MINUS);
      writeInteger(out, whole);
      out.byte(DOT);
      out.ensure(digits);
      writeDigits(out.bytes, out.length + digits, fraction, digits);
      out.length += digits;
      return;
    }
  }
  out.ascii(String(value));
}
