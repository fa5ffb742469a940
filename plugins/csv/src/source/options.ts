import { Type, type Static } from '@flowengine/sdk';

/** The `config:` of a csv-source instance. Defaults are filled by the engine from this schema. */
export const CsvSourceConfig = Type.Object({
  path: Type.String({ minLength: 1, description: 'A file, or a glob (`*`, `?`, `[ab]`, `{a,b}`, `**`); files are read in sorted order. `.gz` files are gunzipped.' }),
  delimiter: Type.Optional(Type.String({ default: ',', description: 'Field separator: one ASCII character.' })),
  quote: Type.Optional(Type.String({ default: '"', description: 'Quote character; "" turns quoting off.' })),
  escape: Type.Optional(Type.String({ description: 'Escape for a quote inside a quoted field; defaults to `quote` (RFC 4180 `""`).' })),
  header: Type.Optional(Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    default: true,
    description: 'true: the first line names the columns; false: no header (columns `column1`..); a list: no header, these names.',
  })),
  schema: Type.Optional(Type.Unknown({ description: 'Declared schema `{ fields: [...] }` (the instance\'s `schema:` takes precedence). Columns map by name when there are names.' })),
  inferSchema: Type.Optional(Type.Integer({ minimum: 1, default: 1000, description: 'Rows sampled to infer column types when no schema is declared.' })),
  chunkSize: Type.Optional(Type.Integer({ minimum: 1, default: 10000, description: 'Rows per chunk.' })),
  encoding: Type.Optional(Type.Literal('utf-8', { default: 'utf-8', description: 'Strict UTF-8: an invalid byte is a row error at its offset, never U+FFFD.' })),
  maxFieldBytes: Type.Optional(Type.Integer({ minimum: 1, default: 1048576, description: 'Longest field in bytes; longer is a row error. A row past 16× this stops the source.' })),
  nullValue: Type.Optional(Type.String({ default: '', description: 'Unquoted text read as null. Empty fields are null in non-string columns regardless.' })),
}, { additionalProperties: false });

export type CsvSourceOptions = Static<typeof CsvSourceConfig>;

/** The options with every default applied, for code paths that get a config the engine did not fill. */
export function sourceDefaults(config: CsvSourceOptions) {
  return {
    path: config.path,
    delimiter: config.delimiter ?? ',',
    quote: config.quote ?? '"',
    escape: config.escape,
    header: config.header ?? true,
    schema: config.schema,
    inferSchema: config.inferSchema ?? 1000,
    chunkSize: config.chunkSize ?? 10000,
    maxFieldBytes: config.maxFieldBytes ?? 1048576,
    nullValue: config.nullValue ?? '',
  };
}
