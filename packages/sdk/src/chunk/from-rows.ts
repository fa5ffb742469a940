import type { Schema } from '../schema/schema.js';
import type { Chunk } from './chunk.js';
import { ChunkBuilder } from './chunk-builder.js';

/**
 * Builds a chunk from rows given as value arrays (schema order) or records (by field name).
 * Meant for tests and examples; hot paths use a long-lived {@link ChunkBuilder}.
 *
 * @example
 * const chunk = chunkFromRows(schema, [{ id: 1, amount: 2.5 }, [2, null]]);
 */
export function chunkFromRows(schema: Schema, rows: ReadonlyArray<Readonly<Record<string, unknown>> | readonly unknown[]>): Chunk {
  const builder = new ChunkBuilder(schema, { capacity: Math.max(rows.length, 1) });
  for (const row of rows) {
    if (Array.isArray(row)) builder.appendRow(row);
    else builder.appendRecord(row as Readonly<Record<string, unknown>>);
  }
  return builder.finish();
}
