import { BoolColumn, Float64Column, Int32Column, Int64Column, StringColumn, type Chunk, type Column, type TimeUnit } from '@flowengine/sdk';
import { FIELD_KIND as KIND } from '../catalog/types.js';
import { floorDiv, MICROS_PER_UNIT } from '../catalog/wire.js';
import { civilFromDays } from './civil.js';

/** One chunk as COPY text rows, with where each row ends so a failed batch can be split. */
export interface EncodedRows {
  readonly data: Buffer;
  /** `rowEnds[i]` is the offset just past row i's newline. */
  readonly rowEnds: Int32Array;
}

/**
 * Writes a chunk (or its rows `from` to `to`) in Postgres' COPY text format: fields separated by
 * tabs, `\N` for null, backslash, tab, newline and carriage return escaped in strings, timestamps
 * as ISO text in UTC. Works column value by column value straight from the typed arrays; no row objects.
 */
export function encodeChunk(chunk: Chunk, from = 0, to = chunk.length): EncodedRows {
  const columns = chunk.columns;
  const rows = to - from;
  let estimate = rows * columns.length * 4 + 64;
  for (const column of columns) {
    if (column instanceof StringColumn) estimate += ((column.offsets[to] as number) - (column.offsets[from] as number)) * 2;
    else estimate += rows * (column.type === 'timestamp' ? 32 : column.type === 'bool' ? 2 : 24);
  }
  const out = new Writer(estimate);
  const rowEnds = new Int32Array(rows);
  const last = columns.length - 1;
  // Per column: its parser kind and validity, looked up once instead of per value.
  const kinds = Uint8Array.from(columns, kindOf);
  const validity = columns.map((column) => column.validity);
  for (let r = from; r < to; r++) {
    for (let c = 0; c <= last; c++) {
      const bits = validity[c];
      if (bits !== null && bits !== undefined && ((bits[r >> 3] as number) & (1 << (r & 7))) === 0) out.nullMarker();
      else writeValue(out, kinds[c] as number, columns[c] as Column, r);
      out.byte(c === last ? 10 : 9);
    }
    rowEnds[r - from] = out.length;
  }
  return { data: out.finish(), rowEnds };
}

/** Exact seconds and µs of a timestamp too large for a double's integers. */
function splitMicros(value: bigint, unit: TimeUnit): [number, number] {
  const micros = unit === 'ns' ? floorDiv(value, 1000n) : value * BigInt(MICROS_PER_UNIT[unit]);
  const seconds = floorDiv(micros, 1_000_000n);
  return [Number(seconds), Number(micros - seconds * 1_000_000n)];
}

function kindOf(column: Column): number {
  return KIND[column.type];
}

function writeValue(out: Writer, kind: number, column: Column, r: number): void {
  switch (kind) {
    case KIND.string: {
      const strings = column as StringColumn;
      out.escaped(strings.bytes, strings.offsets[r] as number, strings.offsets[r + 1] as number);
      return;
    }
    case KIND.int32:
      out.integer((column as Int32Column).values[r] as number);
      return;
    case KIND.int64: {
      const int64 = column as Int64Column;
      const value = int64.getNumber(r);
      if (Number.isSafeInteger(value)) out.integer(value);
      else out.ascii((int64.values[r] as bigint).toString());
      return;
    }
    case KIND.timestamp: {
      const times = column as Int64Column;
      const value = times.getNumber(r);
      const unit = times.unit ?? 'ms';
      const micros = value * MICROS_PER_UNIT[unit];
      if (Number.isSafeInteger(value) && Number.isSafeInteger(micros)) {
        const seconds = Math.floor(micros / 1_000_000);
        out.timestamp(seconds, micros - seconds * 1_000_000);
      } else {
        out.timestamp(...splitMicros(times.values[r] as bigint, unit));
      }
      return;
    }
    case KIND.float64: {
      const value = (column as Float64Column).values[r] as number;
      // Small integers skip V8's number-to-string; String(-0) is "0", so -0 is spelled out.
      if ((value | 0) === value) {
        if (value === 0 && 1 / value < 0) out.ascii('-0');
        else out.integer(value);
      } else {
        out.ascii(String(value));
      }
      return;
    }
    default:
      out.byte((column as BoolColumn).getBool(r) ? 116 : 102);
  }
}

/** A growable byte buffer with the few writes COPY text needs. */
class Writer {
  #buf: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  /** `\\N`, COPY text's null. */
  nullMarker(): void {
    if (this.length + 2 > this.#buf.length) this.#grow(2);
    this.#buf[this.length++] = 92;
    this.#buf[this.length++] = 78;
  }

  byte(value: number): void {
    if (this.length >= this.#buf.length) this.#grow(1);
    this.#buf[this.length++] = value;
  }

  ascii(text: string): void {
    if (this.length + text.length > this.#buf.length) this.#grow(text.length);
    this.length += this.#buf.write(text, this.length, 'latin1');
  }

  integer(value: number): void {
    if (value < 0) {
      this.byte(45);
      value = -value;
    }
    if (value < 10) return this.byte(48 + value);
    if (this.length + 20 > this.#buf.length) this.#grow(20);
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      const next = Math.floor(value / 10);
      this.#buf[--at] = 48 + value - next * 10;
      value = next;
    } while (value > 0);
  }

  /** Copies UTF-8 bytes, escaping the four bytes COPY text gives meaning to. */
  escaped(bytes: Uint8Array, start: number, end: number): void {
    if (this.length + 2 * (end - start) > this.#buf.length) this.#grow(2 * (end - start));
    const buf = this.#buf;
    let n = this.length;
    for (let i = start; i < end; i++) {
      const b = bytes[i] as number;
      if (b > 13 ? b !== 92 : b !== 9 && b !== 10 && b !== 13) {
        buf[n++] = b;
        continue;
      }
      buf[n++] = 92;
      buf[n++] = b === 9 ? 116 : b === 10 ? 110 : b === 13 ? 114 : 92;
    }
    this.length = n;
  }

  /** `YYYY-MM-DD HH:MM:SS.ffffff+00` (` BC` for years before 1) from whole seconds since the epoch and µs. */
  timestamp(seconds: number, micros: number): void {
    const fraction = Math.floor(micros);
    const days = Math.floor(seconds / 86400);
    let rest = seconds - days * 86400;
    const { year, month, day } = civilFromDays(days);
    const bc = year <= 0;
    this.padded(bc ? 1 - year : year, 4);
    this.byte(45);
    this.padded(month, 2);
    this.byte(45);
    this.padded(day, 2);
    this.byte(32);
    const hours = Math.floor(rest / 3600);
    rest -= hours * 3600;
    const minutes = Math.floor(rest / 60);
    this.padded(hours, 2);
    this.byte(58);
    this.padded(minutes, 2);
    this.byte(58);
    this.padded(rest - minutes * 60, 2);
    if (fraction > 0) {
      this.byte(46);
      this.padded(fraction, 6);
    }
    this.ascii(bc ? '+00 BC' : '+00');
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.length);
  }

  padded(value: number, width: number): void {
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    for (let i = digits; i < width; i++) this.byte(48);
    this.integer(value);
  }

  #grow(extra: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.length + extra + 64));
    this.#buf.copy(next, 0, 0, this.length);
    this.#buf = next;
  }
}
