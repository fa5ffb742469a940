import { FlowEngineError } from '@flowengine/sdk';
import pg from '../connection/pg.js';
import type { PgClient } from '../connection/connect.js';

/** One column of a table as the catalog describes it. */
export interface CatalogColumn {
  readonly name: string;
  /** `format_type` text (`character varying(20)`), for messages. */
  readonly typeText: string;
  /** The type OID, resolved through domains to their base type. */
  readonly oid: number;
  readonly notNull: boolean;
}

/** A table found in the catalog, with its name already quoted for SQL. */
export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  /** `"schema"."table"`, quoted with the driver's escapeIdentifier. */
  readonly sql: string;
  /** `schema.table` as a human reads it, for messages. */
  readonly display: string;
  readonly columns: readonly CatalogColumn[];
}

// Names are bound as parameters, never spliced into the text: the catalog is what decides they exist.
const COLUMNS_SQL = `
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type_text,
       (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END)::int AS oid, a.attnotnull AS not_null
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** Quotes an identifier with the driver's escaping (doubles `"`), the only way names enter SQL. */
export function ident(name: string): string {
  return pg.escapeIdentifier(name);
}

/** Looks a table up by exact (case-sensitive) schema and name; undefined when it does not exist. */
export async function findTable(client: PgClient, schema: string, name: string): Promise<CatalogTable | undefined> {
  const result = await client.query<{ name: string; type_text: string; oid: number; not_null: boolean }>(COLUMNS_SQL, [schema, name]);
  if (result.rows.length === 0) return undefined;
  return {
    schema, name,
    sql: `${ident(schema)}.${ident(name)}`,
    display: `${schema}.${name}`,
    columns: result.rows.map((row) => ({ name: row.name, typeText: row.type_text, oid: row.oid, notNull: row.not_null })),
  };
}

/** {@link findTable}, or FE_PG_TABLE_NOT_FOUND naming what was looked for. */
export async function requireTable(client: PgClient, schema: string, name: string, where: string, hint = ''): Promise<CatalogTable> {
  const table = await findTable(client, schema, name);
  if (table !== undefined) return table;
  throw new FlowEngineError('FE_PG_TABLE_NOT_FOUND',
    `${where}: expected table ${JSON.stringify(`${schema}.${name}`)} in the catalog, found none (names are exact and case-sensitive)${hint}`,
    { details: { schema, table: name } });
}

/** The column called exactly `name` among `columns` (of `display`: `table "s.t"`, `query`), or FE_PG_MISSING_COLUMN listing the columns there are. */
export function requireColumn(columns: readonly CatalogColumn[], name: string, what: string, display: string, where: string): CatalogColumn {
  const column = columns.find((c) => c.name === name);
  if (column !== undefined) return column;
  throw new FlowEngineError('FE_PG_MISSING_COLUMN',
    `${where}: ${what} ${JSON.stringify(name)}: expected a column of that exact name in ${display}, found only ${columns.map((c) => JSON.stringify(c.name)).join(', ')}`,
    { details: { in: display, column: name, columns: columns.map((c) => c.name) } });
}

/** The `format_type` names of type OIDs, in order, for messages about a query's columns: one round trip. */
export async function typeNames(client: PgClient, oids: readonly number[]): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    'SELECT format_type(t.oid, NULL) AS name FROM unnest($1::oid[]) WITH ORDINALITY AS t(oid, n) ORDER BY t.n', [oids]);
  return result.rows.map((row) => row.name);
}
