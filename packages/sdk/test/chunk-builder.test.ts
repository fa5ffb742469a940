import { describe, expect, it } from 'vitest';
import {
  ArrayRowPool, BufferPool, Chunk, ChunkBuilder, ChunkBuilderPool, Int64Column, Schema, StringColumnBuilder,
  chunkFromRows, decodeChunk, encodeChunk, threadBufferPool,
} from '@flowengine/sdk';
import type { EncodedChunk } from '@flowengine/sdk';
import { thrown } from './helpers.js';

const all = Schema.of([
  { name: 'i', type: 'int32' },
  { name: 'l', type: 'int64' },
  { name: 'f', type: 'float64' },
  { name: 'b', type: 'bool' },
  { name: 's', type: 'string' },
  { name: 't', type: 'timestamp' },
]);

describe('ChunkBuilder values', () => {
  it('keeps NaN, -0 and infinities in float64', () => {
    const chunk = chunkFromRows(Schema.of([{ name: 'f', type: 'float64' }]), [[Number.NaN], [-0], [Infinity], [0]]);
    const f = chunk.column('f');
    expect(Number.isNaN(f.get(0))).toBe(true);
    expect(Object.is(f.get(1), -0)).toBe(true);
    expect(f.get(2)).toBe(Infinity);
    expect(Object.is(f.get(3), 0)).toBe(true);
  });

  it('exposes int64 as numbers when safe and bigints beyond 2^53', () => {
    const values = [0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2n ** 53n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 4294967296, -4294967297];
    const chunk = chunkFromRows(Schema.of([{ name: 'l', type: 'int64' }]), values.map((v) => [v]));
    const column = chunk.column('l') as Int64Column;
    expect(values.map((_, i) => column.get(i))).toEqual([0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2n ** 53n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 4294967296, -4294967297]);
    expect(column.getNumber(2)).toBe(Number.MAX_SAFE_INTEGER);
    expect(column.getNumber(6)).toBe(2 ** 63); // rounded, never throws
    expect(column.getNumber(9)).toBe(-4294967297);
    expect(column.getBigInt(1)).toBe(-1n);
    expect(Array.from(column.values)).toEqual(values.map((v) => BigInt(v)));
  });

  it('converts Dates into the timestamp unit', () => {
    const at = new Date('2024-05-06T07:08:09.123Z');
    const ms = at.getTime();
    const schema = Schema.of((['s', 'ms', 'us', 'ns'] as const).map((unit) => ({ name: unit, type: 'timestamp' as const, unit })));
    const chunk = chunkFromRows(schema, [[at, at, at, at]]);
    expect(chunk.row(0).toArray()).toEqual([Math.floor(ms / 1000), ms, ms * 1000, BigInt(ms) * 1_000_000n]);
    expect((chunk.column('ns') as Int64Column).unit).toBe('ns');
  });

  it('stores empty, multi-byte and astral strings and exposes raw bytes', () => {
    const chunk = chunkFromRows(Schema.of([{ name: 's', type: 'string' }]), [[''], ['héllo'], ['😀𝄞'], [null], ['a'.repeat(1000)], ['\ud800']]);
    const s = chunk.column('s');
    expect([0, 1, 2, 3].map((i) => s.get(i))).toEqual(['', 'héllo', '😀𝄞', null]);
    expect(s.get(4)).toBe('a'.repeat(1000));
    expect(s.get(5)).toBe('\ufffd'); // a lone surrogate is not UTF-8: encoded as U+FFFD
    if (s.type !== 'string') throw new Error('expected a string column');
    expect(Array.from(s.getBytes(1))).toEqual(Array.from(new TextEncoder().encode('héllo')));
    expect(s.getBytes(1).buffer).toBe(chunk.buffer);
  });

  it('appends UTF-8 bytes without strings via the column builder', () => {
    const schema = Schema.of([{ name: 'id', type: 'int32' }, { name: 'name', type: 'string' }]);
    const builder = new ChunkBuilder(schema, { capacity: 1 });
    const line = new TextEncoder().encode('1,zürich\n2,oslo\n');
    const name = builder.column('name');
    if (!(name instanceof StringColumnBuilder)) throw new Error('expected a string column builder');
    builder.column(0).append(1);
    name.appendBytes(line, 2, 9);
    builder.column(0).append(2);
    name.appendBytes(line, 12, 16);
    builder.column('id').appendNull();
    name.appendNull();
    const chunk = builder.finish();
    expect(Array.from(chunk.rows(), (r) => r.toObject())).toEqual([{ id: 1, name: 'zürich' }, { id: 2, name: 'oslo' }, { id: null, name: null }]);
  });

  it('grows geometrically from a tiny capacity and packs one aligned buffer', () => {
    const builder = new ChunkBuilder(all, { capacity: 1 });
    const n = 5000;
    for (let i = 0; i < n; i++) builder.appendRow([i % 3 === 0 ? null : i, BigInt(i) * 3n, i / 2, i % 2 === 0, `v${i}`, i]);
    expect(builder.length).toBe(n);
    const chunk = builder.finish();
    expect(builder.length).toBe(0);
    expect(chunk.length).toBe(n);
    expect(chunk.row(4999).toArray()).toEqual([4999, 14997, 2499.5, false, 'v4999', 4999]);
    expect(chunk.column('i').nullCount).toBe(1667);
    expect(chunk.column('l').validity).toBeNull(); // no nulls, no bitmap
    for (const column of chunk.columns) {
      const views = column.type === 'string' ? [column.offsets, column.bytes] : [column.values];
      for (const view of views) {
        expect(view.buffer).toBe(chunk.buffer);
        expect(view.byteOffset % 8).toBe(0);
      }
    }
    // the builder is reusable after finish
    builder.appendRecord({ i: 1, s: 'x' });
    expect(builder.finish().row(0).toObject()).toEqual({ i: 1, l: null, f: null, b: null, s: 'x', t: null });
  });

  it('appends whole columns from another chunk and from typed arrays', () => {
    const source = chunkFromRows(all, [[1, 2, 3.5, true, 'a', 4], [null, null, null, null, null, null], [7, 2n ** 60n, -0, false, '😀', 9]]);
    const builder = new ChunkBuilder(all);
    builder.appendRow([0, 0, 0, false, 'first', 0]);
    builder.appendColumns(source.columns);
    builder.appendColumns([Int32Array.of(5), BigInt64Array.of(6n), Float64Array.of(7), [true], ['typed'], BigInt64Array.of(8n)]);
    const chunk = builder.finish();
    const rows = Array.from(chunk.rows(), (r) => r.toArray());
    expect(rows).toEqual([[0, 0, 0, false, 'first', 0], ...[0, 1, 2].map((i) => source.row(i).toArray()), [5, 6, 7, true, 'typed', 8]]);
  });
});

describe('ChunkBuilder errors', () => {
  it.each([
    ['i', 1.5, 'expected an integer in int32 range, found 1.5'],
    ['i', 2 ** 31, 'expected an integer in int32 range, found 2147483648'],
    ['i', '12', 'expected an integer in int32 range, found "12"'],
    ['l', 2 ** 60, 'expected a safe integer (|v| <= 2^53 - 1) or a bigint in int64 range, found 1152921504606847000'],
    ['l', 2n ** 63n, 'expected a bigint in int64 range [-2^63, 2^63 - 1], found 9223372036854775808n'],
    ['f', 1n, 'expected a number, found 1n'],
    ['b', 1, 'expected true or false, found 1'],
    ['s', 42, 'expected a string, found 42'],
    ['t', new Date(Number.NaN), 'expected a valid Date, found Date(invalid)'],
    ['t', '2024-01-01', 'expected a safe integer, bigint or Date (ms since the epoch), found "2024-01-01"'],
  ])('rejects a wrong value for %s: %s', (name, value, message) => {
    const builder = new ChunkBuilder(all);
    builder.appendRow([1, 1, 1, true, 'x', 1]);
    const row: unknown[] = [1, 1, 1, true, 'x', 1];
    row[all.fieldIndex(name)] = value;
    const error = thrown(() => builder.appendRow(row));
    expect(error.code).toBe('FE_CHUNK_TYPE_MISMATCH');
    const index = all.fieldIndex(name);
    expect(error.message).toBe(`field "${name}" (fields[${index}], ${all.fields[index]!.type}), row 1: ${message}`);
    // the failed row was rolled back in every column
    expect(builder.length).toBe(1);
    builder.appendRow([2, 2, 2, false, 'y', 2]);
    expect(builder.finish().row(1).toArray()).toEqual([2, 2, 2, false, 'y', 2]);
  });

  it('rolls back the null count of a row that fails in a later column', () => {
    const builder = new ChunkBuilder(all);
    expect(thrown(() => builder.appendRow([null, null, 1, true, 42, 1])).code).toBe('FE_CHUNK_TYPE_MISMATCH');
    builder.appendRow([1, 1, 1, true, 'x', 1]);
    const chunk = builder.finish();
    expect(chunk.columns.map((column) => column.nullCount)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(chunk.column('i').validity).toBeNull();
    expect(chunk.row(0).toArray()).toEqual([1, 1, 1, true, 'x', 1]);
  });

  it('rejects null in a non-nullable field, by value and by column', () => {
    const schema = Schema.of([{ name: 'a', type: 'int32' }, { name: 'id', type: 'int64', nullable: false }]);
    const builder = new ChunkBuilder(schema);
    const error = thrown(() => builder.appendRecord({ a: 1 }));
    expect(error.code).toBe('FE_CHUNK_NULL_IN_NON_NULLABLE');
    expect(error.message).toBe('field "id" (fields[1], int64), row 0: expected a value of type int64 (the field is nullable: false), found null');
    expect(builder.length).toBe(0);
    const nullable = chunkFromRows(Schema.of([{ name: 'a', type: 'int32' }, { name: 'id', type: 'int64' }]), [[1, null]]);
    const columnError = thrown(() => builder.appendColumns([Int32Array.of(1), nullable.column(1)]));
    expect(columnError.code).toBe('FE_CHUNK_NULL_IN_NON_NULLABLE');
    expect(columnError.message).toMatch(/expected a column without nulls \(the field is nullable: false\), found 1 null/);
    expect(builder.length).toBe(0);
  });

  it('rejects rows and columns of the wrong length', () => {
    const builder = new ChunkBuilder(all);
    expect(thrown(() => builder.appendRow([1, 2])).message).toBe('row 0: expected 6 values (i, l, f, b, s, t), found 2');
    const error = thrown(() => builder.appendColumns([Int32Array.of(1, 2), BigInt64Array.of(1n), [], [], [], []]));
    expect(error.code).toBe('FE_CHUNK_LENGTH_MISMATCH');
    expect(error.message).toMatch(/expected every column to hold 2 values \(as "i"\), found 1 in "l"/);
    expect(builder.length).toBe(0);
    builder.column(0).append(1);
    expect(thrown(() => builder.finish()).code).toBe('FE_CHUNK_LENGTH_MISMATCH');
  });

  it('rejects a column of another type', () => {
    const strings = chunkFromRows(Schema.of([{ name: 's', type: 'string' }]), [['x']]);
    const builder = new ChunkBuilder(Schema.of([{ name: 'n', type: 'int32' }]));
    const error = thrown(() => builder.appendColumns(strings.columns));
    expect(error.code).toBe('FE_CHUNK_TYPE_MISMATCH');
    expect(error.message).toBe('field "n" (fields[0], int32), row 0: expected a column of type int32, found "string column"');
    expect(thrown(() => builder.appendColumns([Float64Array.of(1)])).message).toMatch(/expected an Int32Array of values, found an object \(Float64Array\)/);
    const wide = new ChunkBuilder(Schema.of([{ name: 'f', type: 'float64' }, { name: 'l', type: 'int64' }]));
    expect(thrown(() => wide.appendColumns([Int32Array.of(1), BigInt64Array.of(1n)])).message).toMatch(/"f" .*expected a Float64Array of values, found an object \(Int32Array\)/);
    expect(thrown(() => wide.appendColumns([Float64Array.of(1), Float64Array.of(1)])).message).toMatch(/"l" .*expected a BigInt64Array of values, found an object \(Float64Array\)/);
    expect(wide.length).toBe(0);
    const tooLong = thrown(() => builder.appendColumns([{ values: Int32Array.of(1, 2), length: 3 }]));
    expect(tooLong.code).toBe('FE_CHUNK_LENGTH_MISMATCH');
    expect(tooLong.message).toBe('field "n" (fields[0], int32), row 0: expected a column length within its buffers (2 values), found 3');
    expect(builder.length).toBe(0);
  });

  it('rejects out-of-range rows and columns', () => {
    const chunk = chunkFromRows(all, [[1, 1, 1, true, 'x', 1]]);
    expect(thrown(() => chunk.row(1)).message).toBe('row 1: expected an index in [0, 1), found 1');
    expect(thrown(() => chunk.column(9)).code).toBe('FE_CHUNK_OUT_OF_RANGE');
    expect(thrown(() => chunk.column('nope')).code).toBe('FE_SCHEMA_UNKNOWN_FIELD');
    expect(thrown(() => new ArrayRowPool({ initialSize: 0, maxSize: 1 }).acquire().get(0)).code).toBe('FE_CHUNK_OUT_OF_RANGE');
  });
});

describe('ArrayRow', () => {
  it('is a reusable view', () => {
    const chunk = chunkFromRows(all, [[1, 1, 1.5, true, 'a', 1], [2, null, 2.5, false, 'b', 2]]);
    const row = chunk.row(0);
    expect(row.get('f')).toBe(1.5);
    expect(chunk.row(1, row)).toBe(row);
    expect([row.index, row.get('s'), row.get(4), row.isNull('l'), row.get('l')]).toEqual([1, 'b', 'b', true, null]);
    const seen = [...chunk.rows()];
    expect(seen[0]).toBe(seen[1]); // one view moves along
  });
});

describe('encodeChunk / decodeChunk', () => {
  /** A copy of `layout` with `delta` added at `index` (columns × [nullCount, validity, offsets, data, dataBytes]). */
  const patched = (layout: Int32Array, index: number, delta: number): Int32Array => {
    const copy = layout.slice();
    copy[index] = (copy[index] as number) + delta;
    return copy;
  };
  const chunk = (): ReturnType<typeof chunkFromRows> => chunkFromRows(all, [[1, 2, 3, true, 'four', 5], [null, null, null, null, null, null]]);

  it('decodes over the same buffer, without copying', () => {
    const original = chunk();
    const { message, transfer } = encodeChunk(original);
    expect(transfer).toEqual([original.buffer]);
    const decoded = decodeChunk(message);
    expect(decoded.buffer).toBe(original.buffer);
    expect(decoded.row(0).toArray()).toEqual(original.row(0).toArray());
    expect(decoded.row(1).toArray()).toEqual([null, null, null, null, null, null]);
  });

  it('refuses to encode a chunk of 2 GiB or more, whose offsets an Int32Array layout cannot hold', () => {
    // Never touched, so the buffer costs address space, not memory.
    const rows = 2 ** 29 + 2;
    const huge = new Chunk(Schema.of([{ name: 'x', type: 'int32', nullable: false }]), rows, new ArrayBuffer(rows * 4), rows * 4,
      [{ nullCount: 0, validity: -1, offsets: -1, data: 0, dataBytes: rows * 4 }]);
    const error = thrown(() => encodeChunk(huge));
    expect(error.code).toBe('FE_CHUNK_INVALID_BUFFER');
    expect(error.message).toContain('expected a chunk below 2 GiB, found 2147483656 bytes');
  });

  it.each([
    ['a truncated buffer', (m: EncodedChunk) => ({ ...m, buffer: m.buffer.slice(0, 16) }), /expected a buffer of at least \d+ bytes, found 16/],
    ['another layout version', (m: EncodedChunk) => ({ ...m, version: 1 }), /expected layout version 2, found 1/],
    ['a foreign buffer', (m: EncodedChunk) => ({ ...m, buffer: new Uint8Array(8) }), /expected an ArrayBuffer, found \[object Uint8Array\]/],
    ['a wrong fingerprint', (m: EncodedChunk) => ({ ...m, fingerprint: '0000000000000000' }), /expected schema fingerprint [0-9a-f]{16}, found 0000000000000000/],
    ['a schema that is not JSON', (m: EncodedChunk) => ({ ...m, fingerprint: 'ffffffffffffffff', schema: '{"fields": [' }), /expected the schema as JSON text, found "\{\\"fields\\": \["/],
    ['a layout that is not an Int32Array', (m: EncodedChunk) => ({ ...m, layout: Array.from(m.layout) }), /expected integer length and byteLength and an Int32Array layout/],
    ['a layout for another column count', (m: EncodedChunk) => ({ ...m, layout: m.layout.subarray(5) }), /expected 6 column layouts, found 5/],
    ['a layout cut inside a column', (m: EncodedChunk) => ({ ...m, layout: m.layout.subarray(3) }), /expected 5 layout numbers a column, found 27 in all/],
    ['a misaligned column', (m: EncodedChunk) => ({ ...m, layout: patched(m.layout, 2 * 5 + 3, 4) }), /column 2 "f" \(float64\): expected data at an 8-aligned offset/],
    ['broken string offsets', (m: EncodedChunk) => ({ ...m, layout: patched(m.layout, 4 * 5 + 4, 1) }), /column 4 "s" \(string\)/],
  ])('refuses %s with FE_CHUNK_INVALID_BUFFER', (_, corrupt, message) => {
    const { message: good } = encodeChunk(chunk());
    const error = thrown(() => decodeChunk(corrupt(good) as EncodedChunk));
    expect(error.code).toBe('FE_CHUNK_INVALID_BUFFER');
    expect(error.message).toMatch(message);
  });
});

describe('pools', () => {
  it('recycles chunk buffers through a BufferPool', () => {
    const pool = new BufferPool({ maxPerClass: 2 });
    const builder = new ChunkBuilder(all, { pool, capacity: 100 });
    builder.appendRow([1, 2, 3, true, 'x', 4]);
    const first = builder.finish();
    const buffer = first.buffer;
    expect(buffer.byteLength).toBeGreaterThanOrEqual(first.byteLength);
    first.release();
    first.release(); // idempotent
    expect(first.released).toBe(true);
    expect(() => encodeChunk(first)).toThrow(/already released/);
    builder.appendRow([5, 6, 7, false, 'y', 8]);
    const second = builder.finish();
    expect(second.buffer).toBe(buffer);
    expect(second.row(0).toArray()).toEqual([5, 6, 7, false, 'y', 8]);
    expect(pool.stats().hits).toBeGreaterThan(0);
  });

  it('keeps a buffer released twice only once', () => {
    const pool = new BufferPool({ maxPerClass: 4 });
    const a = pool.acquire(1000);
    pool.release(a);
    pool.release(a);
    expect(pool.stats()).toMatchObject({ idleBuffers: 1, idleBytes: 1024 });
    expect(pool.acquire(1000)).toBe(a);
    expect(pool.acquire(1000)).not.toBe(a); // never handed out to two owners
  });

  it('bounds what a BufferPool keeps and ignores foreign or detached buffers', () => {
    const pool = new BufferPool({ maxPerClass: 1, maxBytes: 4096 });
    const a = pool.acquire(1000);
    expect(a.byteLength).toBe(1024);
    pool.release(a);
    pool.release(a); // the same buffer twice is kept once
    pool.release(pool.acquire(1000) === a ? new ArrayBuffer(1024) : a);
    expect(pool.stats().idleBuffers).toBe(1);
    pool.release(new ArrayBuffer(1000)); // not a size class
    const detached = new ArrayBuffer(2048);
    structuredClone(detached, { transfer: [detached] });
    pool.release(detached);
    pool.release(new ArrayBuffer(8192)); // over maxBytes
    expect(pool.stats()).toMatchObject({ idleBuffers: 1, idleBytes: 1024 });
  });

  it('a pooled builder leaves no bytes of an earlier chunk in the padding after any region (validity, offsets, data)', () => {
    const build = (pool?: BufferPool) => {
      const builder = new ChunkBuilder(all, { pool });
      // 4 rows with nulls: 1 validity byte, 20 offset bytes and odd data sizes, each padded to 8.
      for (let i = 0; i < 4; i++) builder.appendRow(i === 2 ? [null, null, null, null, null, null] : [i, BigInt(i), i / 2, i % 2 === 0, 'é'.repeat(i), BigInt(i)]);
      return builder.finish();
    };
    const fresh = build();
    // Dirty buffers of every size class the builder's arrays and the chunk may take, more than they need.
    const pool = new BufferPool({ maxPerClass: 64 });
    for (let n = 0; n < 40; n++) for (const size of [256, 512, 1024]) pool.release(new Uint8Array(size).fill(0xab).buffer);
    const pooled = build(pool);
    expect(pool.stats().hits).toBeGreaterThan(0);
    expect(Array.from(new Uint8Array(pooled.buffer, 0, pooled.byteLength))).toEqual(Array.from(new Uint8Array(fresh.buffer, 0, fresh.byteLength)));
  });

  it('copy() keeps the rows in a buffer of its own, readable after the original is released and its buffer reused', () => {
    const pool = new BufferPool();
    const builder = new ChunkBuilder(all, { pool });
    builder.appendRow([1, 2n, 1.5, true, 'é', 3n]);
    builder.appendRow([null, null, null, null, null, null]);
    const original = builder.finish();
    const copy = original.copy();
    expect(copy.buffer).not.toBe(original.buffer);
    expect(copy.buffer.byteLength).toBe(original.byteLength);
    const rows = (chunk: Chunk) => Array.from(chunk.rows(), (row) => row.toObject());
    const expected = rows(original);
    original.release();
    new Uint8Array(pool.acquire(original.byteLength)).fill(0xff); // the released buffer, reused
    expect(rows(copy)).toEqual(expected);
    copy.release(); // from no pool: nothing goes back
    expect(pool.stats().idleBuffers).toBe(0);
  });

  it('bounds the thread pool tightly: 4 buffers a size class, 8 MiB in all (idle buffers count against memoryLimitMB)', () => {
    threadBufferPool.clear();
    for (let i = 0; i < 8; i++) threadBufferPool.release(new ArrayBuffer(1024));
    expect(threadBufferPool.stats()).toMatchObject({ idleBuffers: 4, idleBytes: 4096 });
    threadBufferPool.clear();
    for (let i = 0; i < 4; i++) threadBufferPool.release(new ArrayBuffer(4 * 1024 * 1024));
    expect(threadBufferPool.stats()).toMatchObject({ idleBuffers: 2, idleBytes: 8 * 1024 * 1024 });
    threadBufferPool.clear();
  });

  it('sizes builder and row pools by initialSize / maxSize', () => {
    const builders = new ChunkBuilderPool(all, { initialSize: 2, maxSize: 3 });
    expect(builders.idle).toBe(2);
    const taken = [builders.acquire(), builders.acquire(), builders.acquire(), builders.acquire()];
    taken[0]!.appendRow([1, 1, 1, true, 'x', 1]);
    for (const b of taken) builders.release(b);
    expect(builders.idle).toBe(3);
    expect(builders.acquire().length).toBe(0); // released builders come back empty

    const rows = new ArrayRowPool({ initialSize: 1, maxSize: 1 });
    const chunk = chunkFromRows(all, [[1, 1, 1, true, 'x', 1]]);
    const row = chunk.row(0, rows.acquire());
    rows.release(row);
    expect(row.chunk).toBeUndefined();
    const error = thrown(() => new ArrayRowPool({ initialSize: 5, maxSize: 2 }));
    expect(error.code).toBe('FE_CHUNK_POOL_INVALID');
    expect(error.message).toMatch(/expected integers 0 <= initialSize <= maxSize, found initialSize 5 and maxSize 2/);
  });
});
