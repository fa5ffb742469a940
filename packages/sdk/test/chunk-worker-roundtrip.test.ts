import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkBuilder, FlowEngineError, Schema, decodeChunk, encodeChunk } from '@flowengine/sdk';
import type { Chunk, EncodedChunk, FieldType } from '@flowengine/sdk';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** What `get` must return for a value appended to a column of `type` (int64 safe ints come back as numbers). */
function expected(type: FieldType, value: unknown): unknown {
  if (value === null) return null;
  if ((type === 'int64' || type === 'timestamp') && typeof value === 'bigint') {
    return value >= -BigInt(Number.MAX_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  return value;
}

function valueArb(type: FieldType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64': case 'timestamp':
      return fc.oneof(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.maxSafeInteger(),
        fc.constantFrom(2n ** 53n, -(2n ** 53n), 2n ** 53n + 1n, INT64_MIN, INT64_MAX, -1, 0));
    case 'float64': return fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -0, Infinity, -Infinity, Number.MIN_VALUE));
    case 'bool': return fc.boolean();
    // 'binary' covers every code point, astral planes included; lone surrogates are not valid UTF-8.
    case 'string': return fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', '😀𝄞', 'x'.repeat(100)));
  }
}

const fieldArb = fc.record({
  type: fc.constantFrom<FieldType>('int32', 'int64', 'float64', 'bool', 'string', 'timestamp'),
  nullable: fc.boolean(),
  unit: fc.constantFrom('s', 'ms', 'us', 'ns' as const),
});

const caseArb = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 7 })
  .chain((names) => fc.tuple(...names.map((name) => fieldArb.map((f) => ({ name, ...f })))))
  .chain((fields) => {
    const schema = Schema.of(fields.map((f) => (f.type === 'timestamp' ? f : { name: f.name, type: f.type, nullable: f.nullable })));
    const row = fc.tuple(...schema.fields.map((f) => (f.nullable ? fc.option(valueArb(f.type), { freq: 4 }) : valueArb(f.type))));
    return fc.tuple(fc.constant(schema), fc.array(row, { maxLength: 60 }));
  });

let worker: Worker;

beforeAll(() => {
  worker = new Worker(new URL('./fixtures/chunk-echo-worker.mjs', import.meta.url));
});

afterAll(async () => {
  await worker.terminate();
});

async function roundTrip(chunk: Chunk): Promise<{ rows: unknown[][]; back: Chunk; fingerprint: string }> {
  const { message, transfer } = encodeChunk(chunk);
  const reply = once(worker, 'message') as Promise<[{ ok: boolean; rows: unknown[][]; fingerprint: string; chunk: EncodedChunk; error?: unknown }]>;
  worker.postMessage(message, transfer);
  const [answer] = await reply;
  if (!answer.ok) throw new Error(`worker failed: ${JSON.stringify(answer.error)}`);
  return { rows: answer.rows, back: decodeChunk(answer.chunk), fingerprint: answer.fingerprint };
}

function readAll(chunk: Chunk): unknown[][] {
  const rows: unknown[][] = [];
  for (const row of chunk.rows()) rows.push(row.toArray());
  return rows;
}

describe('chunk round trip through a real worker_thread', () => {
  it('keeps every value of random schemas and rows, and detaches the sender buffer', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ([schema, rows]) => {
        const builder = new ChunkBuilder(schema, { capacity: 4 }); // small: exercises growth
        for (const row of rows) builder.appendRow(row);
        const chunk = builder.finish();
        const want = rows.map((row) => row.map((value, i) => expected(schema.fields[i]!.type, value)));
        expect(readAll(chunk)).toEqual(want);
        const sent = chunk.buffer;
        expect(sent.byteLength).toBeGreaterThan(0);

        const { rows: seen, back, fingerprint } = await roundTrip(chunk);

        expect(sent.byteLength).toBe(0); // transferred, not copied
        expect(() => encodeChunk(chunk)).toThrow(expect.objectContaining({ code: 'FE_CHUNK_INVALID_BUFFER' }));
        expect(fingerprint).toBe(schema.fingerprint);
        expect(seen).toEqual(want);
        expect(back.length).toBe(rows.length);
        expect(back.schema.fingerprint).toBe(schema.fingerprint);
        expect(readAll(back)).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips an empty chunk', async () => {
    const schema = Schema.of([{ name: 's', type: 'string' }, { name: 'b', type: 'bool' }]);
    const chunk = new ChunkBuilder(schema).finish();
    const sent = chunk.buffer;
    const { back, rows } = await roundTrip(chunk);
    expect(sent.byteLength).toBe(0);
    expect(rows).toEqual([]);
    expect(back.length).toBe(0);
    expect(back.column('s').length).toBe(0);
  });

  it('refuses to decode a message whose buffer was already transferred', async () => {
    const schema = Schema.of([{ name: 'id', type: 'int32' }]);
    const builder = new ChunkBuilder(schema);
    builder.appendRow([1]);
    const { message, transfer } = encodeChunk(builder.finish());
    structuredClone(message, { transfer }); // detaches message.buffer here
    expect(() => decodeChunk(message)).toThrow(FlowEngineError);
    expect(() => decodeChunk(message)).toThrow(/expected a buffer of at least \d+ bytes, found 0 \(detached/);
  });
});
