import { Schema, type Chunk, type FieldInput } from '@flowengine/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopyBinaryDecoder, WIRE, type Wire } from './binary-decoder.js';
import type { DecodedChunk } from './chunk-assembler.js';

const PG_EPOCH_MICROS = 946_684_800_000_000n;
const PG_EPOCH_DAYS = 10_957;

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}
function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
function int64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}
function float8(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b;
}
const text = (v: string): Buffer => Buffer.from(v, 'utf8');
/** A row: field count, then each field's length (-1 for null) and bytes. */
function row(...fields: (Buffer | null)[]): Buffer {
  return Buffer.concat([int16(fields.length), ...fields.map((f) => (f === null ? int32(-1) : Buffer.concat([int32(f.length), f])))]);
}
/** Signature, flags, and a header extension of three bytes, which readers must skip. */
const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(3), Buffer.from('ext')]);
const TRAILER = int16(-1);

/** µs since 1970 of a UTC civil time (years before 1 as astronomical: 0 is 1 BC), as Postgres sends it: µs since 2000. */
function pgMicros(micros: bigint): Buffer {
  return int64(micros - PG_EPOCH_MICROS);
}
const utcMicros = (year: number, month: number, day: number, ms = 0): bigint => {
  const date = new Date(Date.UTC(2000, month - 1, day) + ms);
  date.setUTCFullYear(year);
  return BigInt(date.getTime()) * 1000n;
};

const COLUMNS: readonly (FieldInput & { wire: Wire })[] = [
  { name: 'i2', type: 'int32', wire: WIRE.int2 },
  { name: 'i4', type: 'int32', wire: WIRE.int4 },
  { name: 'i4_wide', type: 'int64', wire: WIRE.int4 },
  { name: 'i4_float', type: 'float64', wire: WIRE.int4 },
  { name: 'i2_wide', type: 'int64', wire: WIRE.int2 },
  { name: 'i8', type: 'int64', wire: WIRE.int8 },
  { name: 'i8_float', type: 'float64', wire: WIRE.int8 },
  { name: 'f8', type: 'float64', wire: WIRE.float8 },
  { name: 'b', type: 'bool', wire: WIRE.bool },
  { name: 's', type: 'string', wire: WIRE.text },
  { name: 'ts', type: 'timestamp', unit: 'us', wire: WIRE.timestamp },
  { name: 'd', type: 'timestamp', unit: 'us', wire: WIRE.date },
  // Cast to text by the SELECT (numeric, uuid): parsed as COPY text is.
  { name: 'num', type: 'float64', wire: WIRE.text },
  { name: 'uuid', type: 'string', wire: WIRE.text },
  { name: 'key', type: 'int64', wire: WIRE.text },
];
const schema = Schema.of(COLUMNS.map(({ wire: _, ...field }) => field));
const wires = COLUMNS.map((c) => c.wire);
const KEY = COLUMNS.findIndex((c) => c.name === 'key');

const TS = utcMicros(2024, 2, 29, 3_723_004) + 5n; // 2024-02-29 01:02:03.004005
const BC = utcMicros(-43, 3, 15); // 44 BC, past 2^53 µs
const FAR = 9_200_000_000_000_000_000n; // µs since 2000: year ~293,500, past 2^53 µs
const LAST_DAY = -2_451_545; // 4714-11-24 BC, Postgres' first date

const ROWS: { bytes: Buffer; values: unknown[] }[] = [
  {
    bytes: row(int16(1), int32(2 ** 31 - 1), int32(-(2 ** 31)), int32(7), int16(-2), int64(2n ** 53n + 1n), int64(2n ** 63n - 1n), float8(-0), Buffer.from([1]),
      text('ünï 😀 中文'), pgMicros(TS), int32(0), text('12.50'), text('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), text('10')),
    values: [1, 2 ** 31 - 1, -(2 ** 31), 7, -2, 2n ** 53n + 1n, 2 ** 63, -0, true, 'ünï 😀 中文', Number(TS), 946_684_800_000_000, 12.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 10],
  },
  {
    bytes: row(null, null, null, null, null, null, null, null, null, null, null, null, null, null, text('11')),
    values: [null, null, null, null, null, null, null, null, null, null, null, null, null, null, 11],
  },
  {
    bytes: row(int16(-32768), int32(0), int32(0), int32(-1), int16(32767), int64(-(2n ** 63n)), int64(-(2n ** 53n) - 3n), float8(Number.NaN), Buffer.from([0]),
      text(''), pgMicros(BC), int32(LAST_DAY), text('NaN'), text(''), text('12')),
    values: [-32768, 0, 0, -1, 32767, -(2n ** 63n), -(2 ** 53) - 4, Number.NaN, false, '', BC, BigInt(LAST_DAY + PG_EPOCH_DAYS) * 86_400_000_000n, Number.NaN, '', 12],
  },
  {
    bytes: row(int16(0), int32(0), int32(0), int32(0), int16(0), int64(-1n), int64(0n), float8(Number.POSITIVE_INFINITY), Buffer.from([1]),
      text('x'.repeat(300)), int64(FAR), int32(-1), text('-Infinity'), text('💥'), null),
    values: [0, 0, 0, 0, 0, -1, 0, Number.POSITIVE_INFINITY, true, 'x'.repeat(300), FAR + PG_EPOCH_MICROS, 946_684_800_000_000 - 86_400_000_000, Number.NEGATIVE_INFINITY, '💥', null],
  },
];
const STREAM = Buffer.concat([HEADER, ...ROWS.map((r) => r.bytes), TRAILER]);

/** Feeds `pieces` (ranges into one buffer, as CopyOutStream hands them) and returns rows and each chunk's last key. */
function decode(buffer: Buffer, ranges: readonly number[], chunkSize = 2): { rows: unknown[][]; keys: (string | undefined)[] } {
  const decoder = new CopyBinaryDecoder(schema, wires, chunkSize, KEY, { display: 'test' });
  const out: DecodedChunk[] = [];
  for (let i = 0; i < ranges.length; i += 2) decoder.push(buffer, out, ranges[i] as number, ranges[i + 1] as number);
  const last = decoder.end();
  if (last !== undefined) out.push(last);
  return { rows: out.flatMap(({ chunk }) => rowsOf(chunk)), keys: out.map((d) => d.lastKey) };
}

function rowsOf(chunk: Chunk): unknown[][] {
  return Array.from({ length: chunk.length }, (_, r) => chunk.columns.map((c) => c.get(r)));
}

/** Each piece as its own buffer with bytes around it, so offsets other than 0 are exercised too. */
function decodePieces(cuts: readonly number[]): ReturnType<typeof decode> {
  const decoder = new CopyBinaryDecoder(schema, wires, 2, KEY, { display: 'test' });
  const out: DecodedChunk[] = [];
  const bounds = [0, ...cuts, STREAM.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const piece = Buffer.concat([Buffer.from('junk'), STREAM.subarray(bounds[i], bounds[i + 1]), Buffer.from('junk')]);
    decoder.push(piece, out, 4, piece.length - 4);
  }
  const last = decoder.end();
  if (last !== undefined) out.push(last);
  return { rows: out.flatMap(({ chunk }) => rowsOf(chunk)), keys: out.map((d) => d.lastKey) };
}

const EXPECTED = { rows: ROWS.map((r) => r.values), keys: ['11', '12'] };

describe('COPY binary: CopyBinaryDecoder', () => {
  it('reads every wire into every field kind it feeds: nulls, extremes, -0, NaN, ±Infinity, BC, int64 past 2^53, UTF-8', () => {
    const got = decode(STREAM, [0, STREAM.length]);
    expect(got).toEqual(EXPECTED);
    expect(Object.is(got.rows[0]?.[7], -0)).toBe(true);
  });

  it('gives the same rows however the stream is cut once (header, count, length word, value)', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) expect({ cut, ...decodePieces([cut]) }).toEqual({ cut, ...EXPECTED });
  });

  it('gives the same rows fed one byte at a time, and cut anywhere several times (property)', () => {
    expect(decodePieces(Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1))).toEqual(EXPECTED);
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 12 }), (cuts) => {
      expect(decodePieces([...cuts].sort((a, b) => a - b))).toEqual(EXPECTED);
    }), { numRuns: 300 });
  });

  it('a chunk whose rows have a null key keeps the last key read before', () => {
    const stream = Buffer.concat([HEADER, ROWS[0]?.bytes as Buffer, ROWS[3]?.bytes as Buffer, TRAILER]);
    expect(decode(stream, [0, stream.length], 1).keys).toEqual(['10', '10']);
  });

  it('an infinite timestamp or date names table, row and column, as the text path does', () => {
    const schema1 = Schema.of([{ name: 'at', type: 'timestamp', unit: 'us' }]);
    const cases: [Wire, Buffer, string][] = [
      [WIRE.timestamp, int64(2n ** 63n - 1n), 'infinity'], [WIRE.timestamp, int64(-(2n ** 63n)), '-infinity'],
      [WIRE.date, int32(2 ** 31 - 1), 'infinity'], [WIRE.date, int32(-(2 ** 31)), '-infinity'],
    ];
    for (const [wire, value, found] of cases) {
      const decoder = new CopyBinaryDecoder(schema1, [wire], 10, -1, { display: 'table "s.t"', firstRow: 40 });
      const stream = Buffer.concat([HEADER, row(value), row(value)]);
      expect(() => decoder.push(stream, [])).toThrow(expect.objectContaining({
        code: 'FE_PG_VALUE_INVALID', message: `table "s.t", row 41, column "at": expected a finite ISO date or timestamp, found "${found}"`,
      }));
    }
  });

  it('errors name what was expected: bad text, NOT NULL, field count, signature, a stream that ends early', () => {
    const one = (field: FieldInput, wire: Wire) => new CopyBinaryDecoder(Schema.of([field]), [wire], 10, -1, { display: 'query' });
    expect(() => one({ name: 'n', type: 'float64' }, WIRE.text).push(Buffer.concat([HEADER, row(text('abc'))]), []))
      .toThrow(/query, row 1, column "n": expected a number, found "abc"/);
    expect(() => one({ name: 'n', type: 'int32', nullable: false }, WIRE.int4).push(Buffer.concat([HEADER, row(null)]), []))
      .toThrow(/query, row 1, column "n": expected a value \(the column is NOT NULL\), found "null"/);
    expect(() => one({ name: 'n', type: 'int32' }, WIRE.int4).push(Buffer.concat([HEADER, row(int32(1), int32(2))]), []))
      .toThrow(/query, row 1: expected 1 COPY fields, found 2/);
    expect(() => one({ name: 'n', type: 'int32' }, WIRE.int4).push(Buffer.concat([HEADER, row(int16(1))]), []))
      .toThrow(/query, row 1, column "n": expected 4 bytes, found "2 bytes"/);
    expect(() => one({ name: 'n', type: 'int32' }, WIRE.int4).push(Buffer.from('1\tfoo\n2\tbar\n3\tbaz\n4\tqux\n'), []))
      .toThrow(/query: expected the binary COPY signature/);
    for (const [bytes, what] of [[HEADER.subarray(0, 5), 'the binary COPY header'], [Buffer.concat([HEADER, row(int32(1)).subarray(0, 7)]), 'a complete COPY row'],
      [Buffer.concat([HEADER, row(int32(1))]), 'the binary COPY trailer']] as const) {
      const decoder = one({ name: 'n', type: 'int32' }, WIRE.int4);
      decoder.push(bytes, []);
      expect(() => decoder.end()).toThrow(`expected ${what}, found the stream ended`);
    }
  });
});
