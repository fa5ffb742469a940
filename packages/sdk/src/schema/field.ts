/** The column types a schema can declare. `timestamp` is an int64 count of `unit`s since the unix epoch. */
export type FieldType = 'int32' | 'int64' | 'float64' | 'bool' | 'string' | 'timestamp';

/** Resolution of a `timestamp` field. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

/** One column of a schema. `unit` is present only on `timestamp` fields. */
export interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly nullable: boolean;
  readonly unit?: TimeUnit;
}

/** What a caller may write for a field: `nullable` defaults to true, a timestamp's `unit` to `'ms'`. */
export interface FieldInput {
  readonly name: string;
  readonly type: FieldType;
  readonly nullable?: boolean;
  readonly unit?: TimeUnit;
}

export const FIELD_TYPES: readonly FieldType[] = Object.freeze(['int32', 'int64', 'float64', 'bool', 'string', 'timestamp']);
export const TIME_UNITS: readonly TimeUnit[] = Object.freeze(['s', 'ms', 'us', 'ns']);

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

export function isTimeUnit(value: unknown): value is TimeUnit {
  return typeof value === 'string' && (TIME_UNITS as readonly string[]).includes(value);
}
