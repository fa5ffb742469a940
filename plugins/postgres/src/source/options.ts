import { Type, type Static } from '@flowengine/sdk';
import { connectionOptions } from '../connection/options.js';

/** The `config:` of a postgres-source instance. */
export const PostgresSourceConfig = Type.Object({
  ...connectionOptions,
  table: Type.Optional(Type.String({ minLength: 1, description: 'Table (or view) to read; give this or `query`.' })),
  query: Type.Optional(Type.String({ minLength: 1, description: 'A SELECT to read instead of a table; it is SQL written by the pipeline author.' })),
  mode: Type.Optional(Type.Union([Type.Literal('copy'), Type.Literal('cursor')], {
    default: 'copy', description: '`copy`: COPY … TO STDOUT (fast); `cursor`: a server-side cursor, for servers or queries where COPY does not fit.',
  })),
  chunkSize: Type.Optional(Type.Integer({ minimum: 1, default: 10000, description: 'Rows per chunk.' })),
  numeric: Type.Optional(Type.Union([Type.Literal('string'), Type.Literal('float64')], {
    default: 'string', description: 'How `numeric` columns are read: the exact decimal text, or rounded to float64.',
  })),
  incremental: Type.Optional(Type.Object({
    column: Type.String({ minLength: 1, description: 'A unique, increasing column (id, updated_at); rows are read in its order.' }),
    startAfter: Type.Optional(Type.String({ description: 'Read only rows whose key is greater than this (text form of the key).' })),
  }, { additionalProperties: false, description: 'Read in key order; positions are the last key read, so a resumed run reads only newer rows.' })),
}, { additionalProperties: false });

export type PostgresSourceOptions = Static<typeof PostgresSourceConfig>;
