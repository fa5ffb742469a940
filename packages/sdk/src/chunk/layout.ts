import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Field } from '../schema/field.js';
import type { Schema } from '../schema/schema.js';
import { BoolColumn, Float64Column, Int32Column, Int64Column, StringColumn } from './columns.js';
import type { Column } from './columns.js';

/**
 * Where one column's buffers sit in a chunk's single ArrayBuffer (byte offsets, -1 when absent).
 * Regions are 8-byte aligned so every typed-array view is legal and Arrow can wrap them as they are.
 */
export interface ColumnLayout {
  readonly nullCount: number;
  readonly validity: number;
  /** int32 offsets of a string column (length + 1 entries). */
  readonly offsets: number;
  /** Values (or UTF-8 bytes of a string column). */
  readonly data: number;
  /** Byte length of the `data` region. */
  readonly dataBytes: number;
}

export const ALIGNMENT = 8;

export function align(n: number): number {
  return (n + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
}

/**
 * Zeroes the bytes between each region of `column` and the next 8-byte boundary, for a chunk of
 * `length` rows. A buffer from a pool still holds an earlier chunk's bytes there, and they would
 * travel with this chunk to other threads and into spill files; call it for every column of a
 * chunk written into a buffer that may be reused.
 */
export function clearPadding(target: Uint8Array, column: ColumnLayout, length: number): void {
  if (column.validity >= 0) zeroToAlignment(target, column.validity + ((length + 7) >> 3));
  if (column.offsets >= 0) zeroToAlignment(target, column.offsets + (length + 1) * 4);
  zeroToAlignment(target, column.data + column.dataBytes);
}

function zeroToAlignment(target: Uint8Array, end: number): void {
  target.fill(0, end, align(end));
}

/** Bytes of the fixed-width data region of a column of `length` values (strings: see offsets). */
export function fixedDataBytes(type: Field['type'], length: number): number {
  switch (type) {
    case 'int32': return length * 4;
    case 'int64': case 'timestamp': case 'float64': return length * 8;
    case 'bool': return (length + 7) >> 3;
    case 'string': return -1;
  }
}

/**
 * Builds column views over `buffer` from `layouts`, checking every region lies inside
 * `byteLength` (a detached or truncated buffer fails here with FE_CHUNK_INVALID_BUFFER, not later
 * with a RangeError deep in a plugin).
 */
export function viewColumns(schema: Schema, length: number, buffer: ArrayBuffer, byteLength: number, layouts: readonly ColumnLayout[]): Column[] {
  // A chunk buffer is never empty (finish allocates at least 8 bytes), so 0 means detached.
  if (buffer.byteLength === 0 || buffer.byteLength < byteLength) {
    throw invalidBuffer(`expected a buffer of at least ${byteLength} bytes, found ${buffer.byteLength}${buffer.byteLength === 0 ? ' (detached: it was transferred or released already)' : ''}`);
  }
  if (layouts.length !== schema.length) throw invalidBuffer(`expected ${schema.length} column layouts, found ${layouts.length}`);
  const validityBytes = (length + 7) >> 3;
  return schema.fields.map((field, i): Column => {
    const layout = layouts[i] as ColumnLayout;
    const where = `column ${i} "${field.name}" (${field.type})`;
    if (!Number.isInteger(layout.nullCount) || layout.nullCount < 0 || layout.nullCount > length) {
      throw invalidBuffer(`${where}: expected a null count in [0, ${length}], found ${String(layout.nullCount)}`);
    }
    let validity: Uint8Array | null = null;
    if (layout.nullCount > 0) {
      check(where, 'validity', layout.validity, validityBytes, byteLength);
      validity = new Uint8Array(buffer, layout.validity, validityBytes);
    }
    if (field.type === 'string') {
      check(where, 'offsets', layout.offsets, (length + 1) * 4, byteLength);
      const offsets = new Int32Array(buffer, layout.offsets, length + 1);
      check(where, 'bytes', layout.data, layout.dataBytes, byteLength);
      if (offsets[0] !== 0 || offsets[length] !== layout.dataBytes) {
        throw invalidBuffer(`${where}: expected offsets from 0 to ${layout.dataBytes}, found ${offsets[0]} to ${offsets[length]}`);
      }
      return new StringColumn(offsets, new Uint8Array(buffer, layout.data, layout.dataBytes), layout.nullCount, validity);
    }
    const expected = fixedDataBytes(field.type, length);
    if (layout.dataBytes !== expected) throw invalidBuffer(`${where}: expected ${expected} data bytes, found ${String(layout.dataBytes)}`);
    check(where, 'data', layout.data, expected, byteLength);
    switch (field.type) {
      case 'int32': return new Int32Column(new Int32Array(buffer, layout.data, length), layout.nullCount, validity);
      case 'float64': return new Float64Column(new Float64Array(buffer, layout.data, length), layout.nullCount, validity);
      case 'bool': return new BoolColumn(new Uint8Array(buffer, layout.data, expected), length, layout.nullCount, validity);
      case 'int64': case 'timestamp':
        return new Int64Column(new BigInt64Array(buffer, layout.data, length), layout.nullCount, validity, field.type, field.unit);
    }
  });
}

function check(where: string, what: string, offset: number, bytes: number, byteLength: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset % ALIGNMENT !== 0 || !Number.isInteger(bytes) || bytes < 0 || offset + bytes > byteLength) {
    throw invalidBuffer(`${where}: expected ${what} at an 8-aligned offset with ${bytes} bytes inside ${byteLength}, found offset ${String(offset)}`);
  }
}

export function invalidBuffer(message: string): FlowEngineError {
  return new FlowEngineError('FE_CHUNK_INVALID_BUFFER', `chunk buffer: ${message}`);
}
