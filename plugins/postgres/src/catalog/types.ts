import type { FieldType } from '@flowengine/sdk';

/** Type OIDs from `pg_type` that the plugin maps; they are fixed in every Postgres release. */
export const OID = {
  bool: 16, int8: 20, int2: 21, int4: 23, text: 25, oidType: 26, json: 114, float4: 700, float8: 701,
  char: 18, name: 19, bpchar: 1042, varchar: 1043, date: 1082, timestamp: 1114, timestamptz: 1184,
  numeric: 1700, uuid: 2950, jsonb: 3802,
} as const;

const STRING_OIDS: ReadonlySet<number> = new Set([OID.text, OID.varchar, OID.bpchar, OID.char, OID.name, OID.uuid, OID.json, OID.jsonb]);
const INTEGER_OIDS: ReadonlySet<number> = new Set([OID.int2, OID.int4, OID.int8]);
const FLOAT_OIDS: ReadonlySet<number> = new Set([OID.float4, OID.float8, OID.numeric]);
const TIME_OIDS: ReadonlySet<number> = new Set([OID.timestamp, OID.timestamptz, OID.date]);

/** A small int per field type, so the COPY encoder's and decoder's hot loops switch on it instead of on strings. */
export const FIELD_KIND = { string: 0, int32: 1, int64: 2, timestamp: 3, float64: 4, bool: 5 } as const satisfies Record<FieldType, number>;

/** How `numeric` columns are read: exactly as text (default) or rounded to float64. */
export type NumericAs = 'string' | 'float64';

/**
 * The FlowEngine type a Postgres column reads as, or undefined when the type is not supported.
 * int2/int4 → int32, int8 → int64, float4/float8 → float64, numeric → string or float64,
 * text-like, uuid and json → string, timestamp/timestamptz/date → timestamp (µs).
 */
export function fieldTypeOf(oid: number, numeric: NumericAs): FieldType | undefined {
  if (oid === OID.int2 || oid === OID.int4) return 'int32';
  if (oid === OID.int8) return 'int64';
  if (oid === OID.float4 || oid === OID.float8) return 'float64';
  if (oid === OID.numeric) return numeric;
  if (oid === OID.bool) return 'bool';
  if (STRING_OIDS.has(oid)) return 'string';
  if (TIME_OIDS.has(oid)) return 'timestamp';
  return undefined;
}

/**
 * Whether a field of `type` can be written to a column of base type `oid` through COPY text.
 * Narrowing (int64 → int4) is allowed: a value that does not fit is a row error naming the row.
 * A string may go anywhere: the server parses it with the column's input function.
 */
export function canStore(type: FieldType, oid: number): boolean {
  switch (type) {
    case 'int32': case 'int64': return INTEGER_OIDS.has(oid) || FLOAT_OIDS.has(oid);
    case 'float64': return FLOAT_OIDS.has(oid);
    case 'bool': return oid === OID.bool;
    case 'string': return true;
    case 'timestamp': return TIME_OIDS.has(oid);
  }
}

/** Column type `createTable: true` gives a field. Timestamps become timestamptz (UTC instants). */
export function sqlTypeFor(type: FieldType): string {
  switch (type) {
    case 'int32': return 'integer';
    case 'int64': return 'bigint';
    case 'float64': return 'double precision';
    case 'bool': return 'boolean';
    case 'string': return 'text';
    case 'timestamp': return 'timestamp with time zone';
  }
}
