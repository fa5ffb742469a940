import { Chunk } from '@flowengine/sdk';

/** A chunk with its own buffer: needed when one chunk goes to several consumers (fan-out). */
export function copyChunk(chunk: Chunk): Chunk {
  return new Chunk(chunk.schema, chunk.length, chunk.buffer.slice(0, chunk.byteLength), chunk.byteLength, chunk.layout);
}
