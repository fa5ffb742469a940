import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteWriter } from './byte-writer.js';
import { writeFloat, writeInteger } from './numbers.js';
import { parseFloat64 } from '../parse/numbers.js';

const text = (write: (out: ByteWriter) => void) => {
  const out = new ByteWriter(4);
  write(out);
  return new TextDecoder().decode(out.view());
};

describe('writeFloat', () => {
  const cents = fc.integer({ min: -99_999_999_999, max: 99_999_999_999 }).map((n) => n / 100);
  it('writes what String() writes (so it is the shortest round-trip form), and re-reads to the same bits', () => {
    fc.assert(fc.property(fc.oneof(fc.double(), cents, fc.integer().map((n) => n / 10), fc.integer().map((n) => n / 1000), fc.integer().map((n) => n / 1e6), fc.integer().map((n) => n / 1e7), cents.map((c) => c * 1.2)), (value) => {
      const written = text((out) => writeFloat(out, value));
      expect(written).toBe(Object.is(value, -0) ? '-0' : String(value));
      const bytes = new TextEncoder().encode(written);
      expect(Object.is(parseFloat64(bytes, 0, bytes.length), value)).toBe(true);
    }), { numRuns: 30000 });
  });
});

describe('writeInteger', () => {
  it('writes safe integers as String() does', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (value) => {
      expect(text((out) => writeInteger(out, value))).toBe(String(value));
    }));
  });
});
