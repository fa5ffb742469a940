import { Schema } from '../schema/schema.js';
import type { BufferPool } from './buffer-pool.js';
import { Chunk } from './chunk.js';
import { invalidBuffer } from './layout.js';
import type { ColumnLayout } from './layout.js';

/** Layout version of {@link EncodedChunk}; a decoder refuses any other. */
export const CHUNK_FORMAT_VERSION = 2;

/** Numbers per column in {@link EncodedChunk.layout}: nullCount, validity, offsets, data, dataBytes. */
const LAYOUT_FIELDS = 5;

/**
 * A chunk as plain, structured-cloneable data: the schema, where each column sits, and the one
 * buffer. Post it with `transfer` as the transfer list and no column byte is copied.
 *
 * It is kept flat on purpose: a message crosses threads once per chunk and stage, and structured
 * clone pays per object and per property name. Version 1 sent the schema and the layout as
 * object trees (about 50 names to copy and intern per message); one JSON string and one
 * Int32Array cost a quarter of that.
 */
export interface EncodedChunk {
  readonly version: typeof CHUNK_FORMAT_VERSION;
  /** The schema's definition as JSON: parsed only by a thread that has not met its fingerprint. */
  readonly schema: string;
  readonly fingerprint: string;
  readonly length: number;
  readonly byteLength: number;
  /** Per column, {@link ColumnLayout}'s five numbers in order: nullCount, validity, offsets, data, dataBytes. */
  readonly layout: Int32Array;
  readonly buffer: ArrayBuffer;
}

const definitions = new WeakMap<Schema, string>();

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
  // Every layout number is a byte offset or count inside the buffer: int32 holds them below 2 GiB.
  if (chunk.byteLength > 0x7fffffff) throw invalidBuffer(`expected a chunk below 2 GiB, found ${chunk.byteLength} bytes`);
  let schema = definitions.get(chunk.schema);
  if (schema === undefined) definitions.set(chunk.schema, (schema = JSON.stringify(chunk.schema.toDefinition())));
  const columns = chunk.layout;
  const layout = new Int32Array(columns.length * LAYOUT_FIELDS);
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c] as ColumnLayout;
    const at = c * LAYOUT_FIELDS;
    layout[at] = column.nullCount;
    layout[at + 1] = column.validity;
    layout[at + 2] = column.offsets;
    layout[at + 3] = column.data;
    layout[at + 4] = column.dataBytes;
  }
  const message: EncodedChunk = {
    version: CHUNK_FORMAT_VERSION,
    schema,
    fingerprint: chunk.schema.fingerprint,
    length: chunk.length,
    byteLength: chunk.byteLength,
    layout,
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
  if (!Number.isInteger(message.length) || message.length < 0 || !Number.isInteger(message.byteLength) || !(message.layout instanceof Int32Array)) {
    throw invalidBuffer('expected integer length and byteLength and an Int32Array layout');
  }
  const schema = schemaOf(message);
  const { layout } = message;
  // Whole columns only; how many must match the schema is the Chunk's own check (viewColumns).
  if (layout.length % LAYOUT_FIELDS !== 0) throw invalidBuffer(`expected ${LAYOUT_FIELDS} layout numbers a column, found ${layout.length} in all`);
  const columns: ColumnLayout[] = [];
  for (let at = 0; at < layout.length; at += LAYOUT_FIELDS) {
    columns.push({ nullCount: layout[at] as number, validity: layout[at + 1] as number, offsets: layout[at + 2] as number, data: layout[at + 3] as number, dataBytes: layout[at + 4] as number });
  }
  return new Chunk(schema, message.length, message.buffer, message.byteLength, columns, options.pool);
}

function schemaOf(message: EncodedChunk): Schema {
  const cached = schemas.get(message.fingerprint);
  if (cached !== undefined) return cached;
  let definition: unknown;
  try {
    definition = JSON.parse(String(message.schema));
  } catch {
    throw invalidBuffer(`expected the schema as JSON text, found ${JSON.stringify(String(message.schema).slice(0, 40))}`);
  }
  const schema = Schema.fromDefinition(definition, 'encoded chunk schema');
  if (schema.fingerprint !== message.fingerprint) {
    throw invalidBuffer(`expected schema fingerprint ${schema.fingerprint}, found ${String(message.fingerprint)}`);
  }
  if (schemas.size >= SCHEMA_CACHE_LIMIT) schemas.clear();
  schemas.set(schema.fingerprint, schema);
  return schema;
}
