import { chunkFromRows, Schema, type Chunk } from '@flowengine/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodedChunk } from '../source/chunk-assembler.js';
import { CopyTextDecoder } from '../source/text-decoder.js';
import { encodeChunk } from './encoder.js';

const schema = Schema.of([
  { name: 'i', type: 'int32' }, { name: 'l', type: 'int64' }, { name: 'f', type: 'float64' }, { name: 'b', type: 'bool' },
  { name: 's', type: 'string' }, { name: 't', type: 'timestamp', unit: 'us' },
]);

/** Decodes COPY text back, fed in pieces of `split` bytes (rows and escapes cut anywhere). */
function decode(data: Buffer, split: number): unknown[][] {
  const decoder = new CopyTextDecoder(schema, 7, -1, { display: 'test' });
  const out: DecodedChunk[] = [];
  for (let at = 0; at < data.length; at += split) decoder.push(data.subarray(at, at + split), out);
  const last = decoder.end();
  if (last !== undefined) out.push(last);
  return out.flatMap(({ chunk }) => rowsOf(chunk));
}

function rowsOf(chunk: Chunk): unknown[][] {
  return Array.from({ length: chunk.length }, (_, r) => chunk.columns.map((c) => c.get(r)));
}

const row = fc.tuple(
  fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v))),
  fc.option(fc.double()),
  fc.option(fc.boolean()),
  fc.option(fc.string({ unit: 'binary' })),
  // Years 1..9999 as Postgres prints them; µs since the epoch.
  fc.option(fc.bigInt({ min: -62135596800000000n, max: 253402300799999999n }).map((v) => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v))),
);

describe('COPY text: encodeChunk → CopyTextDecoder', () => {
  it('gives back every value, null and escape, however the stream is split (property)', () => {
    fc.assert(fc.property(fc.array(row, { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (rows, split) => {
      const chunk = chunkFromRows(schema, rows.map((r) => r.map((v) => v ?? null)));
      const back = decode(encodeChunk(chunk).data, split);
      expect(back).toEqual(rowsOf(chunk));
    }), { numRuns: 300 });
  });

  it('writes the text Postgres reads: escapes, nulls, ISO timestamps in UTC, BC years', () => {
    const chunk = chunkFromRows(schema, [
      [1, 2n ** 60n, 0.1, true, 'a\tb\nc\\d\re', Date.UTC(2024, 1, 29, 1, 2, 3) * 1000 + 4],
      [null, null, Number.NaN, false, '', -62198755200000000n],
    ]);
    const { data, rowEnds } = encodeChunk(chunk);
    expect(data.toString('utf8')).toBe(
      '1\t1152921504606846976\t0.1\tt\ta\\tb\\nc\\\\d\\re\t2024-02-29 01:02:03.000004+00\n'
      + '\\N\t\\N\tNaN\tf\t\t0002-01-01 00:00:00+00 BC\n');
    expect(Array.from(rowEnds)).toEqual([data.indexOf('\n') + 1, data.length]);
  });
});
