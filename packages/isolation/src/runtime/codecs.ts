import { decodeChunk, encodeChunk, threadBufferPool } from '@flowengine/sdk';
import type { Chunk, EncodedChunk } from '@flowengine/sdk';
import type { ChunkCodec } from './protocol.js';

/** Workers and child processes: a chunk travels as its encoded message, its one buffer transferred. */
export const transferCodec: ChunkCodec<EncodedChunk> = {
  encode(chunk) {
    const { message, transfer } = encodeChunk(chunk);
    return { wire: message, transfer };
  },
  // A transferred buffer belongs to this thread now: whoever consumes the chunk may release it
  // into this thread's pool, where the next chunk built here can take it.
  decode: (wire) => decodeChunk(wire, { pool: threadBufferPool }),
  copy(wire) {
    // The bytes the columns use: a pooled buffer may be up to twice as long.
    const buffer = wire.buffer.slice(0, wire.byteLength);
    return { wire: { ...wire, buffer }, transfer: [buffer] };
  },
};

/** Inline mode: the Chunk object itself is passed, nothing is encoded or copied. */
export const inlineCodec: ChunkCodec<Chunk> = {
  encode: (chunk) => ({ wire: chunk, transfer: [] }),
  decode: (wire) => wire,
  // What a restart may send again must be a chunk of its own, as in the other modes: nothing is
  // transferred inline, but the plugin may release the chunk it was given, and its buffer then
  // serves the next chunk built on this thread.
  copy: (wire) => ({ wire: wire.copy(), transfer: [] }),
};
