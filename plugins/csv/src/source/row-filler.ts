import {
  ChunkBuilder, FlowEngineError,
  type BoolColumnBuilder, type Chunk, type Float64ColumnBuilder, type Int32ColumnBuilder, type Int64ColumnBuilder,
  type RejectedRow, type Schema, type StringColumnBuilder,
} from '@flowengine/sdk';
import { BOOL, FLOAT64, INT32, INT64, STRING, columnKinds } from '../column-kind.js';
import type { Dialect } from '../dialect.js';
import { isNullText } from '../null-value.js';
import {
  PARSE_OK, PARSE_OUT_OF_RANGE, parseBool, parseFloat64, parseInt32, parseInt64, parseStatus, scanEnd, scanPlainDecimal, scanPlainInteger,
} from '../parse/numbers.js';
import {
  FIELD_ESCAPED, FIELD_QUOTED, ROW_FIELD_TOO_LARGE, ROW_INVALID_QUOTE, ROW_INVALID_UTF8, ROW_OK, ROW_UNCLOSED_QUOTE,
  unescapeField, type CsvTokenizer, type RowHandler,
} from '../parse/tokenizer.js';

const LF = 10;
const CR = 13;
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
  /** Whether {@link takeSimpleRow} may run: the file's fields are the schema's columns, in order. */
  private simpleRows: boolean;
  /** Per byte: nonzero when it ends an unquoted field (delimiter, quote, CR, LF), as in the tokenizer. */
  private readonly special = new Uint8Array(256);
  /** Per byte: nonzero when it stops the fast path's scan inside quotes (quote, escape, CR, LF). */
  private readonly quotedSpecial = new Uint8Array(256);

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
    this.simpleRows = this.expectedFields > 0;
    for (const b of [dialect.delimiter, dialect.quote, LF, CR]) if (b >= 0) this.special[b] = 1;
    for (const b of [dialect.quote, dialect.escape, LF, CR]) if (b >= 0) this.quotedSpecial[b] = 1;
  }

  /** Which field of a row feeds each schema column, and how many fields a row must have. */
  mapColumns(columnMap: Int32Array, expectedFields: number): void {
    this.columnMap = columnMap;
    this.expectedFields = expectedFields;
    this.simpleRows = expectedFields > 0 && expectedFields === this.kinds.length && columnMap.every((field, column) => field === column);
  }

  /**
   * The fast path for the common row (see {@link RowHandler.takeSimpleRow}): one line, one field
   * per schema column in order, ending at LF or CRLF before `limit`, every value fitting its
   * column. Its bytes are read once, straight into the columns, with no field table in between.
   * Anything else — a line break or escape character inside quotes, a stray quote, a lone CR, a
   * wrong field count, a value that does not parse, a null where none may be, a header, a row
   * before the resume point — undoes what this row appended and returns -1, so the tokenizer's
   * general path reads the row and reports its problem.
   */
  takeSimpleRow(buf: Uint8Array, pos: number, limit: number, base: number): number {
    if (!this.simpleRows || this.onHeader !== undefined || base + pos < this.skipUntil) return -1;
    const kinds = this.kinds;
    const builders = this.builders;
    const special = this.special;
    const delimiter = this.dialect.delimiter;
    const nullBytes = this.nullBytes;
    const nullLength = nullBytes.length;
    const last = kinds.length - 1;
    const row = this.builder.length;
    const quote = this.dialect.quote;
    const inQuotes = this.quotedSpecial;
    let p = pos;
    for (let c = 0; c <= last; c++) {
      let start = p;
      let end: number;
      let quoted = false;
      let escaped = false;
      /** Whether `plainValue` is the field's value, read while it was scanned (number columns). */
      let plain = false;
      let plainValue = 0;
      const kind = kinds[c];
      if (buf[p] === quote) {
        // Quoted on one line, with RFC 4180 doubling only: a line break (whose lines the general
        // path counts) or a distinct escape character inside the quotes sends the row there.
        quoted = true;
        start = ++p;
        for (;;) {
          while (p < limit && inQuotes[buf[p] as number] === 0) p++;
          if (p + 1 >= limit || buf[p] !== quote) return this.undoRow(row, c);
          if (buf[p + 1] !== quote) break;
          escaped = true;
          p += 2;
        }
        end = p++;
      } else {
        // A number column's usual plain form is read as it is scanned, so its bytes are read once;
        // anything else (a sign on an integer, an exponent, 16+ digits) is parsed again below.
        if (kind === INT32 || kind === INT64) {
          plainValue = scanPlainInteger(buf, start, limit);
          p = scanEnd;
        } else if (kind === FLOAT64) {
          plainValue = scanPlainDecimal(buf, start, limit);
          p = scanEnd;
        }
        const plainEnd = p;
        while (p < limit && special[buf[p] as number] === 0) p++;
        end = p;
        plain = end === plainEnd;
      }
      if (p >= limit) return this.undoRow(row, c);
      const stop = buf[p] as number;
      if (c < last ? stop !== delimiter : stop !== LF && stop !== CR) return this.undoRow(row, c);
      p++;
      // The general path's null rule: an empty non-string field, or unquoted nullValue text.
      if (end === start ? kind !== STRING || (!quoted && nullLength === 0) : !quoted && nullLength !== 0 && isNullText(buf, start, end, nullBytes)) {
        if (!this.nullable[c]) return this.undoRow(row, c);
        (builders[c] as Int32ColumnBuilder).appendNull();
        continue;
      }
      if (!plain) {
        if (!this.appendField(c, kind as number, buf, start, end, escaped)) return this.undoRow(row, c);
      } else if (kind === INT32 && plainValue <= 2147483647) {
        (builders[c] as Int32ColumnBuilder).append(plainValue);
      } else if (kind === FLOAT64) {
        (builders[c] as Float64ColumnBuilder).append(plainValue);
      } else if (kind === INT64) {
        (builders[c] as Int64ColumnBuilder).appendNumber(plainValue);
      } else if (!this.appendField(c, kind as number, buf, start, end, escaped)) {
        return this.undoRow(row, c);
      }
    }
    if (buf[p - 1] === CR) {
      if (p >= limit || buf[p] !== LF) return this.undoRow(row, last + 1);
      p++;
    }
    this.delivered++;
    if (this.builder.length >= this.chunkSize) this.finishChunk(base + p);
    return p;
  }

  /** Drops what columns `[0, columns)` got from the row being taken; returns -1 for the caller to pass on. */
  private undoRow(row: number, columns: number): number {
    for (let c = 0; c < columns; c++) (this.builders[c] as Int32ColumnBuilder).truncate(row);
    return -1;
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
      if (!this.appendField(c, kind as number, buf, start, end, (flags & FIELD_ESCAPED) !== 0)) return this.rejectValue(t, row, c, start, 'parse');
    }
    this.delivered++;
    if (this.builder.length >= this.chunkSize) this.finishChunk(t.rowNextOffset);
  }

  /**
   * Appends field `[start, end)` of `buf` to column `c`, parsed as its kind (a string copied as
   * UTF-8, unescaped when `escaped`). Returns false, appending nothing, when the bytes do not parse;
   * `parseStatus` then says whether they were invalid or out of range.
   */
  private appendField(c: number, kind: number, buf: Uint8Array, start: number, end: number, escaped: boolean): boolean {
    const builder = this.builders[c];
    if (kind === STRING) {
      if (!escaped) {
        (builder as StringColumnBuilder).appendBytes(buf, start, end);
      } else {
        if (this.scratch.length < end - start) this.scratch = new Uint8Array((end - start) * 2);
        const n = unescapeField(buf, start, end, this.dialect.quote, this.dialect.escape, this.scratch);
        (builder as StringColumnBuilder).appendBytes(this.scratch, 0, n);
      }
      return true;
    }
    if (kind === INT32) {
      const value = parseInt32(buf, start, end);
      if (parseStatus !== PARSE_OK) return false;
      (builder as Int32ColumnBuilder).append(value);
    } else if (kind === FLOAT64) {
      const value = parseFloat64(buf, start, end);
      if (parseStatus !== PARSE_OK) return false;
      (builder as Float64ColumnBuilder).append(value);
    } else if (kind === INT64) {
      const value = parseInt64(buf, start, end);
      if (parseStatus !== PARSE_OK) return false;
      if (typeof value === 'number') (builder as Int64ColumnBuilder).appendNumber(value);
      else (builder as Int64ColumnBuilder).appendBigInt(value);
    } else {
      const value = parseBool(buf, start, end);
      if (parseStatus !== PARSE_OK) return false;
      (builder as BoolColumnBuilder).append(value === 1);
    }
    return true;
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
