import { closestMatch } from '../errors/did-you-mean.js';
import { FlowEngineError } from '../errors/flowengine-error.js';
import { FIELD_TYPES, TIME_UNITS, isFieldType, isTimeUnit } from './field.js';
import type { Field, FieldInput, FieldType, TimeUnit } from './field.js';

/** The plain JSON shape of a schema, as written in pipeline YAML and carried in chunk messages. */
export interface SchemaDefinition {
  fields: Array<{ name: string; type: FieldType; nullable?: boolean; unit?: TimeUnit }>;
}

const FIELD_KEYS = ['name', 'type', 'nullable', 'unit'];

/**
 * An ordered, immutable list of fields. Two schemas with the same names, types, nullability and
 * units have the same {@link Schema.fingerprint}, so mappings between schemas can be cached by it.
 *
 * @example
 * const schema = Schema.fromDefinition({ fields: [{ name: 'id', type: 'int32' }, { name: 'amount', type: 'float64' }] });
 * schema.fieldIndex('amount'); // 1
 */
export class Schema {
  readonly fields: readonly Field[];
  readonly fingerprint: string;
  readonly #byName: ReadonlyMap<string, number>;

  private constructor(fields: readonly Field[]) {
    this.fields = Object.freeze(fields);
    const byName = new Map<string, number>();
    fields.forEach((field, index) => byName.set(field.name, index));
    this.#byName = byName;
    this.fingerprint = fingerprintOf(fields);
  }

  /** Builds a schema from field objects; `nullable` defaults to true, a timestamp's `unit` to `'ms'`. */
  static of(fields: readonly FieldInput[]): Schema {
    return Schema.fromDefinition({ fields }, 'Schema.of');
  }

  /**
   * Validates the YAML shape `{ fields: [{ name, type, nullable?, unit? }] }`. Errors say where
   * (`where`, then `fields[i] "name"`), what was expected and what was found.
   */
  static fromDefinition(def: unknown, where = 'schema'): Schema {
    if (def instanceof Schema) return def;
    if (!isPlainObject(def) || !Array.isArray(def.fields)) {
      throw invalid(where, `expected an object { fields: [{ name, type }] }, found ${describe(def)}`, { found: describe(def) });
    }
    const extra = Object.keys(def).filter((key) => key !== 'fields');
    if (extra.length > 0) throw invalid(where, `unknown key "${extra[0]}": expected only "fields"`, { key: extra[0] });
    if (def.fields.length === 0) throw invalid(where, 'expected at least one field in "fields", found an empty list', {});
    const seen = new Map<string, number>();
    const fields = def.fields.map((raw: unknown, index: number): Field => {
      const field = parseField(raw, index, where);
      const first = seen.get(field.name);
      if (first !== undefined) {
        throw new FlowEngineError('FE_SCHEMA_DUPLICATE_FIELD',
          `${where}: fields[${index}] "${field.name}": expected a unique field name, found the same name as fields[${first}]`,
          { details: { where, index, field: field.name, firstIndex: first } });
      }
      seen.set(field.name, index);
      return field;
    });
    return new Schema(fields);
  }

  get length(): number {
    return this.fields.length;
  }

  /** Position of the field called `name`, or -1. */
  indexOf(name: string): number {
    return this.#byName.get(name) ?? -1;
  }

  /** Position of the field called `name`; throws FE_SCHEMA_UNKNOWN_FIELD listing the fields there are. */
  fieldIndex(name: string): number {
    const index = this.#byName.get(name);
    if (index === undefined) {
      const names = this.fields.map((field) => field.name);
      throw new FlowEngineError('FE_SCHEMA_UNKNOWN_FIELD',
        `unknown field "${name}": expected one of ${names.join(', ')}`, { details: { field: name, fields: names } });
    }
    return index;
  }

  /** The field called `name` (throws like {@link Schema.fieldIndex}). */
  field(name: string): Field {
    return this.fields[this.fieldIndex(name)] as Field;
  }

  /** Plain JSON that {@link Schema.fromDefinition} turns back into an equal schema. */
  toDefinition(): SchemaDefinition {
    return {
      fields: this.fields.map((field) => (field.unit === undefined
        ? { name: field.name, type: field.type, nullable: field.nullable }
        : { name: field.name, type: field.type, nullable: field.nullable, unit: field.unit })),
    };
  }

  equals(other: Schema): boolean {
    return other.fingerprint === this.fingerprint;
  }

  toString(): string {
    return this.fields.map((f) => `${f.name}: ${f.type}${f.unit === undefined ? '' : `[${f.unit}]`}${f.nullable ? '?' : ''}`).join(', ');
  }
}

function parseField(raw: unknown, index: number, where: string): Field {
  const at = `${where}: fields[${index}]`;
  if (!isPlainObject(raw)) throw invalid(at, `expected an object { name, type }, found ${describe(raw)}`, { index });
  const { name, type, nullable, unit } = raw;
  if (typeof name !== 'string' || name === '') {
    throw invalid(at, `expected "name" to be a non-empty string, found ${describe(name)}`, { index });
  }
  const here = `${at} "${name}"`;
  for (const key of Object.keys(raw)) {
    if (!FIELD_KEYS.includes(key)) {
      const hint = closestMatch(key, FIELD_KEYS);
      throw invalid(here, `unknown key "${key}": expected one of ${FIELD_KEYS.join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
        { index, field: name, key });
    }
  }
  if (!isFieldType(type)) {
    throw new FlowEngineError('FE_SCHEMA_UNKNOWN_TYPE', `${here}: expected one of ${FIELD_TYPES.join(', ')}, found ${describe(type)}`,
      { details: { where, index, field: name, found: type, expected: FIELD_TYPES } });
  }
  if (nullable !== undefined && typeof nullable !== 'boolean') {
    throw invalid(here, `expected "nullable" to be true or false, found ${describe(nullable)}`, { index, field: name });
  }
  if (type !== 'timestamp') {
    if (unit !== undefined) throw invalid(here, `"unit" applies only to timestamp fields, found it on a field of type ${type}`, { index, field: name });
    return Object.freeze({ name, type, nullable: nullable ?? true });
  }
  if (unit !== undefined && !isTimeUnit(unit)) {
    throw invalid(here, `expected "unit" to be one of ${TIME_UNITS.join(', ')}, found ${describe(unit)}`, { index, field: name });
  }
  return Object.freeze({ name, type, nullable: nullable ?? true, unit: unit ?? 'ms' });
}

function invalid(where: string, what: string, details: Record<string, unknown>): FlowEngineError {
  return new FlowEngineError('FE_SCHEMA_INVALID', `${where}: ${what}`, { details: { where, ...details } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short, quoted rendering of a found value for messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'null prototype'})`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return `${typeof value} ${String(value)}`;
}

/**
 * 64-bit FNV-1a (as two 32-bit lanes with different offsets) over a canonical text of the fields:
 * stable across processes and versions, cheap, and not meant to resist deliberate collisions.
 */
function fingerprintOf(fields: readonly Field[]): string {
  const text = fields.map((f) => `${JSON.stringify(f.name)}:${f.type}:${f.nullable ? 1 : 0}:${f.unit ?? ''}`).join('|');
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193) ^ (a >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
