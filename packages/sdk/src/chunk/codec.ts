import { Schema } from '../schema/schema.js';
import type { SchemaDefinition } from '../schema/schema.js';
import type { BufferPool } from './buffer-pool.js';
import { Chunk } from './chunk.js';
import { invalidBuffer } from './layout.js';
import type { ColumnLayout } from './layout.js';

/** Layout version of {@link EncodedChunk}; a decoder refuses any other. */
export const CHUNK_FORMAT_VERSION = 1;

/**
 * A chunk as plain, structured-cloneable data: the schema, where each column sits, and the one
 * buffer. Post it with `transfer` as the transfer list and no column byte is copied.
 */
export interface EncodedChunk {
  readonly version: typeof CHUNK_FORMAT_VERSION;
  readonly schema: SchemaDefinition;
  readonly fingerprint: string;
  readonly length: number;
  readonly byteLength: number;
  readonly columns: readonly ColumnLayout[];
  readonly buffer: ArrayBuffer;
}

const definitions = new WeakMap<Schema, SchemaDefinition>();

/**
 * Turns a chunk into a message plus transfer list. After `postMessage(message, transfer)` the
 * chunk's buffer is detached on this side: the chunk must not be read again here.
 *
 * @example
 * const { message, transfer } = encodeChunk(chunk);
 * worker.postMessage(message, transfer);
 */
export function encodeChunk(chunk: Chunk): { message: EncodedChunk; transfer: ArrayBuffer[] } {
  if (chunk.released) throw invalidBuffer('expected a live chunk, found one already released to its pool');
  if (chunk.buffer.byteLength === 0 || chunk.buffer.byteLength < chunk.byteLength) throw invalidBuffer(`expected ${chunk.byteLength} bytes, found ${chunk.buffer.byteLength} (detached: already transferred?)`);
  let schema = definitions.get(chunk.schema);
  if (schema === undefined) definitions.set(chunk.schema, (schema = chunk.schema.toDefinition()));
  const message: EncodedChunk = {
    version: CHUNK_FORMAT_VERSION,
    schema,
    fingerprint: chunk.schema.fingerprint,
    length: chunk.length,
    byteLength: chunk.byteLength,
    columns: chunk.layout,
    buffer: chunk.buffer,
  };
  return { message, transfer: [chunk.buffer] };
}

/** Schemas seen by fingerprint, so a stream of chunks parses its schema once per thread. */
const schemas = new Map<string, Schema>();
const SCHEMA_CACHE_LIMIT = 256;

/**
 * Rebuilds a chunk from an {@link EncodedChunk} with views over the received buffer (no copy).
 * Pass the receiving thread's `pool` so `chunk.release()` recycles the buffer there.
 * Throws FE_CHUNK_INVALID_BUFFER for a detached, truncated or foreign message.
 */
export function decodeChunk(message: EncodedChunk, options: { pool?: BufferPool } = {}): Chunk {
  if (typeof message !== 'object' || message === null) throw invalidBuffer(`expected an encoded chunk object, found ${String(message)}`);
  if (message.version !== CHUNK_FORMAT_VERSION) {
    throw invalidBuffer(`expected layout version ${CHUNK_FORMAT_VERSION}, found ${String(message.version)}`);
  }
  if (Object.prototype.toString.call(message.buffer) !== '[object ArrayBuffer]') {
    throw invalidBuffer(`expected an ArrayBuffer, found ${Object.prototype.toString.call(message.buffer)}`);
  }
  if (!Number.isInteger(message.length) || message.length < 0 || !Number.isInteger(message.byteLength) || !Array.isArray(message.columns)) {
    throw invalidBuffer('expected integer length and byteLength and a columns list');
  }
  return new Chunk(schemaOf(message), message.length, message.buffer, message.byteLength, message.columns, options.pool);
}

function schemaOf(message: EncodedChunk): Schema {
  const cached = schemas.get(message.fingerprint);
  if (cached !== undefined) return cached;
  const schema = Schema.fromDefinition(message.schema, 'encoded chunk schema');
  if (schema.fingerprint !== message.fingerprint) {
    throw invalidBuffer(`expected schema fingerprint ${schema.fingerprint}, found ${String(message.fingerprint)}`);
  }
  if (schemas.size >= SCHEMA_CACHE_LIMIT) schemas.clear();
  schemas.set(schema.fingerprint, schema);
  return schema;
}
