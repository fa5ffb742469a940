import type { ErrorCatalogue } from '@flowengine/sdk';

/**
 * Every error code `@flowengine/plugin-csv` raises. Row errors (the first six) go through the
 * instance's `errors:` policy; the others stop the instance. The "Error codes" table in README.md
 * is kept in step with this object by `errors.test.ts`. A published code is never reused.
 */
export const CSV_ERRORS = {
  FE_CSV_UNCLOSED_QUOTE: {
    meaning: 'A quoted field is still open at the end of the file; the location is where its quote opened.',
    fix: 'Close the quote, or double any quote inside a quoted field (`""`).',
  },
  FE_CSV_INVALID_QUOTE: {
    meaning: 'A quote appears inside an unquoted field, or text follows a closing quote before the delimiter.',
    fix: 'Quote the whole field and double the quotes inside it, or set `quote` to the character the file uses.',
  },
  FE_CSV_FIELD_COUNT: {
    meaning: 'A row has more or fewer fields than the header (or than the first row when there is no header).',
    fix: 'Fix the row, check `delimiter`, or quote fields that contain the delimiter.',
  },
  FE_CSV_INVALID_VALUE: {
    meaning: 'A field does not parse as its column type (`12a` as int32), or is empty in a `nullable: false` column.',
    fix: 'Fix the value, or declare the column with a type that fits (`string` always does).',
  },
  FE_CSV_OUT_OF_RANGE: {
    meaning: 'An integer field is outside its type range (int32: -2^31..2^31-1, int64: -2^63..2^63-1).',
    fix: 'Declare the column int64 (or float64/string for larger values).',
  },
  FE_CSV_FIELD_TOO_LARGE: {
    meaning: 'A field has more bytes than `maxFieldBytes`.',
    fix: 'Raise `maxFieldBytes`, or check for an unbalanced quote that swallowed many lines.',
  },
  FE_CSV_INVALID_UTF8: {
    meaning: 'A row holds bytes that are not valid UTF-8; the location is the first bad byte, and its absolute byte offset is in the details.',
    fix: 'Re-encode the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`); the dead letter keeps the raw bytes.',
  },
  FE_CSV_ROW_TOO_LARGE: {
    meaning: 'One row grew past 16 × `maxFieldBytes` without ending, so the source stops instead of buffering the rest of the file.',
    fix: 'Look for an unclosed quote near the reported line, or raise `maxFieldBytes`.',
  },
  FE_CSV_NO_FILES: {
    meaning: '`path` names no file, or its glob matches none.',
    fix: 'Check the path (relative paths resolve from the working directory) and the glob pattern.',
  },
  FE_CSV_HEADER: {
    meaning: 'The header does not fit the declared schema (a declared field is missing, a name repeats), or files of one glob have different headers.',
    fix: 'Make the header and the `schema:` agree, or set `header: false` and give columns by position.',
  },
  FE_CSV_READ_FAILED: {
    meaning: 'A file could not be read or decompressed.',
    fix: 'Check permissions, and that a `.gz` file is complete gzip data.',
  },
  FE_CSV_CONFIG: {
    meaning: 'An option value is not usable (a delimiter longer than one byte, quote equal to delimiter, ...).',
    fix: 'Use single ASCII characters for `delimiter`, `quote` and `escape`, all different from each other.',
  },
  FE_CSV_SINK_LOCKED: {
    meaning: 'Another running pipeline is writing the same output path (its lock file `<path>.lock` names its process).',
    fix: 'Wait for the other run, or write to another path. A lock left by a dead process is taken over automatically.',
  },
  FE_CSV_WRITE_FAILED: {
    meaning: 'The sink could not write, sync or rename its output file.',
    fix: 'Check free space and permissions of the output folder; the final file was left untouched.',
  },
} as const satisfies ErrorCatalogue;

export type CsvErrorCode = keyof typeof CSV_ERRORS;
