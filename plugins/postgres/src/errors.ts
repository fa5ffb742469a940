import type { ErrorCatalogue } from '@flowengine/sdk';

/**
 * Every error code `@flowengine/plugin-postgres` raises. Row errors (`FE_PG_VALUE_INVALID`,
 * `FE_PG_CONSTRAINT`) go through the instance's `errors:` policy; the others stop the instance.
 * The "Error codes" table in README.md is kept in step with this object by `test/errors.test.ts`.
 * A published code is never reused.
 */
export const POSTGRES_ERRORS = {
  FE_PG_CONFIG: {
    meaning: 'The options do not fit together (both or neither of `table` and `query`, `upsert` without `key` or without a unique index on it).',
    fix: 'Follow the message; the README lists every option and what it needs.',
  },
  FE_PG_CONNECT: {
    meaning: 'No connection could be made to the server within the allowed retries.',
    fix: 'Check `url` (host, port, database, user), that the server runs, and `pg_hba.conf`.',
  },
  FE_PG_CONNECTION_LOST: {
    meaning: 'The connection broke (server restart, `pg_terminate_backend`, network) and the retries ran out.',
    fix: 'Check the server log; raise `retry.maxRetries` for flaky networks. The run resumes from the last acknowledged position.',
  },
  FE_PG_TABLE_NOT_FOUND: {
    meaning: 'The table named by `schema`/`table` is not in the catalog.',
    fix: 'Check the spelling and case (names are exact, never folded), or set `createTable: true` on the sink.',
  },
  FE_PG_MISSING_COLUMN: {
    meaning: 'A field of the data (or `key`, `incremental.column`, a declared field) has no column of that exact name in the table.',
    fix: 'Rename the field upstream (`select`), add the column, or fix the option; names are case-sensitive.',
  },
  FE_PG_UNSUPPORTED_TYPE: {
    meaning: 'A column has a Postgres type the plugin does not map to a FlowEngine type.',
    fix: 'Cast it in a `query` (e.g. `col::text`), or leave the column out.',
  },
  FE_PG_TYPE_MISMATCH: {
    meaning: 'A field type cannot be stored in (or read as) the column\'s Postgres type.',
    fix: 'Cast the field upstream (`cast`), change the column type, or declare a type that fits.',
  },
  FE_PG_VALUE_INVALID: {
    meaning: 'A value does not fit its column (out of range, malformed, infinite timestamp); the message names table, column and row.',
    fix: 'Fix the value upstream or widen the column; with `errors: deadLetter` the row goes to dead letters and the rest is committed.',
  },
  FE_PG_CONSTRAINT: {
    meaning: 'A row violates a constraint (not null, unique, check, foreign key); the message names table, column or constraint and row.',
    fix: 'Fix the row upstream or the constraint; with `errors: deadLetter` the row goes to dead letters and the rest is committed.',
  },
  FE_PG_QUERY_FAILED: {
    meaning: 'The server rejected a statement for a reason that is not about one row (permissions, syntax in `query`, ...).',
    fix: 'Read the server message in the error; run the `query` in psql to check it.',
  },
} as const satisfies ErrorCatalogue;

export type PostgresErrorCode = keyof typeof POSTGRES_ERRORS;
