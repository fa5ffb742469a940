import { FlowEngineError, type Schema } from '@flowengine/sdk';
import type { PgClient } from '../connection/connect.js';
import { findTable, ident, requireColumn, requireTable, type CatalogTable } from '../catalog/table.js';
import { canStore, sqlTypeFor } from '../catalog/types.js';
import { chooseCopyFormat, type CopyFormat } from './copy-format.js';

/** The checked destination of a sink: table, the input's columns in input order, and the SQL built from them. */
export interface SinkTarget {
  readonly table: CatalogTable;
  readonly columnNames: readonly string[];
  /** Binary COPY when every column's type has an exact binary encoding, else text. */
  readonly format: CopyFormat;
  /** Every statement the writer runs, built once here from the checked, quoted names. */
  readonly sql: {
    /** `COPY … FROM STDIN [(FORMAT binary)]` into the table, or into the session's staging table for upserts. */
    readonly copy: string;
    /** `TRUNCATE` of the table, for `replace`. */
    readonly truncate: string;
    /** Only for `upsert`, which loads through a staging table. */
    readonly upsert: {
      /** Creates the staging table; run on every new connection (a temp table lives in its session). */
      readonly createStaging: string;
      /** Staging → table. */
      readonly merge: string;
      /** Empties staging for another load in the same transaction (COMMIT empties it anyway). */
      readonly clearStaging: string;
    } | undefined;
  };
}

/** How a sink writes: see the `mode` option. */
export type SinkMode = 'append' | 'upsert' | 'replace';

const STAGING = 'flowengine_staging';
const ORDINAL = '__flowengine_ord';

/**
 * Finds (or with `createTable`, creates) the table and checks the input against the catalog: every
 * field has a column of that exact name and a type it can be stored in, and an upsert key is a
 * unique index. All SQL names come from the catalog or the schema and are quoted by the driver.
 */
export async function resolveTarget(client: PgClient, options: {
  schema: string; table: string; input: Schema; mode: SinkMode; key: readonly string[] | undefined;
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
  const targets = input.fields.map((field) => {
    const column = requireColumn(table.columns, field.name, 'input field', `table ${JSON.stringify(table.display)}`, where);
    if (!canStore(field.type, column.oid)) {
      throw new FlowEngineError('FE_PG_TYPE_MISMATCH',
        `${where}: table ${JSON.stringify(table.display)}, column ${JSON.stringify(column.name)}: expected a column type that can hold ${field.type} values, found ${column.typeText}; cast the field upstream or change the column`,
        { details: { table: table.display, column: column.name, columnType: column.typeText, fieldType: field.type } });
    }
    return { field, column };
  });
  if (options.mode === 'upsert') await requireUniqueKey(client, table, key, where);
  const columnNames = input.fields.map((f) => f.name);
  // The staging table of an upsert has the target's column types, so the same choice holds for it.
  const format = chooseCopyFormat(targets);
  return { table, columnNames, format, sql: sinkSql(table, columnNames, key, options.mode, format) };
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

function sinkSql(table: CatalogTable, columnNames: readonly string[], keyNames: readonly string[], mode: SinkMode, format: CopyFormat): SinkTarget['sql'] {
  const staging = `pg_temp.${ident(STAGING)}`;
  const columns = columnNames.map(ident).join(', ');
  return {
    copy: `COPY ${mode === 'upsert' ? staging : table.sql} (${columns}) FROM STDIN${format.options}`,
    truncate: `TRUNCATE ${table.sql}`,
    upsert: mode !== 'upsert' ? undefined : {
      // The input's columns with the target's types, no constraints, plus an ordinal so the last of
      // several rows with one key wins. Emptied at commit.
      createStaging: `DROP TABLE IF EXISTS ${staging}; `
        + `CREATE TEMP TABLE ${ident(STAGING)} ON COMMIT DELETE ROWS AS SELECT ${columns} FROM ${table.sql} WITH NO DATA; `
        + `ALTER TABLE ${staging} ADD COLUMN ${ident(ORDINAL)} bigint GENERATED ALWAYS AS IDENTITY`,
      merge: mergeSql(table, staging, columnNames, keyNames),
      clearStaging: `TRUNCATE ${staging}`,
    },
  };
}

/** `INSERT … SELECT DISTINCT ON (key) … FROM staging ON CONFLICT (key) DO UPDATE SET …`. */
function mergeSql(table: CatalogTable, staging: string, columnNames: readonly string[], keyNames: readonly string[]): string {
  const all = columnNames.map(ident).join(', ');
  const key = keyNames.map(ident).join(', ');
  const rest = columnNames.filter((n) => !keyNames.includes(n)).map(ident);
  const action = rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
  return `INSERT INTO ${table.sql} (${all}) `
    + `SELECT ${all} FROM (SELECT DISTINCT ON (${key}) * FROM ${staging} ORDER BY ${key}, ${ident(ORDINAL)} DESC) AS s `
    + `ON CONFLICT (${key}) ${action}`;
}
