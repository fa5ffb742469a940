import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Schema } from '../schema/schema.js';
import type { BufferPool } from './buffer-pool.js';
import { Chunk } from './chunk.js';
import { columnBuilderFor } from './column-builders.js';
import type { ColumnBuilder } from './column-builders.js';
import { ALIGNMENT, align, clearPadding } from './layout.js';
import type { ColumnLayout } from './layout.js';

/** Options of a {@link ChunkBuilder}. */
export interface ChunkBuilderOptions {
  /** Rows to allocate room for up front (default 1024); columns grow geometrically past it. */
  readonly capacity?: number;
  /** Where growth and finished chunks take their buffers from, and where released ones go back. */
  readonly pool?: BufferPool;
}

/**
 * Appends rows or whole columns into growable typed arrays, then packs them into one exactly laid
 * out ArrayBuffer with {@link ChunkBuilder.finish}. After `finish` the builder is empty and keeps
 * its arrays, so a long-lived builder allocates nothing per row in steady state.
 *
 * @example
 * const builder = new ChunkBuilder(schema, { capacity: 10_000 });
 * builder.appendRow([1, 'EUR', 12.5]);
 * builder.appendRecord({ id: 2, currency: 'USD', amount: 3 });
 * const chunk = builder.finish();
 */
export class ChunkBuilder {
  readonly schema: Schema;
  readonly #columns: ColumnBuilder[];
  readonly #pool: BufferPool | undefined;

  constructor(schema: Schema, options: ChunkBuilderOptions = {}) {
    this.schema = schema;
    this.#pool = options.pool;
    const capacity = options.capacity ?? 1024;
    this.#columns = schema.fields.map((field, i) => columnBuilderFor(field, i, this.#pool, capacity));
  }

  /** Rows appended so far (the first column's length; `finish` checks all agree). */
  get length(): number {
    return (this.#columns[0] as ColumnBuilder).length;
  }

  /** The builder of one column, for typed appends (`append`, `appendNull`, `appendBytes`...). */
  column(nameOrIndex: string | number): ColumnBuilder {
    const index = typeof nameOrIndex === 'string' ? this.schema.fieldIndex(nameOrIndex) : nameOrIndex;
    const column = this.#columns[index];
    if (column === undefined) {
      throw new FlowEngineError('FE_CHUNK_OUT_OF_RANGE', `column ${index}: expected an index in [0, ${this.#columns.length}), found ${index}`,
        { details: { index, columns: this.#columns.length } });
    }
    return column;
  }

  /** Appends one row given as values in schema order. A row that fails leaves the builder as it was. */
  appendRow(values: readonly unknown[]): void {
    const columns = this.#columns;
    if (values.length !== columns.length) {
      throw new FlowEngineError('FE_CHUNK_LENGTH_MISMATCH',
        `row ${this.length}: expected ${columns.length} values (${this.schema.fields.map((f) => f.name).join(', ')}), found ${values.length}`,
        { details: { row: this.length, expected: columns.length, found: values.length } });
    }
    let i = 0;
    try {
      for (; i < columns.length; i++) (columns[i] as ColumnBuilder).append(values[i]);
    } catch (error) {
      this.#undo(i);
      throw error;
    }
  }

  /** Appends one row given as an object keyed by field name; missing keys are null, extra keys ignored. */
  appendRecord(record: Readonly<Record<string, unknown>>): void {
    const columns = this.#columns;
    const fields = this.schema.fields;
    let i = 0;
    try {
      for (; i < columns.length; i++) (columns[i] as ColumnBuilder).append(record[(fields[i] as { name: string }).name]);
    } catch (error) {
      this.#undo(i);
      throw error;
    }
  }

  /**
   * Appends whole columns, one per field in schema order: another chunk's columns, ColumnData
   * (`{ values, validity?, length? }` / `{ offsets, bytes, validity? }`), a typed array of the
   * column's kind (Int32Array, BigInt64Array, Float64Array) or a plain array of values.
   */
  appendColumns(columns: readonly unknown[]): void {
    const builders = this.#columns;
    if (columns.length !== builders.length) {
      throw new FlowEngineError('FE_CHUNK_LENGTH_MISMATCH', `appendColumns: expected ${builders.length} columns, found ${columns.length}`,
        { details: { expected: builders.length, found: columns.length } });
    }
    const start = this.length;
    let i = 0;
    try {
      for (; i < builders.length; i++) (builders[i] as ColumnBuilder).appendColumn(columns[i]);
      this.#checkLengths('appendColumns');
    } catch (error) {
      for (const builder of builders) builder.truncate(start);
      throw error;
    }
  }

  /**
   * Packs every column into ONE ArrayBuffer (8-byte aligned regions, exact sizes; from the pool if
   * there is one) and returns it as a chunk. The builder is then empty and ready for the next chunk.
   */
  finish(): Chunk {
    this.#checkLengths('finish');
    const length = this.length;
    // One pass places every region (the layout the chunk carries), a second writes into them.
    let size = 0;
    const layout: ColumnLayout[] = this.#columns.map((column) => {
      const validityBytes = column.validityBytes();
      const validity = validityBytes > 0 ? size : -1;
      size = align(size + validityBytes);
      const offsetsBytes = column.offsetsBytes();
      const offsets = offsetsBytes > 0 ? size : -1;
      size = align(size + offsetsBytes);
      const data = size;
      const dataBytes = column.dataBytes();
      size = align(size + dataBytes);
      return { nullCount: column.nullCount, validity, offsets, data, dataBytes };
    });
    // Never a zero-length buffer: a transferred chunk then always shows as detached (byteLength 0).
    const bytes = Math.max(size, ALIGNMENT);
    const buffer = this.#pool === undefined ? new ArrayBuffer(bytes) : this.#pool.acquire(bytes);
    const target = new Uint8Array(buffer);
    this.#columns.forEach((column, i) => {
      const at = layout[i] as ColumnLayout;
      if (at.validity >= 0) column.writeValidity(target, at.validity);
      if (at.offsets >= 0) column.writeOffsets(target, at.offsets);
      column.writeData(target, at.data);
      clearPadding(target, at, length);
    });
    this.reset();
    return new Chunk(this.schema, length, buffer, size, layout, this.#pool);
  }

  /** Empties the builder, keeping its arrays for the next chunk. */
  reset(): void {
    for (const column of this.#columns) column.reset();
  }

  #undo(failedColumn: number): void {
    const row = (this.#columns[failedColumn] as ColumnBuilder).length;
    for (let j = 0; j < failedColumn; j++) (this.#columns[j] as ColumnBuilder).truncate(row);
  }

  #checkLengths(where: string): void {
    const length = this.length;
    const odd = this.#columns.find((column) => column.length !== length);
    if (odd !== undefined) {
      throw new FlowEngineError('FE_CHUNK_LENGTH_MISMATCH',
        `${where}: expected every column to hold ${length} values (as "${this.schema.fields[0]?.name}"), found ${odd.length} in "${odd.field.name}"`,
        { details: { expected: length, found: odd.length, field: odd.field.name } });
    }
  }
}
