import { Schema, type FieldInput } from '@flowengine/sdk';
import { isNullText } from '../null-value.js';
import { PARSE_OK, parseBool, parseFloat64, parseInt32, parseInt64, parseStatus } from '../parse/numbers.js';
import { FIELD_QUOTED, ROW_OK, type CsvTokenizer, type RowHandler } from '../parse/tokenizer.js';

/**
 * Guesses column types from the first rows: the narrowest of int32, int64, float64 that every
 * non-empty value fits, bool when every value is true/false, else string. A column with no
 * value in the sample is a string. Every inferred field is nullable.
 */
export class SchemaSampler implements RowHandler {
  rows = 0;
  header: string[] | undefined;
  private readonly candidates: Array<{ int32: boolean; int64: boolean; float64: boolean; bool: boolean; seen: boolean }> = [];

  constructor(private readonly wantHeader: boolean, private readonly limit: number, private readonly nullBytes: Uint8Array,
    private readonly decodeText: (t: CsvTokenizer, field: number) => string) {}

  get done(): boolean {
    return this.rows >= this.limit;
  }

  onRow(t: CsvTokenizer): void {
    if (this.wantHeader && this.header === undefined) {
      this.header = [];
      for (let f = 0; f < t.fieldCount; f++) this.header.push(this.decodeText(t, f));
      return;
    }
    if (this.done || t.rowError !== ROW_OK) return;
    if (t.fieldCount === 1 && t.fields[0] === t.fields[1] && this.candidates.length > 1) return;
    this.rows++;
    for (let f = 0; f < t.fieldCount; f++) {
      const start = t.fields[f * 3] as number;
      const end = t.fields[f * 3 + 1] as number;
      const quoted = ((t.fields[f * 3 + 2] as number) & FIELD_QUOTED) !== 0;
      let c = this.candidates[f];
      if (c === undefined) this.candidates[f] = c = { int32: true, int64: true, float64: true, bool: true, seen: false };
      if (start === end || (!quoted && isNullText(t.buf, start, end, this.nullBytes))) continue;
      c.seen = true;
      if (c.int32) c.int32 = (parseInt32(t.buf, start, end), parseStatus === PARSE_OK);
      if (c.int64) c.int64 = (parseInt64(t.buf, start, end), parseStatus === PARSE_OK);
      if (c.float64) c.float64 = (parseFloat64(t.buf, start, end), parseStatus === PARSE_OK);
      if (c.bool) c.bool = end - start > 1 && (parseBool(t.buf, start, end), parseStatus === PARSE_OK);
    }
  }

  /** The inferred schema over `names` (header names, or column1..N). */
  schema(names: readonly string[]): Schema {
    const fields: FieldInput[] = names.map((name, i) => {
      const c = this.candidates[i];
      const type = c === undefined || !c.seen ? 'string' : c.int32 ? 'int32' : c.int64 ? 'int64' : c.float64 ? 'float64' : c.bool ? 'bool' : 'string';
      return { name, type };
    });
    return Schema.of(fields);
  }

  get width(): number {
    return this.header?.length ?? this.candidates.length;
  }
}
