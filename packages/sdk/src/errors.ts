import type { ErrorCatalogue } from './errors/catalogue.js';

/**
 * Every error code `@flowengine/sdk` raises. The table under "Error codes" in README.md is kept
 * in step with this object by `errors.test.ts`. A published code is never reused for something else.
 */
export const SDK_ERRORS = {
  FE_SCHEMA_INVALID: {
    meaning: 'A schema definition is not of the shape `{ fields: [{ name, type, nullable? }] }`.',
    fix: 'Give `fields` as a non-empty list of objects with a string `name` and a known `type`.',
  },
  FE_SCHEMA_UNKNOWN_TYPE: {
    meaning: 'A field names a type FlowEngine does not know.',
    fix: 'Use one of int32, int64, float64, bool, string, timestamp.',
  },
  FE_SCHEMA_DUPLICATE_FIELD: {
    meaning: 'Two fields of one schema share a name.',
    fix: 'Rename or remove one of them; field names are unique within a schema.',
  },
  FE_SCHEMA_UNKNOWN_FIELD: {
    meaning: 'A field was asked for by a name the schema does not have.',
    fix: 'Check the spelling against the schema; the message lists the fields it has.',
  },
  FE_CHUNK_TYPE_MISMATCH: {
    meaning: 'A value of the wrong type was appended to a column.',
    fix: 'Convert the value to the column type before appending (or `cast` it in the pipeline).',
  },
  FE_CHUNK_NULL_IN_NON_NULLABLE: {
    meaning: 'A null was appended to a field declared `nullable: false`.',
    fix: 'Declare the field nullable, or filter or default the null out upstream.',
  },
  FE_CHUNK_INVALID_BUFFER: {
    meaning: 'A chunk message could not be decoded: its buffer is detached, truncated or of another layout version.',
    fix: 'Decode a chunk once, on the side it was transferred to; a bug report helps if it persists.',
  },
  FE_CHUNK_LENGTH_MISMATCH: {
    meaning: 'Whole columns appended to a builder have different lengths, or a row has the wrong number of values.',
    fix: 'Append the same number of values to every column.',
  },
} as const satisfies ErrorCatalogue;

export type SdkErrorCode = keyof typeof SDK_ERRORS;
