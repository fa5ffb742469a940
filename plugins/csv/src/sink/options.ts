import { Type, type Static } from '@flowengine/sdk';

/** The `config:` of a csv-sink instance. */
export const CsvSinkConfig = Type.Object({
  path: Type.String({ minLength: 1, description: 'Output file. Written to a temporary file beside it and renamed on success.' }),
  header: Type.Optional(Type.Boolean({ default: true, description: 'Write the field names as the first line (of every file when rolling).' })),
  delimiter: Type.Optional(Type.String({ default: ',', description: 'Field separator: one ASCII character.' })),
  quote: Type.Optional(Type.String({ default: '"', description: 'Quote character for fields that need it.' })),
  nullValue: Type.Optional(Type.String({ default: '', description: 'Text written for null. An empty string is written as `""` so it stays distinct.' })),
  gzip: Type.Optional(Type.Boolean({ description: 'Gzip the output; defaults to true when `path` ends in `.gz`.' })),
  maxRowsPerFile: Type.Optional(Type.Integer({ minimum: 1, description: 'Roll to a new file after this many rows: `name-00001.csv`, `name-00002.csv`, ...' })),
  escapeFormulae: Type.Optional(Type.Boolean({ default: false, description: 'Prefix text cells starting with = + - @ TAB CR with \' for spreadsheet safety.' })),
}, { additionalProperties: false });

export type CsvSinkOptions = Static<typeof CsvSinkConfig>;
