import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Chunk } from './chunk.js';
import type { Column } from './columns.js';

/**
 * A cheap, movable view of one row of a chunk: it holds only a chunk and an index, so one view can
 * walk millions of rows without allocating. Values are read from the columns on each `get`.
 *
 * @example
 * for (const row of chunk.rows()) total += row.get('amount') as number;
 */
export class ArrayRow {
  #chunk: Chunk | undefined;
  #columns: readonly Column[] = [];
  index = -1;

  /** The chunk this view points into (undefined before the first `moveTo`). */
  get chunk(): Chunk | undefined {
    return this.#chunk;
  }

  /** Points this view at row `index` of `chunk` (no bounds check: use `chunk.row` for that). */
  moveTo(chunk: Chunk, index: number): this {
    if (this.#chunk !== chunk) {
      this.#chunk = chunk;
      this.#columns = chunk.columns;
    }
    this.index = index;
    return this;
  }

  /** Forgets the chunk, so a pooled view does not keep a released chunk alive. */
  clear(): void {
    this.#chunk = undefined;
    this.#columns = [];
    this.index = -1;
  }

  /** The value of a field by name or position (null for a null value). */
  get(field: string | number): unknown {
    return this.#column(field).get(this.index);
  }

  isNull(field: string | number): boolean {
    return this.#column(field).isNull(this.index);
  }

  /** A plain copy of the row keyed by field name. */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const fields = this.#chunk?.schema.fields ?? [];
    for (let i = 0; i < fields.length; i++) out[(fields[i] as { name: string }).name] = (this.#columns[i] as Column).get(this.index);
    return out;
  }

  /** A plain copy of the row's values in schema order. */
  toArray(): unknown[] {
    return this.#columns.map((column) => column.get(this.index));
  }

  #column(field: string | number): Column {
    const chunk = this.#chunk;
    if (chunk === undefined) {
      throw new FlowEngineError('FE_CHUNK_OUT_OF_RANGE', 'ArrayRow: expected a view pointed at a chunk row, found an empty view (use chunk.row(i) or row.moveTo(chunk, i))');
    }
    return typeof field === 'number' ? chunk.column(field) : this.#columns[chunk.schema.fieldIndex(field)] as Column;
  }
}
