import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Schema, type FieldType, type RejectedRow } from '@flowengine/sdk';
import { CsvTokenizer, type RowHandler } from '../parse/tokenizer.js';
import { RowFiller } from './row-filler.js';

const encoder = new TextEncoder();
const DIALECT = { delimiter: 44, quote: 34, escape: 34 };

interface Outcome {
  rows: unknown[][];
  /** Where each chunk ended: the position the source would tag it with. */
  chunkEnds: number[];
  rejected: Array<Pick<RejectedRow, 'code' | 'location' | 'reason' | 'record'>>;
  delivered: number;
}

/**
 * Reads `bytes` (fed in the given read sizes, cycled) through a RowFiller, either as the source
 * does — offering each row to the filler's fast path first — or through the tokenizer's general
 * path alone, by hiding `takeSimpleRow` behind a handler that only has `onRow`.
 */
function fill(bytes: Uint8Array, schema: Schema, options: { reads: number[]; nullValue: string; chunkSize: number; fast: boolean; skipUntil?: number; header?: boolean }): Outcome {
  const rejected: Outcome['rejected'] = [];
  const filler = new RowFiller(schema, DIALECT, encoder.encode(options.nullValue), options.chunkSize,
    ({ code, location, reason, record }) => void rejected.push({ code, location, reason, record }));
  filler.file = 'in.csv';
  filler.skipUntil = options.skipUntil ?? -1;
  if (options.header === true) filler.onHeader = () => undefined;
  const handler: RowHandler = options.fast
    ? { onRow: (t) => filler.onRow(t), takeSimpleRow: (...args) => countTaken(filler.takeSimpleRow(...args)) }
    : { onRow: (t) => filler.onRow(t) };
  const tokenizer = new CsvTokenizer({ ...DIALECT, maxFieldBytes: 24, validateUtf8: true, stripBom: true }, handler);
  // Each read lands in one reused buffer, overwritten after the feed, as the source's read
  // buffer is: a row or field still pointing into it would read the garbage.
  const readBuffer = new Uint8Array(Math.max(...options.reads));
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const piece = bytes.subarray(at, at + Math.max(1, options.reads[k % options.reads.length] as number));
    readBuffer.set(piece);
    tokenizer.feed(readBuffer.subarray(0, piece.length));
    readBuffer.fill(0x3f);
    at += piece.length;
  }
  tokenizer.finish();
  filler.finishChunk(tokenizer.rowNextOffset);
  const rows = filler.ready.flatMap(({ chunk }) => Array.from({ length: chunk.length }, (_, i) => chunk.row(i).toArray()));
  return { rows, chunkEnds: filler.ready.map((ready) => ready.byteOffset), rejected, delivered: filler.delivered };
}

// Cells that take every way out of the fast path: signed and 16+ digit integers, out-of-range
// ones, forms only the general parsers accept ("+5", "1e5", "12."), junk, quoted numbers, line
// breaks and stray quotes, the null text, multi-byte and fields over maxFieldBytes (24).
const tricky = fc.oneof(
  fc.constantFrom('', '0', '-0', '+5', '007', '2147483647', '2147483648', '-2147483648', '999999999999999', '9999999999999999',
    '99999999999999999999', '1e5', '12.', '.5', '-', '-1.25', 'NaN', 'Infinity', 'x', '12a', 'true', 'FALSE', '1', 'yes',
    '"7"', '""', '"q"', '"a""b"', '"a,b"', '"two\nlines"', '"cr\rin"', '"x\n"', '"\r"', 'a"b', '"x"y', 'NULL', '"NULL"',
    'é😀', '\u00ff', 'abcdefghijklmnopqrstuvwxyz0'),
  fc.string({ maxLength: 4 }),
);
/** Mostly values that fit the column, as a writer would quote them, so most rows are delivered. */
function cellFor(type: FieldType): fc.Arbitrary<string> {
  const text = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', ' ', '😀'), maxLength: 5 })
    .map((value) => (/[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value));
  const valid = {
    int32: fc.integer().map(String),
    int64: fc.oneof(fc.maxSafeInteger().map(String), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }).map(String),
    float64: fc.oneof(fc.double().map(String), fc.integer({ min: -999_999, max: 999_999 }).map((n) => (n / 100).toFixed(2))),
    bool: fc.constantFrom('true', 'false', '0', '1', 'TRUE'),
    string: text,
  }[type];
  return fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: tricky, weight: 2 });
}
const kind = fc.constantFrom<FieldType>('int32', 'int64', 'float64', 'bool', 'string', 'timestamp');
const terminator = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');

const table = fc.array(fc.record({ type: kind, nullable: fc.boolean() }), { minLength: 1, maxLength: 4 }).chain((fields) => fc.record({
  fields: fc.constant(fields),
  // Mostly the right width; sometimes a field more or less, or a blank line.
  lines: fc.array(fc.tuple(fc.tuple(...fields.map((field) => cellFor(field.type))), terminator, fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, -1, 1)), { maxLength: 25, size: 'max' }),
  last: fc.boolean(),
  invalidUtf8: fc.boolean(),
}));

/** Rows the fast path took, across a property's runs: enough of them for the comparison to mean something. */
let takenRows = 0;
function countTaken(next: number): number {
  if (next >= 0) takenRows++;
  return next;
}

describe('RowFiller fast path', () => {
  it('gives exactly what the general path gives, however the reads split the file: rows, chunk ends, rejects with file:line:col and raw record', () => {
    let deliveredRows = 0;
    fc.assert(fc.property(
      table, fc.array(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(1 << 16), fc.constant(1 << 16)), { minLength: 1, maxLength: 6 }), fc.constantFrom('', 'NULL'), fc.integer({ min: 1, max: 5 }), fc.oneof(fc.constant(-1), fc.constant(-1), fc.integer({ min: 0, max: 60 })),
      ({ fields, lines, last, invalidUtf8 }, reads, nullValue, chunkSize, skipUntil) => {
        const schema = Schema.of(fields.map((field, i) => ({ name: `c${i}`, ...field })));
        const text = lines.map(([cells, end, extra]) => (extra < 0 ? cells.slice(1) : extra > 0 ? [...cells, '1'] : cells).join(',') + end).join('');
        let bytes = encoder.encode(last ? text.replace(/\r?\n$|\r$/, '') : text);
        if (invalidUtf8 && bytes.length > 2) bytes = Uint8Array.from([...bytes.subarray(0, 2), 0xc3, 0x28, ...bytes.subarray(2)]);
        const options = { reads, nullValue, chunkSize, skipUntil };
        const general = fill(bytes, schema, { ...options, fast: false });
        const fast = fill(bytes, schema, { ...options, fast: true });
        expect(fast).toEqual(general);
        // Where the reads split the file changes nothing: the same as one read of it all.
        expect(fast).toEqual(fill(bytes, schema, { ...options, reads: [Math.max(1, bytes.length)], fast: true }));
        deliveredRows += general.delivered;
      }), { numRuns: 1500 });
    // Rows cut by a read, multi-line quotes and rows near an invalid byte go the general way by design.
    expect(takenRows).toBeGreaterThan(deliveredRows / 4);
  });

  it('takes the rows it should (so the property above compares two paths, not one with itself)', () => {
    const schema = Schema.of([{ name: 'id', type: 'int32' }, { name: 'amount', type: 'float64' }, { name: 'note', type: 'string' }]);
    const filler = new RowFiller(schema, DIALECT, encoder.encode(''), 100, () => undefined);
    const text = '1,2.5,x\r\n2,-0.25,"a ""b"""\n3,1e5,\n4,0,"two\nlines"\n';
    const bytes = encoder.encode(text);
    const taken: number[] = [];
    for (let pos = 0; pos < bytes.length;) {
      const next = filler.takeSimpleRow(bytes, pos, bytes.length, 0);
      if (next < 0) break;
      taken.push(next);
      pos = next;
    }
    // "1e5" is parsed by parseFloat64 once the plain scan gives up; a line break in quotes is refused.
    const lineEnds = [...text.matchAll(/\n/g)].map((match) => (match.index as number) + 1);
    expect(taken).toEqual(lineEnds.slice(0, 3));
    filler.finishChunk(taken[2] as number);
    const chunk = filler.ready[0]?.chunk;
    expect(chunk && Array.from({ length: chunk.length }, (_, i) => chunk.row(i).toArray())).toEqual([[1, 2.5, 'x'], [2, -0.25, 'a "b"'], [3, 100000, null]]);
  });

  it('leaves a header row and rows before the resume point to the general path', () => {
    const schema = Schema.of([{ name: 'id', type: 'int32' }]);
    const filler = new RowFiller(schema, DIALECT, encoder.encode(''), 100, () => undefined);
    const bytes = encoder.encode('1\n2\n');
    filler.onHeader = () => undefined;
    expect(filler.takeSimpleRow(bytes, 0, bytes.length, 0)).toBe(-1);
    filler.onHeader = undefined;
    filler.skipUntil = 2;
    expect(filler.takeSimpleRow(bytes, 0, bytes.length, 0)).toBe(-1);
    expect(filler.takeSimpleRow(bytes, 2, bytes.length, 0)).toBe(4);
  });
});
