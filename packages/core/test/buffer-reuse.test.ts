// The built-ins recycle chunk buffers through this thread's pool (threadBufferPool): filter and
// select draw their output from it and release their input to it, generate draws from it. A
// recycled buffer still holds an earlier chunk's bytes, so each test here first fills the pool
// with dirty buffers and checks that what comes out is byte for byte what a fresh, zeroed buffer
// gives: the columns AND the padding between them (which travels to other threads and to spill files).
import { ChunkBuilder, Schema, threadBufferPool, type Chunk, type TransformDescriptor } from '@flowengine/sdk';
import { pluginContext, readSource } from '@flowengine/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLUGINS, compileExpression, filterChunk, projectChunk } from '@flowengine/core';

const schema = Schema.of([
  { name: 'id', type: 'int32' }, { name: 'big', type: 'int64', nullable: true }, { name: 'amount', type: 'float64' },
  { name: 'flag', type: 'bool', nullable: true }, { name: 'name', type: 'string', nullable: true },
]);

/** 37 rows (odd lengths leave padding after every region), nulls in three columns, strings of varied length. */
function sample(pool?: typeof threadBufferPool): Chunk {
  const builder = new ChunkBuilder(schema, { capacity: 37, pool });
  for (let i = 0; i < 37; i++) {
    builder.column(0).append(i);
    builder.column(1).append(i % 5 === 0 ? null : BigInt(i) * 1_000_000_007n);
    builder.column(2).append(i / 3);
    builder.column(3).append(i % 7 === 0 ? null : i % 2 === 0);
    builder.column(4).append(i % 4 === 0 ? null : 'é'.repeat(i % 6) + String(i));
  }
  return builder.finish();
}

/** The bytes a chunk's columns use, padding included. */
const bytesOf = (chunk: Chunk) => Array.from(new Uint8Array(chunk.buffer, 0, chunk.byteLength));

/** Fills the pool with buffers of every class a small chunk may take, each full of 0xAB. */
function dirtyPool(): void {
  for (let bits = 8; bits <= 16; bits++) {
    for (let n = 0; n < 4; n++) {
      const buffer = new ArrayBuffer(2 ** bits);
      new Uint8Array(buffer).fill(0xab);
      threadBufferPool.release(buffer);
    }
  }
}

function transformOf(id: string, config: Record<string, unknown>) {
  const descriptor = BUILT_IN_PLUGINS.find((plugin) => plugin.descriptor.id === id)?.descriptor as TransformDescriptor;
  const { ctx } = pluginContext(descriptor, config, { instanceName: id });
  return descriptor.open(ctx, schema) as { transform(chunk: Chunk): Chunk };
}

afterEach(() => threadBufferPool.clear());

describe('chunk buffers recycled through the thread pool', () => {
  it('filter and select write the same bytes into a dirty pooled buffer as into a fresh one', () => {
    const where = compileExpression('id % 3 <> 1', schema, { predicate: true });
    const columns = [{ name: 'name', source: 'name' }, { name: 'flag', source: 'flag' }, { name: 'twice', expr: 'amount * 2' }, { name: 'big', source: 'big' }];
    threadBufferPool.clear();
    const fresh = [filterChunk(sample(), where), projectChunk(sample(), columns)];
    dirtyPool();
    const recycled = [filterChunk(sample(), where), projectChunk(sample(), columns)];
    expect(recycled.map((chunk) => Number.isInteger(Math.log2(chunk.buffer.byteLength)))).toEqual([true, true]); // pool size classes
    expect(threadBufferPool.stats().hits).toBeGreaterThanOrEqual(2);
    expect(recycled.map(bytesOf)).toEqual(fresh.map(bytesOf));
    expect(recycled.map((chunk) => Array.from(chunk.rows(), (row) => row.toObject())))
      .toEqual(fresh.map((chunk) => Array.from(chunk.rows(), (row) => row.toObject())));
  });

  it('select releases its input to the pool, and the next output takes that buffer', () => {
    // Every column: the output needs the input's size class.
    const select = transformOf('select', { columns: ['id', 'big', 'amount', 'flag', 'name'] });
    const input = sample(threadBufferPool);
    const out = select.transform(input);
    expect(input.released).toBe(true);
    expect(out.released).toBe(false);
    const next = select.transform(sample());
    expect(next.buffer).toBe(input.buffer);
  });

  it('filter releases an input it copied from, and not one it returns as is', () => {
    const someRows = transformOf('filter', { where: 'id > 10' });
    const input = sample(threadBufferPool);
    expect(someRows.transform(input).length).toBe(26);
    expect(input.released).toBe(true);

    const everyRow = transformOf('filter', { where: 'id >= 0' });
    const kept = sample(threadBufferPool);
    expect(everyRow.transform(kept)).toBe(kept);
    expect(kept.released).toBe(false);
  });

  it('generate makes the same bytes in recycled buffers as in fresh ones (a bool column is ORed bit by bit)', async () => {
    const generate = BUILT_IN_PLUGINS.find((plugin) => plugin.descriptor.id === 'generate')?.descriptor;
    const config = { count: 300, chunkSize: 37, seed: 4, schema: schema.toDefinition() };
    threadBufferPool.clear();
    const fresh = (await readSource(generate as never, config)).chunks.map(bytesOf);
    dirtyPool();
    const { chunks } = await readSource(generate as never, config);
    expect(threadBufferPool.stats().hits).toBeGreaterThan(0);
    expect(chunks.map(bytesOf)).toEqual(fresh);
  });
});
