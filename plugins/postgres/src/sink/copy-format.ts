import { endianness } from 'node:os';
import type { Chunk, Field } from '@flowengine/sdk';
import type { CatalogColumn } from '../catalog/table.js';
import { OID } from '../catalog/types.js';
import { BINARY_HEADER, BINARY_TRAILER, encodeBinaryRows, WIRE, type Wire } from './binary-encoder.js';
import { encodeChunk, type EncodedRows } from './encoder.js';

/** How a sink's COPY carries rows, chosen once per table at open. */
export interface CopyFormat {
  readonly name: 'binary' | 'text';
  /** Why this format, for the debug log at open. */
  readonly reason: string;
  /** What follows `COPY t (…) FROM STDIN`. */
  readonly options: string;
  /** Bytes that open every COPY (binary: the signature), and that close it. */
  readonly header: Buffer;
  readonly trailer: Buffer;
  encode(chunk: Chunk): EncodedRows;
  /**
   * Whether segments keep their chunk until commit: binary rows are not readable, so a
   * dead-lettered row is rendered as COPY text from the chunk instead.
   */
  readonly keepsChunk: boolean;
}

const EMPTY = Buffer.alloc(0);

/** COPY text: the server parses every value with the column's input function, so any type goes. */
const TEXT_FORMAT: CopyFormat = {
  name: 'text', reason: '', options: '', header: EMPTY, trailer: EMPTY, keepsChunk: false, encode: encodeChunk,
};

/**
 * Binary COPY when every written column's type is one `binary-encoder.ts` sends exactly as COPY
 * text would load it; otherwise text, for the whole table. Binary needs no number formatting here
 * and no number parsing on the server.
 */
export function chooseCopyFormat(targets: readonly { field: Field; column: CatalogColumn }[]): CopyFormat {
  // The int64 encoder copies the chunk's little-endian words.
  if (endianness() !== 'LE') return { ...TEXT_FORMAT, reason: 'big-endian host' };
  const wires: Wire[] = [];
  for (const { field, column } of targets) {
    const wire = wireFor(field, column.oid);
    if (wire === undefined) {
      return { ...TEXT_FORMAT, reason: `column ${JSON.stringify(column.name)} (${column.typeText}) takes ${field.type} values only as text` };
    }
    wires.push(wire);
  }
  return {
    name: 'binary', reason: 'every column has a binary encoding', options: ' (FORMAT binary)',
    header: BINARY_HEADER, trailer: BINARY_TRAILER, keepsChunk: true,
    encode: (chunk) => encodeBinaryRows(chunk, wires),
  };
}

/**
 * The wire encoding of a field in a column of type `oid`, or undefined for the text path: types
 * with complex send formats (numeric, json, uuid, arrays…), strings parsed into other types, and
 * narrowing conversions, where the server's rounding of decimal text (float8 → float4) or its
 * range errors (int8 → int4) would have to be copied exactly.
 */
function wireFor(field: Field, oid: number): Wire | undefined {
  switch (field.type) {
    case 'int32':
      return oid === OID.int4 ? WIRE.int4FromInt32 : oid === OID.int8 ? WIRE.int8FromInt32
        : oid === OID.float4 ? WIRE.float4FromInt32 : oid === OID.float8 ? WIRE.float8FromInt32 : undefined;
    case 'int64':
      return oid === OID.int8 ? WIRE.int8FromInt64 : oid === OID.float8 ? WIRE.float8FromInt64 : undefined;
    case 'float64':
      return oid === OID.float8 ? WIRE.float8FromFloat64 : undefined;
    case 'bool':
      return oid === OID.bool ? WIRE.bool : undefined;
    case 'string':
      // Not name (its receive function refuses long values its input truncates) nor "char".
      return oid === OID.text || oid === OID.varchar || oid === OID.bpchar ? WIRE.text : undefined;
    case 'timestamp':
      return oid === OID.timestamp || oid === OID.timestamptz ? WIRE.timestampFromTimestamp
        : oid === OID.date ? WIRE.dateFromTimestamp : undefined;
  }
}
