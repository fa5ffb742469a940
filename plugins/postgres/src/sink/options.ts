import { Type, type Static } from '@flowengine/sdk';
import { connectionOptions } from '../connection/options.js';

/** The `config:` of a postgres-sink instance. */
export const PostgresSinkConfig = Type.Object({
  ...connectionOptions,
  table: Type.String({ minLength: 1, description: 'Table to write (exact, case-sensitive; quotes and spaces are fine).' }),
  mode: Type.Optional(Type.Union([Type.Literal('append'), Type.Literal('upsert'), Type.Literal('replace')], {
    default: 'append',
    description: '`append`: COPY FROM STDIN; `upsert`: staging table + INSERT … ON CONFLICT (key) DO UPDATE; `replace`: TRUNCATE, then load, in the first flush\'s transaction.',
  })),
  key: Type.Optional(Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1, description: 'Columns of the conflict key for `upsert` (a unique index or primary key on exactly these columns).',
  })),
  createTable: Type.Optional(Type.Boolean({ default: false, description: 'Create the table from the input schema when it does not exist (`key` becomes its primary key).' })),
}, { additionalProperties: false });

export type PostgresSinkOptions = Static<typeof PostgresSinkConfig>;
