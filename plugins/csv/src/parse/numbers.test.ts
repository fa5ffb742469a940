import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PARSE_INVALID, PARSE_OK, PARSE_OUT_OF_RANGE, parseBool, parseFloat64, parseInt32, parseInt64, parseStatus, scanEnd, scanPlainDecimal, scanPlainInteger,
} from './numbers.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const run = <T>(parse: (b: Uint8Array, s: number, e: number) => T, text: string): [T, number] => {
  const b = bytes(`x${text}y`); // offsets inside a larger buffer, as in a real row
  const value = parse(b, 1, b.length - 1);
  return [value, parseStatus];
};

describe('parseFloat64', () => {
  it('gives the same bits as Number() for every double printed by String()', () => {
    fc.assert(fc.property(fc.double(), (value) => {
      const [parsed, status] = run(parseFloat64, Object.is(value, -0) ? '-0' : String(value));
      expect(status).toBe(PARSE_OK);
      expect(Object.is(parsed, value)).toBe(true);
    }), { numRuns: 5000 });
  });

  it('gives the same bits as Number() for decimal text of any shape', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: 25 });
    const text = fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.option(fc.string({ unit: fc.constantFrom('0', '3', '7', '9'), maxLength: 25 })),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), fc.integer({ min: 0, max: 400 }))))
      .map(([sign, whole, fraction, exponent]) => `${sign}${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : exponent.join('')}`);
    fc.assert(fc.property(text, (t) => {
      const [parsed, status] = run(parseFloat64, t);
      expect(status).toBe(PARSE_OK);
      expect(Object.is(parsed, Number(t))).toBe(true);
    }), { numRuns: 5000 });
  });

  it('reads -0, Infinity and NaN, and refuses what a CSV should not hold', () => {
    expect(Object.is(run(parseFloat64, '-0')[0], -0)).toBe(true);
    expect(Object.is(run(parseFloat64, '-0.0e10')[0], -0)).toBe(true);
    expect(run(parseFloat64, '-Infinity')[0]).toBe(-Infinity);
    expect(run(parseFloat64, 'NaN')[0]).toBeNaN();
    expect(run(parseFloat64, '.5')[0]).toBe(0.5);
    expect(run(parseFloat64, '5.')[0]).toBe(5);
    for (const bad of ['', ' 1', '1 ', '0x10', '1e', '1e+', '.', '-', 'NaNx', '-NaN', '1_000', '12a', '١']) {
      expect([bad, run(parseFloat64, bad)[1]]).toEqual([bad, PARSE_INVALID]);
    }
  });
});

describe('parseInt32', () => {
  it('reads every int32 and reports overflow separately from bad bytes', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
      expect(run(parseInt32, String(value))).toEqual([value, PARSE_OK]);
    }));
    expect(run(parseInt32, '2147483648')[1]).toBe(PARSE_OUT_OF_RANGE);
    expect(run(parseInt32, '-2147483649')[1]).toBe(PARSE_OUT_OF_RANGE);
    expect(run(parseInt32, '99999999999999999999')[1]).toBe(PARSE_OUT_OF_RANGE);
    expect(run(parseInt32, '99999999999999999999x')[1]).toBe(PARSE_INVALID);
    expect(run(parseInt32, '-2147483648')).toEqual([-2147483648, PARSE_OK]);
    expect(run(parseInt32, '+007')).toEqual([7, PARSE_OK]);
    for (const bad of ['', '-', '12a', '1.0', ' 1', '1e3']) expect([bad, run(parseInt32, bad)[1]]).toEqual([bad, PARSE_INVALID]);
  });
});

describe('parseInt64', () => {
  it('reads every int64 exactly: a number when safe, a bigint beyond', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
      const [parsed, status] = run(parseInt64, String(value));
      expect(status).toBe(PARSE_OK);
      expect(BigInt(parsed)).toBe(value);
      expect(typeof parsed).toBe(value >= -(2n ** 53n - 1n) && value <= 2n ** 53n - 1n ? 'number' : 'bigint');
    }), { numRuns: 2000 });
    expect(run(parseInt64, '9223372036854775808')[1]).toBe(PARSE_OUT_OF_RANGE);
    expect(run(parseInt64, '-9223372036854775809')[1]).toBe(PARSE_OUT_OF_RANGE);
    expect(run(parseInt64, '12a')[1]).toBe(PARSE_INVALID);
    // The bigint path reads the same text forms as the number path: a sign and leading zeros.
    expect(run(parseInt64, '+0009223372036854775807')).toEqual([2n ** 63n - 1n, PARSE_OK]);
    expect(run(parseInt64, '-09007199254740993')).toEqual([-9007199254740993n, PARSE_OK]);
    expect(run(parseInt64, '-0')).toEqual([0, PARSE_OK]);
    expect(Object.is(run(parseInt32, '-0')[0], 0)).toBe(true);
  });
});

describe('parseBool', () => {
  it('reads true/false in any case and 1/0', () => {
    expect(['true', 'TRUE', 'False', '1', '0'].map((t) => run(parseBool, t))).toEqual([[1, PARSE_OK], [1, PARSE_OK], [0, PARSE_OK], [1, PARSE_OK], [0, PARSE_OK]]);
    expect(['yes', 't', '', 'truex', '2'].map((t) => run(parseBool, t)[1])).toEqual(Array(5).fill(PARSE_INVALID));
  });
});

describe('scanPlainInteger and scanPlainDecimal', () => {
  /** Scans `text` followed by a delimiter, as the source's fast path does: the scan must stop at it. */
  const scan = (scanner: (b: Uint8Array, s: number, l: number) => number, text: string): [number, number] => {
    const b = bytes(`x${text},`);
    const value = scanner(b, 1, b.length);
    return [value, scanEnd - 1];
  };
  const plainText = fc.tuple(fc.constantFrom('', '-'), fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: 18 }),
    fc.option(fc.string({ unit: fc.constantFrom('0', '3', '7', '9'), maxLength: 18 })))
    .map(([sign, whole, fraction]) => `${sign}${whole}${fraction === null ? '' : `.${fraction}`}`);

  it('read a plain form of up to 15 digits to the same bits as Number(), and stop after it', () => {
    fc.assert(fc.property(plainText, (text) => {
      const digits = text.replace(/[^0-9]/g, '').length;
      const [value, end] = scan(scanPlainDecimal, text);
      if (digits > 15 || text.endsWith('.')) {
        expect(end).toBe(0); // not the plain form: left at the start for parseFloat64
      } else {
        expect(end).toBe(text.length);
        expect(Object.is(value, Number(text))).toBe(true);
      }
      const unsigned = text.replace(/^-/, '').replace(/\..*$/, '');
      const [integer, integerEnd] = scan(scanPlainInteger, unsigned);
      expect([integer, integerEnd]).toEqual(unsigned.length > 15 ? [-1, 0] : [Number(unsigned), unsigned.length]);
    }), { numRuns: 5000 });
  });

  it('leave every other form at its start: signs they do not take, exponents stop the scan, no digits', () => {
    expect(scan(scanPlainInteger, '-1')).toEqual([-1, 0]);
    expect(scan(scanPlainInteger, '+1')).toEqual([-1, 0]);
    expect(scan(scanPlainInteger, '')).toEqual([-1, 0]);
    expect(scan(scanPlainInteger, '12a')).toEqual([12, 2]); // the caller sees the scan stopped short of the field's end
    expect(scan(scanPlainDecimal, '1e5')).toEqual([1, 1]);
    for (const text of ['', '-', '.', '+1', '12.', 'NaN', '-.']) expect(scan(scanPlainDecimal, text)[1]).toBe(0);
    expect(scan(scanPlainDecimal, '-.5')).toEqual([-0.5, 3]); // Number()'s reading too
    expect(Object.is(scan(scanPlainDecimal, '-0.0')[0], -0)).toBe(true);
  });
});
