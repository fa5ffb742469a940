import {
  ChunkBuilder, FlowEngineError,
  type BoolColumnBuilder, type Chunk, type Float64ColumnBuilder, type Int32ColumnBuilder, type Int64ColumnBuilder,
  type RejectedRow, type Schema, type StringColumnBuilder,
} from '@flowengine/sdk';
import type { Dialect } from '../dialect.js';
import { PARSE_OK, PARSE_OUT_OF_RANGE, parseBool, parseFloat64, parseInt32, parseInt64, parseStatus } from '../parse/numbers.js';
import {
  FIELD_ESCAPED, FIELD_QUOTED, ROW_FIELD_TOO_LARGE, ROW_INVALID_QUOTE, ROW_INVALID_UTF8, ROW_OK, ROW_UNCLOSED_QUOTE,
  unescapeField, type CsvTokenizer, type RowHandler,
} from '../parse/tokenizer.js';

const INT32 = 0;
const INT64 = 1;
const FLOAT64 = 2;
const BOOL = 3;
const STRING = 4;
const KIND = { int32: INT32, int64: INT64, timestamp: INT64, float64: FLOAT64, bool: BOOL, string: STRING } as const;

const decoder = new TextDecoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** A finished chunk and the position just after its last row. */
export interface FilledChunk {
  readonly chunk: Chunk;
  readonly byteOffset: number;
}

/**
 * Turns tokenized rows into chunk columns: numbers are parsed from the row's bytes, strings are
 * copied as UTF-8 bytes; nothing per row or per field is allocated on the good path. A row that
 * does not fit goes to `reject` with its raw line and `file:line:col`, and leaves no trace in the
 * chunk. Full chunks wait in {@link RowFiller.ready} until the source yields them.
 */
export class RowFiller implements RowHandler {
  readonly ready: FilledChunk[] = [];
  delivered = 0;
  rejected = 0;
  /** The file being read, for `file:line:col` in rejects. */
  file = '';
  /** Called with the first row of each file when the file has a header line. */
  onHeader: ((names: string[], tokenizer: CsvTokenizer) => void) | undefined;
  /** Rows ending at or before this offset were delivered before a restart: parsed (for line numbers) but dropped. */
  skipUntil = -1;

  private readonly builder: ChunkBuilder;
  private readonly kinds: Uint8Array;
  private readonly nullable: boolean[];
  private readonly builders: unknown[];
  private columnMap: Int32Array;
  private expectedFields: number;
  private scratch = new Uint8Array(1024);
  /** Columns that got a null since the last chunk: their validity bits need the builder's own append. */
  private readonly sawNull: Uint8Array;

  constructor(
    private readonly schema: Schema,
    private readonly dialect: Dialect,
    private readonly nullBytes: Uint8Array,
    private readonly chunkSize: number,
    private readonly reject: (row: RejectedRow) => void,
  ) {
    this.builder = new ChunkBuilder(schema, { capacity: chunkSize });
    this.kinds = Uint8Array.from(schema.fields, (field) => KIND[field.type]);
    this.nullable = schema.fields.map((field) => field.nullable);
    this.builders = schema.fields.map((_, i) => this.builder.column(i));
    this.columnMap = Int32Array.from(schema.fields, (_, i) => i);
    this.expectedFields = schema.fields.length;
    this.sawNull = new Uint8Array(schema.fields.length);
  }

  /** Which field of a row feeds each schema column, and how many fields a row must have. */
  mapColumns(columnMap: Int32Array, expectedFields: number): void {
    this.columnMap = columnMap;
    this.expectedFields = expectedFields;
  }

  onRow(t: CsvTokenizer): void {
    if (this.onHeader !== undefined) {
      const hook = this.onHeader;
      this.onHeader = undefined;
      if (t.rowError !== ROW_OK) return this.rejectRow(t, t.rowError, t.rowErrorOffset, -1);
      const names: string[] = [];
      for (let f = 0; f < t.fieldCount; f++) names.push(this.text(t, f));
      return hook(names, t);
    }
    if (t.rowNextOffset <= this.skipUntil) return;
    if (t.rowError !== ROW_OK) return this.rejectRow(t, t.rowError, t.rowErrorOffset, -1);
    const count = t.fieldCount;
    if (count !== this.expectedFields) {
      // A blank line is not a row unless the file has a single column, where it is an empty value.
      if (count === 1 && t.fields[0] === t.fields[1] && t.fields[2] === 0) return;
      return this.rejectRow(t, ROW_FIELD_COUNT, t.base + t.rowStart, count);
    }
    const fields = t.fields;
    const buf = t.buf;
    const kinds = this.kinds;
    const map = this.columnMap;
    const builders = this.builders;
    const nullBytes = this.nullBytes;
    const row = this.builder.length;
    for (let c = 0; c < kinds.length; c++) {
      const at = (map[c] as number) * 3;
      const start = fields[at] as number;
      const end = fields[at + 1] as number;
      const flags = fields[at + 2] as number;
      const kind = kinds[c];
      // Unquoted nullValue is null; an empty field is null too in a column that cannot hold "".
      if ((kind !== STRING && end === start) || ((flags & FIELD_QUOTED) === 0 && end - start === nullBytes.length && matches(buf, start, nullBytes))) {
        if (!this.nullable[c]) return this.rejectValue(t, row, c, start, 'null');
        (builders[c] as Int32ColumnBuilder).appendNull();
        this.sawNull[c] = 1;
        continue;
      }
      if (kind === STRING) {
        if ((flags & FIELD_ESCAPED) === 0) {
          const strings = builders[c] as StringColumnBuilder;
          if (end - start > SHORT_STRING || this.sawNull[c] !== 0 || !appendShort(strings, buf, start, end)) strings.appendBytes(buf, start, end);
        } else {
          if (this.scratch.length < end - start) this.scratch = new Uint8Array((end - start) * 2);
          const n = unescapeField(buf, start, end, this.dialect.quote, this.dialect.escape, this.scratch);
          (builders[c] as StringColumnBuilder).appendBytes(this.scratch, 0, n);
        }
      } else if (kind === INT32) {
        const value = parseInt32(buf, start, end);
        if (parseStatus !== PARSE_OK) return this.rejectValue(t, row, c, start, 'parse');
        const ints = builders[c] as Int32ColumnBuilder;
        // Straight into the typed array while there is room and no validity bit to keep (see appendShort).
        if (this.sawNull[c] === 0 && ints.length < ints.values.length) ints.values[ints.length++] = value;
        else ints.append(value);
      } else if (kind === FLOAT64) {
        const value = parseFloat64(buf, start, end);
        if (parseStatus !== PARSE_OK) return this.rejectValue(t, row, c, start, 'parse');
        const floats = builders[c] as Float64ColumnBuilder;
        if (this.sawNull[c] === 0 && floats.length < floats.values.length) floats.values[floats.length++] = value;
        else floats.append(value);
      } else if (kind === INT64) {
        const value = parseInt64(buf, start, end);
        if (parseStatus !== PARSE_OK) return this.rejectValue(t, row, c, start, 'parse');
        if (typeof value === 'number') (builders[c] as Int64ColumnBuilder).appendNumber(value);
        else (builders[c] as Int64ColumnBuilder).appendBigInt(value);
      } else {
        const value = parseBool(buf, start, end);
        if (parseStatus !== PARSE_OK) return this.rejectValue(t, row, c, start, 'parse');
        (builders[c] as BoolColumnBuilder).append(value === 1);
      }
    }
    this.delivered++;
    if (this.builder.length >= this.chunkSize) this.finishChunk(t.rowNextOffset);
  }

  /** Moves the rows built so far into {@link ready}, tagged with the offset after the last one. */
  finishChunk(byteOffset: number): void {
    if (this.builder.length === 0) return;
    this.ready.push({ chunk: this.builder.finish(), byteOffset });
    this.sawNull.fill(0);
  }

  text(t: CsvTokenizer, field: number): string {
    return fieldText(t, field, this.dialect);
  }

  private rejectValue(t: CsvTokenizer, row: number, column: number, start: number, why: 'null' | 'parse'): void {
    for (let c = 0; c < column; c++) (this.builders[c] as Int32ColumnBuilder).truncate(row);
    const field = this.schema.fields[column] as Schema['fields'][number];
    const index = this.columnMap[column] as number;
    const found = why === 'null' ? 'an empty value (null)' : JSON.stringify(this.text(t, index));
    const expected = field.type === 'timestamp' ? `an integer timestamp in ${field.unit ?? 'ms'}` : field.type === 'bool' ? 'true, false, 1 or 0' : `${field.type === 'int32' || field.type === 'int64' ? 'an' : 'a'} ${field.type}`;
    const overflow = why === 'parse' && parseStatus === PARSE_OUT_OF_RANGE;
    const reason = `column "${field.name}" (field ${index + 1}): expected ${expected}${why === 'null' ? ' (the field is nullable: false)' : ''}${overflow ? ' in range' : ''}, found ${found}`;
    this.emitReject(t, overflow ? 'FE_CSV_OUT_OF_RANGE' : 'FE_CSV_INVALID_VALUE', t.base + start, reason);
  }

  private rejectRow(t: CsvTokenizer, problem: number, offset: number, count: number): void {
    let code: string;
    let reason: string;
    if (problem === ROW_FIELD_COUNT) {
      code = 'FE_CSV_FIELD_COUNT';
      reason = `expected ${this.expectedFields} fields, found ${count}`;
    } else if (problem === ROW_UNCLOSED_QUOTE) {
      code = 'FE_CSV_UNCLOSED_QUOTE';
      reason = 'expected a closing quote for the quote opened here, found the end of the file';
    } else if (problem === ROW_INVALID_QUOTE) {
      code = 'FE_CSV_INVALID_QUOTE';
      reason = `expected a quote only at the start of a field or doubled inside a quoted one, found ${JSON.stringify(String.fromCharCode(t.buf[offset - t.base] ?? 0))} here`;
    } else if (problem === ROW_FIELD_TOO_LARGE) {
      code = 'FE_CSV_FIELD_TOO_LARGE';
      reason = 'expected a field of at most maxFieldBytes bytes, found a longer one';
    } else {
      code = 'FE_CSV_INVALID_UTF8';
      reason = `expected UTF-8, found the byte 0x${(t.buf[offset - t.base] ?? 0).toString(16).padStart(2, '0')} at byte offset ${offset}`;
    }
    this.emitReject(t, code, offset, reason);
  }

  private emitReject(t: CsvTokenizer, code: string, offset: number, reason: string): void {
    const { line, column } = t.locate(offset);
    const location = `${this.file}:${line}:${column}`;
    const raw = t.buf.subarray(t.rowStart, t.rowEnd);
    let record: string | Uint8Array;
    try {
      record = strictDecoder.decode(raw);
    } catch {
      record = raw.slice(); // not UTF-8: keep the exact bytes rather than a lossy string
    }
    this.rejected++;
    try {
      // The host prefixes the location to the reason in messages, so the reason does not repeat it.
      this.reject({ record, reason, code, location });
    } catch (error) {
      throw error instanceof FlowEngineError ? error : FlowEngineError.from(error);
    }
  }
}

const SHORT_STRING = 32;

/**
 * Appends a short string by a byte loop straight into the builder's public offsets/bytes, when
 * there is room and the column has had no null since its last reset (so no validity bit needs
 * setting). `appendBytes` makes a subarray per value; for the 5-30 byte strings typical of CSV
 * that allocation and the native copy cost more than the copy itself. Returns false when the
 * caller must use `appendBytes` (which grows the arrays).
 */
function appendShort(strings: StringColumnBuilder, buf: Uint8Array, start: number, end: number): boolean {
  const i = strings.length;
  const offsets = strings.offsets;
  const at = strings.byteLength;
  const next = at + (end - start);
  if (i + 1 >= offsets.length || next > strings.bytes.length) return false;
  const bytes = strings.bytes;
  for (let k = start, o = at; k < end; k++, o++) bytes[o] = buf[k] as number;
  offsets[i + 1] = next;
  strings.byteLength = next;
  strings.length = i + 1;
  return true;
}

/** A field of the current row as a JS string, for header names and messages (never on the hot path). */
export function fieldText(t: CsvTokenizer, field: number, dialect: Dialect): string {
  const start = t.fields[field * 3] as number;
  const end = t.fields[field * 3 + 1] as number;
  if (((t.fields[field * 3 + 2] as number) & FIELD_ESCAPED) === 0) return decoder.decode(t.buf.subarray(start, end));
  const out = new Uint8Array(end - start);
  const n = unescapeField(t.buf, start, end, dialect.quote, dialect.escape, out);
  return decoder.decode(out.subarray(0, n));
}

/** Not a tokenizer state: the row has the wrong number of fields. */
const ROW_FIELD_COUNT = 100;

function matches(buf: Uint8Array, start: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}
