import type { BoolColumn, Chunk, Column, Float64Column, Int32Column, Int64Column, StringColumn } from '@flowengine/sdk';
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
 * round-trip form.
 */
export function writeRows(out: ByteWriter, chunk: Chunk, from: number, to: number, style: FieldStyle): void {
  const columns = chunk.columns;
  const width = columns.length;
  const delimiter = style.delimiter;
  const nullBytes = style.nullBytes;
  for (let r = from; r < to; r++) {
    for (let c = 0; c < width; c++) {
      if (c > 0) out.byte(delimiter);
      const column = columns[c] as Column;
      if (column.validity !== null && column.isNull(r)) {
        out.copy(nullBytes, 0, nullBytes.length);
        continue;
      }
      switch (column.type) {
        case 'string': {
          const strings = column as StringColumn;
          writeTextField(out, strings.bytes, strings.offsets[r] as number, strings.offsets[r + 1] as number, style);
          break;
        }
        case 'int32':
          writeInteger(out, (column as Int32Column).values[r] as number);
          break;
        case 'float64':
          writeFloat(out, (column as Float64Column).values[r] as number);
          break;
        case 'int64':
        case 'timestamp': {
          const n = (column as Int64Column).getNumber(r);
          if (n >= -Number.MAX_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) writeInteger(out, n);
          else out.ascii(String((column as Int64Column).values[r]));
          break;
        }
        case 'bool': {
          const word = (column as BoolColumn).getBool(r) ? TRUE : FALSE;
          out.copy(word, 0, word.length);
          break;
        }
      }
    }
    out.byte(LF);
  }
}
