import type { Chunk } from '@flowengine/sdk';
import type { CompiledExpression } from './compile.js';
import { gatherChunk } from './gather.js';

/**
 * The rows of `chunk` for which `predicate` is true, as a new chunk of the same schema. Values are
 * copied as typed-array elements and UTF-8 bytes; a chunk where every row passes is returned as is.
 *
 * @example
 * const paid = filterChunk(chunk, compileExpression("status = 'paid'", chunk.schema, { predicate: true }));
 */
export function filterChunk(chunk: Chunk, predicate: CompiledExpression): Chunk {
  const rows = predicate.select(chunk);
  if (rows.length === chunk.length) return chunk;
  return gatherChunk(chunk.schema, rows.length, chunk.columns.map((column) => ({ column, rows })));
}
