import {
  ChunkBuilder, FlowEngineError,
  type BoolColumnBuilder, type Chunk, type Float64ColumnBuilder, type Int32ColumnBuilder, type Int64ColumnBuilder,
  type RejectedRow, type Schema, type StringColumnBuilder,
} from '@flowengine/sdk';
import { BOOL, FLOAT64, INT32, INT64, STRING, columnKinds } from '../column-kind.js';
import type { Dialect } from '../dialect.js';
import { isNullText } from '../null-value.js';
import { PARSE_OK, PARSE_OUT_OF_RANGE, parseBool, parseFloat64, parseInt32, parseInt64, parseStatus } from '../parse/numbers.js';
import {
  FIELD_ESCAPED, FIELD_QUOTED, ROW_FIELD_TOO_LARGE, ROW_INVALID_QUOTE, ROW_INVALID_UTF8, ROW_OK, ROW_UNCLOSED_QUOTE,
  unescapeField, type CsvTokenizer, type RowHandler,
} from '../parse/tokenizer.js';

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

  constructor(
    private readonly schema: Schema,
    private readonly dialect: Dialect,
    private readonly nullBytes: Uint8Array,
    private readonly chunkSize: number,
    private readonly reject: (row: RejectedRow) => void,
  ) {
    this.builder = new ChunkBuilder(schema, { capacity: chunkSize });
    this.kinds = columnKinds(schema);
    this.nullable = schema.fields.map((field) => field.nullable);
    this.builders = schema.fields.map((_, i) => this.builder.column(i));
    this.columnMap = Int32Array.from(schema.fields, (_, i) => i);
    this.expectedFields = schema.fields.length;
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
      if ((kind !== STRING && end === start) || ((flags & FIELD_QUOTED) === 0 && isNullText(buf, start, end, nullBytes))) {
        if (!this.nullable[c]) return this.rejectValue(t, row, c, start, 'null');
        (builders[c] as Int32ColumnBuilder).appendNull();
        continue;
      }
      if (kind === STRING) {
        if ((flags & FIELD_ESCAPED) === 0) {
          (builders[c] as StringColumnBuilder).appendBytes(buf, start, end);
        } else {
          if (this.scratch.length < end - start) this.scratch = new Uint8Array((end - start) * 2);
          const n = unescapeField(buf, start, end, this.dialect.quote, this.dialect.escape, this.scratch);
          (builders[c] as StringColumnBuilder).appendBytes(this.scratch, 0, n);
        }
      } else if (kind === INT32) {
        const value = parseInt32(buf, start, end);
        if (parseStatus !== PARSE_OK) return this.rejectValue(t, row, c, start, 'parse');
        (builders[c] as Int32ColumnBuilder).append(value);
      } else if (kind === FLOAT64) {
        const value = parseFloat64(buf, start, end);
        if (parseStatus !== PARSE_OK) return this.rejectValue(t, row, c, start, 'parse');
        (builders[c] as Float64ColumnBuilder).append(value);
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
