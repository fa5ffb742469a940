import { FlowEngineError, type Schema } from '@flowengine/sdk';
import type { PgClient } from '../connection/connect.js';
import { findTable, ident, requireColumn, requireTable, type CatalogTable } from '../catalog/table.js';
import { canStore, sqlTypeFor } from '../catalog/types.js';

/** The checked destination of a sink: table, the input's columns in input order, and the SQL built from them. */
export interface SinkTarget {
  readonly table: CatalogTable;
  /** Quoted column list in input-field order: `("a", "b")`. */
  readonly columnList: string;
  readonly columnNames: readonly string[];
  readonly key: readonly string[];
}

export const STAGING = 'flowengine_staging';
const ORDINAL = '__flowengine_ord';

/**
 * Finds (or with `createTable`, creates) the table and checks the input against the catalog: every
 * field has a column of that exact name and a type it can be stored in, and an upsert key is a
 * unique index. All SQL names come from the catalog or the schema and are quoted by the driver.
 */
export async function resolveTarget(client: PgClient, options: {
  schema: string; table: string; input: Schema; mode: 'append' | 'upsert' | 'replace'; key: readonly string[] | undefined;
  createTable: boolean; where: string;
}): Promise<SinkTarget> {
  const { where, input } = options;
  const key = options.key ?? [];
  if (options.mode === 'upsert' && key.length === 0) {
    throw new FlowEngineError('FE_PG_CONFIG', `${where}: mode "upsert": expected "key" (the conflict columns, e.g. key: [id]), found none`);
  }
  for (const name of key) {
    if (input.indexOf(name) < 0) {
      throw new FlowEngineError('FE_PG_MISSING_COLUMN',
        `${where}: key ${JSON.stringify(name)}: expected a field of the input, found only ${input.fields.map((f) => JSON.stringify(f.name)).join(', ')}`,
        { details: { column: name } });
    }
  }
  let table = await findTable(client, options.schema, options.table);
  if (table === undefined && options.createTable) {
    await createTable(client, options.schema, options.table, input, key);
    table = await requireTable(client, options.schema, options.table, where);
  }
  if (table === undefined) table = await requireTable(client, options.schema, options.table, where, '; set createTable: true to create it from the input schema');
  for (const field of input.fields) {
    const column = requireColumn(table, field.name, 'input field', where);
    if (!canStore(field.type, column.oid)) {
      throw new FlowEngineError('FE_PG_TYPE_MISMATCH',
        `${where}: table ${JSON.stringify(table.display)}, column ${JSON.stringify(column.name)}: expected a column type that can hold ${field.type} values, found ${column.typeText}; cast the field upstream or change the column`,
        { details: { table: table.display, column: column.name, columnType: column.typeText, fieldType: field.type } });
    }
  }
  if (options.mode === 'upsert') await requireUniqueKey(client, table, key, where);
  const columnNames = input.fields.map((f) => f.name);
  return { table, columnNames, columnList: `(${columnNames.map(ident).join(', ')})`, key };
}

async function createTable(client: PgClient, schema: string, name: string, input: Schema, key: readonly string[]): Promise<void> {
  const columns = input.fields.map((f) => `${ident(f.name)} ${sqlTypeFor(f.type)}${f.nullable && !key.includes(f.name) ? '' : ' NOT NULL'}`);
  if (key.length > 0) columns.push(`PRIMARY KEY (${key.map(ident).join(', ')})`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${ident(schema)}.${ident(name)} (${columns.join(', ')})`);
}

async function requireUniqueKey(client: PgClient, table: CatalogTable, key: readonly string[], where: string): Promise<void> {
  const sorted = [...key].sort();
  const result = await client.query(`
    SELECT 1 FROM pg_catalog.pg_index i
    WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
      AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) = $2::text[]`, [table.sql, sorted]);
  if (result.rows.length === 0) {
    throw new FlowEngineError('FE_PG_CONFIG',
      `${where}: mode "upsert": expected a unique index or primary key on exactly (${key.join(', ')}) of table ${JSON.stringify(table.display)}, found none; add one (ON CONFLICT needs it)`,
      { details: { table: table.display, key } });
  }
}

/**
 * The session's staging table for upserts: the input's columns with the target's types, no
 * constraints, plus an ordinal so the last of several rows with one key wins. Emptied at commit.
 */
export async function createStaging(client: PgClient, target: SinkTarget): Promise<void> {
  const select = target.columnNames.map(ident).join(', ');
  await client.query(`DROP TABLE IF EXISTS pg_temp.${ident(STAGING)}`);
  await client.query(`CREATE TEMP TABLE ${ident(STAGING)} ON COMMIT DELETE ROWS AS SELECT ${select} FROM ${target.table.sql} WITH NO DATA`);
  await client.query(`ALTER TABLE pg_temp.${ident(STAGING)} ADD COLUMN ${ident(ORDINAL)} bigint GENERATED ALWAYS AS IDENTITY`);
}

/** `INSERT … SELECT DISTINCT ON (key) … FROM staging ON CONFLICT (key) DO UPDATE SET …`. */
export function mergeSql(target: SinkTarget): string {
  const all = target.columnNames.map(ident);
  const key = target.key.map(ident);
  const rest = target.columnNames.filter((n) => !target.key.includes(n)).map(ident);
  const action = rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
  return `INSERT INTO ${target.table.sql} (${all.join(', ')}) `
    + `SELECT ${all.join(', ')} FROM (SELECT DISTINCT ON (${key.join(', ')}) * FROM pg_temp.${ident(STAGING)} ORDER BY ${key.join(', ')}, ${ident(ORDINAL)} DESC) AS s `
    + `ON CONFLICT (${key.join(', ')}) ${action}`;
}

/** `COPY "s"."t" ("a", "b") FROM STDIN` for the target, or the staging table for upserts. */
export function copySql(target: SinkTarget, staging: boolean): string {
  return `COPY ${staging ? `pg_temp.${ident(STAGING)}` : target.table.sql} ${target.columnList} FROM STDIN`;
}
