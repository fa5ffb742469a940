import { describe, expect, it } from 'vitest';
import { parseTimestampMicros } from './timestamp.js';

const parse = (text: string) => parseTimestampMicros(Buffer.from(text), 0, text.length);

describe('parseTimestampMicros', () => {
  it('reads dates, timestamps and offsets as Postgres prints them in ISO style', () => {
    expect(parse('1970-01-01')).toBe(0);
    expect(parse('2024-02-29 23:59:59.5')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 500) * 1000);
    expect(parse('2024-01-01 05:30:00+05:30')).toBe(Date.UTC(2024, 0, 1) * 1000);
    expect(parse('2024-01-01 00:00:00-00:00:30')).toBe(30_000_000 + Date.UTC(2024, 0, 1) * 1000);
    expect(parse('1969-12-31 23:59:59.999999+00')).toBe(-1);
    // 1 BC is the astronomical year 0.
    expect(parse('0001-01-01 00:00:00+00 BC')).toBe(BigInt(new Date('0000-01-01T00:00:00Z').getTime()) * 1000n);
    expect(parse('12345-06-07 00:00:00+00')).toBe(BigInt(new Date('+012345-06-07T00:00:00Z').getTime()) * 1000n);
  });

  it('returns undefined for what it does not understand', () => {
    for (const text of ['infinity', '-infinity', '2024-1-01', '2024-01-01T00:00:00', '2024-01-01 00:00', '', 'x']) expect(parse(text)).toBeUndefined();
  });

  it('agrees with Date on the day of every month across 400-year eras, BC included', () => {
    for (let year = -1201; year <= 2401; year += year > -5 && year < 5 ? 1 : 97) {
      for (let month = 1; month <= 12; month++) {
        const expected = new Date(0);
        expected.setUTCFullYear(year, month - 1, month === 2 ? 28 : 1);
        const text = `${String(year > 0 ? year : 1 - year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${month === 2 ? 28 : '01'}${year > 0 ? '' : ' BC'}`;
        expect({ text, micros: Number(parse(text)) }).toEqual({ text, micros: expected.getTime() * 1000 });
      }
    }
  });
});
