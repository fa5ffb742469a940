import { BufferPool, ChunkBuilder, Schema, type Chunk } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { inlineCodec, transferCodec } from './codecs.js';

const schema = Schema.of([{ name: 'n', type: 'int32' }, { name: 's', type: 'string' }]);
const rows = (chunk: Chunk) => Array.from(chunk.rows(), (row) => row.toObject());

/** A chunk in a pooled buffer: a size class, longer than the bytes its columns use. */
function pooledChunk(): Chunk {
  const builder = new ChunkBuilder(schema, { pool: new BufferPool() });
  for (let i = 0; i < 3; i++) builder.appendRow([i, `v${i}`]);
  return builder.finish();
}

describe('codec copies (what a restart may send again)', () => {
  it('worker/process: a copy of the bytes the columns use, not of the whole pooled buffer', () => {
    const chunk = pooledChunk();
    expect(chunk.buffer.byteLength).toBeGreaterThan(chunk.byteLength);
    const expected = rows(chunk);
    const { wire } = transferCodec.encode(chunk);
    const { wire: copy, transfer } = transferCodec.copy(wire);
    expect(copy.buffer.byteLength).toBe(chunk.byteLength);
    expect(transfer).toEqual([copy.buffer]);
    expect(rows(transferCodec.decode(copy))).toEqual(expected);
  });

  it('inline: a chunk of its own, still readable after the original is released', () => {
    const chunk = pooledChunk();
    const expected = rows(chunk);
    const { wire: copy } = inlineCodec.copy(chunk);
    chunk.release();
    expect(copy).not.toBe(chunk);
    expect(rows(copy)).toEqual(expected);
  });
});
