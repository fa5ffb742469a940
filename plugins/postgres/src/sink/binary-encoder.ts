import type { BoolColumn, Chunk, Column, Float64Column, Int32Column, Int64Column, StringColumn, TimeUnit } from '@flowengine/sdk';
import { BINARY_COPY_HEADER_BYTES, BINARY_COPY_SIGNATURE, floorDiv, MICROS_PER_DAY, MICROS_PER_UNIT, PG_EPOCH_MICROS, TWO_POW_32 } from '../catalog/wire.js';
import type { EncodedRows } from './encoder.js';

/**
 * How one field goes on the wire in binary COPY: the bytes the target column's receive function
 * expects, from the chunk column's type. Only pairs that load exactly what COPY text loads are
 * here; `copy-format.ts` picks text for any other.
 */
export const WIRE = {
  int4FromInt32: 0,
  int8FromInt32: 1,
  float4FromInt32: 2,
  float8FromInt32: 3,
  int8FromInt64: 4,
  float8FromInt64: 5,
  float8FromFloat64: 6,
  bool: 7,
  text: 8,
  /** timestamp/timestamptz: int64 µs since 2000-01-01 UTC. */
  timestampFromTimestamp: 9,
  /** date: int32 days since 2000-01-01. */
  dateFromTimestamp: 10,
} as const;

export type Wire = (typeof WIRE)[keyof typeof WIRE];

/** Payload bytes of each wire kind (text varies: 0 here, its length is added per value). */
const WIDTH: Record<Wire, number> = {
  [WIRE.int4FromInt32]: 4, [WIRE.int8FromInt32]: 8, [WIRE.float4FromInt32]: 4, [WIRE.float8FromInt32]: 8, [WIRE.int8FromInt64]: 8,
  [WIRE.float8FromInt64]: 8, [WIRE.float8FromFloat64]: 8, [WIRE.bool]: 1, [WIRE.text]: 0, [WIRE.timestampFromTimestamp]: 8, [WIRE.dateFromTimestamp]: 4,
};

/** The signature, flags 0 and no header extension: starts every binary COPY. */
export const BINARY_HEADER: Buffer = Buffer.concat([BINARY_COPY_SIGNATURE, Buffer.alloc(BINARY_COPY_HEADER_BYTES - BINARY_COPY_SIGNATURE.length)]);
/** Field count -1: ends every binary COPY. */
export const BINARY_TRAILER: Buffer = Buffer.from([0xff, 0xff]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/**
 * Sent for a timestamp past int64 µs: finite but outside Postgres' range, so the server refuses it
 * ("timestamp out of range", a row error) as it refuses the text of such a year, instead of
 * reading INT64_MAX/MIN as ±infinity.
 */
const TIMESTAMP_OUT_OF_RANGE = INT64_MAX - 1n;

/**
 * Writes a chunk's rows in COPY binary format (no header or trailer: a COPY may carry many
 * chunks, and a replay starts a new one). Sizes every row first, then fills one column at a time,
 * so each column's loop reads one typed array and writes one kind of field; no row objects, no
 * number formatting.
 */
export function encodeBinaryRows(chunk: Chunk, wires: readonly Wire[]): EncodedRows {
  const rows = chunk.length;
  const columns = chunk.columns;
  const rowEnds = rowSizes(columns, wires, rows);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    total += rowEnds[r] as number;
    rowEnds[r] = total;
  }
  const buf = Buffer.allocUnsafe(total);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // cursor[r]: where row r's next field goes.
  const cursor = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const start = r === 0 ? 0 : rowEnds[r - 1] as number;
    view.setInt16(start, columns.length);
    cursor[r] = start + 2;
  }
  columns.forEach((column, c) => writeColumn(wires[c] as Wire, column, buf, view, cursor, rows));
  return { data: buf, rowEnds };
}

/** Each row's byte size: field count, a length word per field, and the payloads of its non-null values. */
function rowSizes(columns: readonly Column[], wires: readonly Wire[], rows: number): Int32Array {
  let fixed = 2;
  wires.forEach((wire) => (fixed += 4 + WIDTH[wire]));
  const sizes = new Int32Array(rows).fill(fixed);
  columns.forEach((column, c) => {
    const width = WIDTH[wires[c] as Wire];
    const validity = column.validity;
    if (column.type === 'string') {
      const offsets = column.offsets;
      for (let r = 0; r < rows; r++) {
        if (validity === null || isValid(validity, r)) sizes[r] = (sizes[r] as number) + (offsets[r + 1] as number) - (offsets[r] as number);
      }
    } else if (validity !== null) {
      for (let r = 0; r < rows; r++) if (!isValid(validity, r)) sizes[r] = (sizes[r] as number) - width;
    }
  });
  return sizes;
}

function isValid(validity: Uint8Array, r: number): boolean {
  return ((validity[r >> 3] as number) & (1 << (r & 7))) !== 0;
}

function writeColumn(wire: Wire, column: Column, buf: Buffer, view: DataView, cursor: Int32Array, rows: number): void {
  switch (wire) {
    case WIRE.int4FromInt32: return writeInt4(view, cursor, column as Int32Column, rows);
    case WIRE.int8FromInt32: return writeInt8FromInt32(view, cursor, column as Int32Column, rows);
    case WIRE.float4FromInt32: return writeFloat4FromInt32(view, cursor, column as Int32Column, rows);
    case WIRE.float8FromInt32: return writeFloat8FromInt32(view, cursor, column as Int32Column, rows);
    case WIRE.int8FromInt64: return writeInt8(view, cursor, column as Int64Column, rows);
    case WIRE.float8FromInt64: return writeFloat8FromInt64(view, cursor, column as Int64Column, rows);
    case WIRE.float8FromFloat64: return writeFloat8(view, cursor, column as Float64Column, rows);
    case WIRE.bool: return writeBool(buf, view, cursor, column as BoolColumn, rows);
    case WIRE.text: return writeText(buf, view, cursor, column as StringColumn, rows);
    case WIRE.timestampFromTimestamp: return writeTimestamps(view, cursor, column as Int64Column, rows, false);
    case WIRE.dateFromTimestamp: return writeTimestamps(view, cursor, column as Int64Column, rows, true);
  }
}

// One loop per wire kind: each stays monomorphic (one typed array, one write shape), which is
// what makes the column-at-a-time fill fast.

function writeInt4(view: DataView, cursor: Int32Array, column: Int32Column, rows: number): void {
  const { values, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      view.setInt32(p, 4);
      view.setInt32(p + 4, values[r] as number);
      cursor[r] = p + 8;
    }
  }
}

function writeInt8FromInt32(view: DataView, cursor: Int32Array, column: Int32Column, rows: number): void {
  const { values, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      const value = values[r] as number;
      view.setInt32(p, 8);
      view.setInt32(p + 4, value >> 31); // the sign, extended into the high word
      view.setInt32(p + 8, value);
      cursor[r] = p + 12;
    }
  }
}

function writeFloat4FromInt32(view: DataView, cursor: Int32Array, column: Int32Column, rows: number): void {
  const { values, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      // Rounds the exact integer to nearest float4, as float4in does with its decimal text.
      view.setInt32(p, 4);
      view.setFloat32(p + 4, values[r] as number);
      cursor[r] = p + 8;
    }
  }
}

function writeFloat8FromInt32(view: DataView, cursor: Int32Array, column: Int32Column, rows: number): void {
  const { values, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      view.setInt32(p, 8);
      view.setFloat64(p + 4, values[r] as number);
      cursor[r] = p + 12;
    }
  }
}

/** Copies the two 32-bit words of each value (Arrow buffers are little-endian; copy-format.ts checks the host is too). */
function writeInt8(view: DataView, cursor: Int32Array, column: Int64Column, rows: number): void {
  const { words, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      view.setInt32(p, 8);
      view.setInt32(p + 4, words[2 * r + 1] as number);
      view.setInt32(p + 8, words[2 * r] as number);
      cursor[r] = p + 12;
    }
  }
}

function writeFloat8FromInt64(view: DataView, cursor: Int32Array, column: Int64Column, rows: number): void {
  const { words, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      // Both terms are exact doubles, so the one addition rounds the exact int64 to nearest,
      // as float8in does with its decimal text.
      view.setInt32(p, 8);
      view.setFloat64(p + 4, (words[2 * r + 1] as number) * TWO_POW_32 + ((words[2 * r] as number) >>> 0));
      cursor[r] = p + 12;
    }
  }
}

function writeFloat8(view: DataView, cursor: Int32Array, column: Float64Column, rows: number): void {
  const { values, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      view.setInt32(p, 8);
      view.setFloat64(p + 4, values[r] as number);
      cursor[r] = p + 12;
    }
  }
}

function writeBool(buf: Buffer, view: DataView, cursor: Int32Array, column: BoolColumn, rows: number): void {
  const { values, validity } = column;
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
    } else {
      view.setInt32(p, 1);
      buf[p + 4] = ((values[r >> 3] as number) >> (r & 7)) & 1;
      cursor[r] = p + 5;
    }
  }
}

/** Raw UTF-8: textrecv, varcharrecv and bpcharrecv check the encoding and length as their text input does. */
function writeText(buf: Buffer, view: DataView, cursor: Int32Array, column: StringColumn, rows: number): void {
  const { offsets, bytes, validity } = column;
  for (let r = 0; r < rows; r++) {
    let p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
      continue;
    }
    const start = offsets[r] as number;
    const end = offsets[r + 1] as number;
    view.setInt32(p, end - start);
    p += 4;
    // A byte loop beats set() + subarray() for the short strings most columns hold.
    if (end - start < 32) {
      for (let i = start; i < end; i++) buf[p++] = bytes[i] as number;
    } else {
      buf.set(bytes.subarray(start, end), p);
      p += end - start;
    }
    cursor[r] = p;
  }
}

function writeTimestamps(view: DataView, cursor: Int32Array, column: Int64Column, rows: number, asDate: boolean): void {
  const validity = column.validity;
  const unit = column.unit ?? 'ms';
  const scale = MICROS_PER_UNIT[unit];
  for (let r = 0; r < rows; r++) {
    const p = cursor[r] as number;
    if (validity !== null && !isValid(validity, r)) {
      view.setInt32(p, -1);
      cursor[r] = p + 4;
      continue;
    }
    const value = column.getNumber(r);
    const micros = unit === 'ns' ? Math.floor(value / 1000) : value * scale;
    if (Number.isSafeInteger(value) && Number.isSafeInteger(micros)) {
      const sincePg = micros - PG_EPOCH_MICROS;
      if (asDate) {
        view.setInt32(p, 4);
        view.setInt32(p + 4, Math.floor(sincePg / MICROS_PER_DAY));
        cursor[r] = p + 8;
      } else {
        const high = Math.floor(sincePg / TWO_POW_32);
        view.setInt32(p, 8);
        view.setInt32(p + 4, high);
        view.setUint32(p + 8, sincePg - high * TWO_POW_32);
        cursor[r] = p + 12;
      }
    } else {
      cursor[r] = writeWideTimestamp(view, p, column.values[r] as bigint, unit, asDate);
    }
  }
}

/** A timestamp beyond 2^53 µs (past the year 2255, or ns precision): exact bigint arithmetic. */
function writeWideTimestamp(view: DataView, p: number, value: bigint, unit: TimeUnit, asDate: boolean): number {
  const micros = unit === 'ns' ? floorDiv(value, 1000n) : value * BigInt(MICROS_PER_UNIT[unit]);
  const sincePg = micros - BigInt(PG_EPOCH_MICROS);
  if (asDate) {
    // |days| < 2^31 always (int64 µs / µs per day); the server checks the date range.
    view.setInt32(p, 4);
    view.setInt32(p + 4, Number(floorDiv(sincePg, BigInt(MICROS_PER_DAY))));
    return p + 8;
  }
  view.setInt32(p, 8);
  view.setBigInt64(p + 4, sincePg <= INT64_MIN || sincePg >= INT64_MAX ? TIMESTAMP_OUT_OF_RANGE : sincePg);
  return p + 12;
}
