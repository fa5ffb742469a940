import type { ByteWriter } from './byte-writer.js';

const ZERO = 48;
const MINUS = 45;
const DOT = 46;
const digitScratch = new Uint8Array(24);

/** Writes an integer below 2^53 in magnitude as decimal digits, with no string in between. */
export function writeInteger(out: ByteWriter, value: number): void {
  if (value < 0) {
    out.byte(MINUS);
    value = -value;
  }
  if (value < 10) {
    out.byte(ZERO + value);
    return;
  }
  let n = 0;
  while (value > 0) {
    const q = Math.floor(value / 10);
    digitScratch[n++] = ZERO + (value - q * 10);
    value = q;
  }
  out.ensure(n);
  const bytes = out.bytes;
  let at = out.length;
  while (n > 0) bytes[at++] = digitScratch[--n] as number;
  out.length = at;
}

/**
 * Writes a float64 so that reading it back gives the same bits: JavaScript's shortest
 * round-trip form (`String(value)`), plus `-0` for negative zero, which `String` drops.
 *
 * Integers and values with at most two decimals (prices, amounts) below 1e9 take a path
 * without strings; it writes the same digits as `String(value)`: at that magnitude two
 * decimals apart are far wider than the gap between doubles, so the shortest form is this one.
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
    const cents = Math.round(value * 100);
    if (cents / 100 === value) {
      const negative = cents < 0;
      const abs = negative ? -cents : cents;
      const whole = Math.floor(abs / 100);
      const fraction = abs - whole * 100;
      if (negative) out.byte(MINUS);
      writeInteger(out, whole);
      out.byte(DOT);
      const tens = Math.floor(fraction / 10);
      out.byte(ZERO + tens);
      const units = fraction - tens * 10;
      if (units !== 0) out.byte(ZERO + units);
      return;
    }
  }
  out.ascii(String(value));
}
