import type { BoolColumn, Chunk, Float64Column, Int32Column, Int64Column, StringColumn } from '@flowengine/sdk';
import { FLOAT64, INT32, INT64, STRING } from '../column-kind.js';
import type { ByteWriter } from '../format/byte-writer.js';
import { writeTextField, type FieldStyle } from '../format/fields.js';
import { writeFloat, writeInteger } from '../format/numbers.js';

const LF = 10;
const TRUE = new TextEncoder().encode('true');
const FALSE = new TextEncoder().encode('false');
const encoder = new TextEncoder();

/** Writes the header line: field names, quoted where needed. */
export function writeHeader(out: ByteWriter, names: readonly string[], style: FieldStyle): void {
  names.forEach((name, i) => {
    if (i > 0) out.byte(style.delimiter);
    const bytes = encoder.encode(name);
    writeTextField(out, bytes, 0, bytes.length, { ...style, escapeFormulae: false });
  });
  out.byte(LF);
}

/**
 * Formats rows `[from, to)` of a chunk as CSV lines. Columns are read from their typed arrays:
 * strings are copied as UTF-8 bytes, integers written digit by digit, floats in their shortest
 * round-trip form. `kinds` are `columnKinds(schema)`, computed once per sink.
 */
export function writeRows(out: ByteWriter, chunk: Chunk, from: number, to: number, kinds: Uint8Array, style: FieldStyle): void {
  const columns = chunk.columns;
  const width = columns.length;
  const delimiter = style.delimiter;
  const nullBytes = style.nullBytes;
  for (let r = from; r < to; r++) {
    for (let c = 0; c < width; c++) {
      if (c > 0) out.byte(delimiter);
      const column = columns[c] as StringColumn;
      if (column.validity !== null && column.isNull(r)) {
        out.copy(nullBytes, 0, nullBytes.length);
        continue;
      }
      const kind = kinds[c];
      if (kind === STRING) {
        writeTextField(out, column.bytes, column.offsets[r] as number, column.offsets[r + 1] as number, style);
      } else if (kind === INT32) {
        writeInteger(out, (column as unknown as Int32Column).values[r] as number);
      } else if (kind === FLOAT64) {
        writeFloat(out, (column as unknown as Float64Column).values[r] as number);
      } else if (kind === INT64) {
        const int64 = column as unknown as Int64Column;
        const n = int64.getNumber(r);
        if (n >= -Number.MAX_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) writeInteger(out, n);
        else out.ascii(String(int64.values[r]));
      } else {
        const word = (column as unknown as BoolColumn).getBool(r) ? TRUE : FALSE;
        out.copy(word, 0, word.length);
      }
    }
    out.byte(LF);
  }
}
