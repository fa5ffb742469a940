import type { FieldType, Schema } from '@flowengine/sdk';

/**
 * Column kinds as small integers: the per-value loops of the source and the sink dispatch on a
 * byte from a typed array instead of comparing type names. A timestamp is stored as an int64.
 */
export const INT32 = 0;
export const INT64 = 1;
export const FLOAT64 = 2;
export const BOOL = 3;
export const STRING = 4;

const KIND: Readonly<Record<FieldType, number>> = { int32: INT32, int64: INT64, timestamp: INT64, float64: FLOAT64, bool: BOOL, string: STRING };

/** The kind of each field of `schema`, in order; computed once per instance, not per chunk. */
export function columnKinds(schema: Schema): Uint8Array {
  return Uint8Array.from(schema.fields, (field) => KIND[field.type]);
}
