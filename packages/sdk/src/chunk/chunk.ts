import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Schema } from '../schema/schema.js';
import { ArrayRow } from './array-row.js';
import type { BufferPool } from './buffer-pool.js';
import type { Column } from './columns.js';
import { viewColumns } from './layout.js';
import type { ColumnLayout } from './layout.js';

/**
 * An immutable batch of rows stored column by column in Arrow's memory layout. All columns live in
 * ONE ArrayBuffer ({@link Chunk.buffer}) so a chunk crosses a worker boundary as a single transfer
 * (see `encodeChunk`). Columnar access (`chunk.column('amount').values`) is the fast path;
 * {@link Chunk.row} gives a reusable row view for code that thinks in rows.
 */
export class Chunk {
  readonly schema: Schema;
  readonly length: number;
  readonly columns: readonly Column[];
  /** The one buffer behind every column. May be larger than {@link Chunk.byteLength} when pooled. */
  readonly buffer: ArrayBuffer;
  /** Bytes of {@link Chunk.buffer} the columns use. */
  readonly byteLength: number;
  /** Where each column's buffers sit in {@link Chunk.buffer}; what `encodeChunk` sends. */
  readonly layout: readonly ColumnLayout[];
  #pool: BufferPool | undefined;
  #released = false;

  /** Wraps column regions of `buffer`; normally called by ChunkBuilder.finish and decodeChunk. */
  constructor(schema: Schema, length: number, buffer: ArrayBuffer, byteLength: number, layout: readonly ColumnLayout[], pool?: BufferPool) {
    this.schema = schema;
    this.length = length;
    this.buffer = buffer;
    this.byteLength = byteLength;
    this.layout = Object.freeze(layout);
    this.columns = Object.freeze(viewColumns(schema, length, buffer, byteLength, layout));
    this.#pool = pool;
  }

  /** The column at a position or with a name (FE_SCHEMA_UNKNOWN_FIELD / FE_CHUNK_OUT_OF_RANGE otherwise). */
  column(nameOrIndex: string | number): Column {
    if (typeof nameOrIndex === 'string') return this.columns[this.schema.fieldIndex(nameOrIndex)] as Column;
    const column = this.columns[nameOrIndex];
    if (column === undefined) {
      throw new FlowEngineError('FE_CHUNK_OUT_OF_RANGE', `column ${nameOrIndex}: expected an index in [0, ${this.columns.length}), found ${nameOrIndex}`,
        { details: { index: nameOrIndex, columns: this.columns.length } });
    }
    return column;
  }

  /** A view of row `index`; pass `reuse` to point an existing view at it instead of allocating. */
  row(index: number, reuse?: ArrayRow): ArrayRow {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new FlowEngineError('FE_CHUNK_OUT_OF_RANGE', `row ${index}: expected an index in [0, ${this.length}), found ${index}`,
        { details: { index, length: this.length } });
    }
    return (reuse ?? new ArrayRow()).moveTo(this, index);
  }

  /** Iterates the rows with ONE view that moves along: copy with `toObject()` to keep a row. */
  *rows(): IterableIterator<ArrayRow> {
    const view = new ArrayRow();
    for (let i = 0; i < this.length; i++) yield view.moveTo(this, i);
  }

  /**
   * The same rows in a buffer of their own (exactly {@link Chunk.byteLength} bytes, from no pool):
   * for a second consumer, or to keep what a consumer may release or a transfer may detach.
   */
  copy(): Chunk {
    return new Chunk(this.schema, this.length, this.buffer.slice(0, this.byteLength), this.byteLength, this.layout);
  }

  /** Whether {@link Chunk.release} was called. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Returns the buffer to the pool it came from (if any) once the consumer is done. After this,
   * neither the chunk nor any view taken from it may be read. Calling it twice is harmless.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#pool?.release(this.buffer);
    this.#pool = undefined;
  }
}
