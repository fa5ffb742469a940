import { ChunkBuilder, FlowEngineError, type Chunk, type Schema } from '@flowengine/sdk';
import type { ColumnBuilder } from './text-values.js';

/** A finished chunk and the text of the incremental key in its last row (undefined without one). */
export interface DecodedChunk {
  readonly chunk: Chunk;
  readonly lastKey: string | undefined;
  /** Rows read up to and including this chunk. */
  readonly rows: number;
}

/** Where a decoder is reading, for messages: the table or query and the row number within the read. */
export interface DecodeTarget {
  readonly display: string;
  /** Rows already read before this decoder started (a resumed read), so row numbers stay meaningful. */
  readonly firstRow?: number;
}

/**
 * What the COPY text and binary decoders share: the chunk builder they fill value by value, the
 * row count of the whole read (a resumed read goes on from `firstRow`), when a chunk is full, and
 * the errors, which name the table or query, the row and the column.
 */
export class ChunkAssembler {
  readonly columns: readonly ColumnBuilder[];
  readonly #builder: ChunkBuilder;
  readonly #chunkSize: number;
  readonly #target: DecodeTarget;
  #rows: number;

  constructor(schema: Schema, chunkSize: number, target: DecodeTarget) {
    this.#builder = new ChunkBuilder(schema, { capacity: chunkSize });
    this.columns = schema.fields.map((_, i) => this.#builder.column(i) as ColumnBuilder);
    this.#chunkSize = chunkSize;
    this.#target = target;
    this.#rows = target.firstRow ?? 0;
  }

  /** Rows decoded so far (including `firstRow`). */
  get rows(): number {
    return this.#rows;
  }

  /** Counts the row just appended; true when the chunk is full and should be taken. */
  rowDone(): boolean {
    this.#rows++;
    return this.#builder.length >= this.#chunkSize;
  }

  /** The rows appended since the last chunk, as one, tagged with the key of its last row. */
  take(lastKey: string | undefined): DecodedChunk {
    return { chunk: this.#builder.finish(), lastKey, rows: this.#rows };
  }

  /** At the end of the read: the rows still held as a last chunk, or undefined when there are none. */
  rest(lastKey: string | undefined): DecodedChunk | undefined {
    return this.#builder.length === 0 ? undefined : this.take(lastKey);
  }

  appendNull(column: number): void {
    try {
      (this.columns[column] as ColumnBuilder).appendNull();
    } catch (cause) {
      throw this.valueError(column, 'a value (the column is NOT NULL)', 'null', cause);
    }
  }

  /** A value that does not fit its column, in the row being decoded. */
  valueError(column: number, expected: string, found: string, cause?: unknown): FlowEngineError {
    const field = this.#builder.schema.fields[column];
    const row = this.#rows + 1;
    return new FlowEngineError('FE_PG_VALUE_INVALID',
      `${this.#target.display}, row ${row}, column ${JSON.stringify(field?.name)}: expected ${expected}, found ${JSON.stringify(found.slice(0, 80))}`,
      { details: { table: this.#target.display, row, column: field?.name }, cause });
  }

  /** The stream itself is not what COPY sends (a row's shape, a cut-off end), at the row being decoded. */
  streamError(expected: string, found: string): FlowEngineError {
    const row = this.#rows + 1;
    return new FlowEngineError('FE_PG_VALUE_INVALID', `${this.#target.display}, row ${row}: expected ${expected}, found ${found}`,
      { details: { table: this.#target.display, row } });
  }
}
