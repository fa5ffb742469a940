import { FlowEngineError, Schema, type Field, type FieldInput, type FieldType } from '@flowengine/sdk';
import type { PgClient } from '../connection/connect.js';
import { ident, requireColumn, requireTable, typeNames, type CatalogColumn } from '../catalog/table.js';
import { fieldTypeOf, type NumericAs } from '../catalog/types.js';
import { binaryWireFor, type Wire } from './binary-decoder.js';

/** What a source reads: its schema, the SELECT that yields it, and the incremental key. */
export interface ReadPlan {
  readonly schema: Schema;
  /** The table or `query`, for messages. */
  readonly display: string;
  /** `SELECT … FROM …` without WHERE/ORDER BY, columns quoted, in schema order: every value as its type's text. */
  readonly select: string;
  /** The same for binary COPY: the columns {@link binaryWireFor} does not decode are cast to text. */
  readonly binarySelect: string;
  /** Per field, how binary COPY sends it. */
  readonly wires: readonly Wire[];
  /**
   * The incremental key: its position in the schema, Postgres type text (for the cast), and the
   * column qualified by its table, so that WHERE and ORDER BY read the column itself, never the
   * select's output of the same name (`"id"::text` in binarySelect).
   */
  readonly key?: { readonly index: number; readonly sql: string; readonly typeText: string } | undefined;
}

export interface PlanOptions {
  readonly schema: string;
  readonly table?: string | undefined;
  readonly query?: string | undefined;
  readonly numeric: NumericAs;
  readonly incrementalColumn?: string | undefined;
  readonly declaredSchema?: Schema | undefined;
  readonly where: string;
}

/**
 * Resolves what to read from the catalog (a table) or from the query's result description, maps
 * each column's type, and narrows to the pipeline's declared schema when there is one.
 */
export async function planRead(client: PgClient, options: PlanOptions): Promise<ReadPlan> {
  const { where } = options;
  let columns: readonly CatalogColumn[];
  let from: string;
  /** What qualifies a column of `from`. */
  let qualifier: string;
  let display: string;
  if (options.table !== undefined) {
    const table = await requireTable(client, options.schema, options.table, where);
    columns = table.columns;
    from = table.sql;
    qualifier = table.sql;
    display = `table ${JSON.stringify(table.display)}`;
  } else {
    const query = options.query as string;
    from = `(${query}) AS fe_source`;
    qualifier = 'fe_source';
    display = 'query';
    let described;
    try {
      described = await client.query(`SELECT * FROM ${from} LIMIT 0`);
    } catch (cause) {
      throw new FlowEngineError('FE_PG_QUERY_FAILED', `${where}: query: expected a SELECT the server accepts, found the error "${(cause as Error).message}"`,
        { details: { sqlState: (cause as { code?: string }).code }, cause });
    }
    const types = await typeNames(client, described.fields.map((field) => field.dataTypeID));
    columns = described.fields.map((field, i) => ({ name: field.name, oid: field.dataTypeID, typeText: types[i] ?? `oid ${field.dataTypeID}`, notNull: false }));
  }
  const keyColumn = options.incrementalColumn === undefined ? undefined : requireColumn(columns, options.incrementalColumn, 'incremental.column', display, where);
  const chosen = options.declaredSchema === undefined ? columns.map((c) => ({ column: c, declared: undefined }))
    : options.declaredSchema.fields.map((f) => ({ column: requireColumn(columns, f.name, 'declared field', display, where), declared: f }));
  const fields: FieldInput[] = chosen.map(({ column, declared }) => fieldFor(column, declared, options.numeric, display, where));
  const schema = Schema.of(fields);
  let key: ReadPlan['key'];
  if (keyColumn !== undefined) {
    const index = chosen.findIndex(({ column }) => column === keyColumn);
    if (index < 0) {
      throw new FlowEngineError('FE_PG_MISSING_COLUMN',
        `${where}: incremental.column ${JSON.stringify(keyColumn.name)}: expected it among the declared schema's fields, found only ${schema.fields.map((f) => JSON.stringify(f.name)).join(', ')}`,
        { details: { column: keyColumn.name } });
    }
    key = { index, sql: `${qualifier}.${ident(keyColumn.name)}`, typeText: keyColumn.typeText };
  }
  const list = chosen.map(({ column }) => ident(column.name)).join(', ');
  const binary = chosen.map(({ column }) => binaryWireFor(column.oid, column === keyColumn));
  const binaryList = chosen.map(({ column }, i) => (binary[i]?.cast === true ? `${ident(column.name)}::text` : ident(column.name))).join(', ');
  return {
    schema, display, select: `SELECT ${list} FROM ${from}`, binarySelect: `SELECT ${binaryList} FROM ${from}`,
    wires: binary.map(({ wire }) => wire), key,
  };
}

/** Declared types that a column may be read as besides its own mapping (all widening or exact). */
const ALSO_READS_AS: Partial<Record<FieldType, readonly FieldType[]>> = { int32: ['int64', 'float64'], int64: ['float64'] };

function fieldFor(column: CatalogColumn, declared: Field | undefined, numeric: NumericAs, display: string, where: string): FieldInput {
  const mapped = fieldTypeOf(column.oid, declared?.type === 'float64' || declared?.type === 'string' ? declared.type : numeric);
  if (mapped === undefined) {
    throw new FlowEngineError('FE_PG_UNSUPPORTED_TYPE',
      `${where}: column ${JSON.stringify(column.name)} of ${display}: expected a supported type (integer, float, numeric, bool, text-like, uuid, json, date, timestamp), found ${column.typeText}; cast it in a query (e.g. ${ident(column.name)}::text) or leave it out`,
      { details: { column: column.name, type: column.typeText } });
  }
  if (declared === undefined) return mapped === 'timestamp' ? { name: column.name, type: mapped, nullable: !column.notNull, unit: 'us' } : { name: column.name, type: mapped, nullable: !column.notNull };
  const fits = declared.type === mapped || (ALSO_READS_AS[mapped]?.includes(declared.type) ?? false);
  if (!fits || (declared.type === 'timestamp' && declared.unit !== 'us')) {
    throw new FlowEngineError('FE_PG_TYPE_MISMATCH',
      `${where}: declared field ${JSON.stringify(column.name)}: expected type ${mapped}${mapped === 'timestamp' ? ' (unit us)' : ''} for column type ${column.typeText} of ${display}, found ${declared.type}${declared.unit === undefined ? '' : ` (unit ${declared.unit})`}`,
      { details: { column: column.name, type: column.typeText, declared: declared.type } });
  }
  return declared;
}
