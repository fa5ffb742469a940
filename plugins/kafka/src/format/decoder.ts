import { FlowEngineError, type Field, type Schema } from '@flowengine/sdk';
import { METADATA_COLUMNS, type MetadataColumns } from '../source/options.js';
import { CoerceError, coerce } from './coerce.js';
import { parseCsvLine } from './csv-line.js';

export type Format = 'json' | 'csv' | 'raw';

/** The parts of a consumed record the decoder reads. */
export interface RawRecord {
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers: Map<Buffer | undefined, Buffer | undefined>;
  readonly topic: string;
  readonly partition: number;
  readonly timestamp: bigint;
  readonly offset: bigint;
}

type MetadataKind = keyof typeof METADATA_COLUMNS;

/**
 * Turns a record into one row of the declared schema: metadata columns from the record itself,
 * the other columns from its value in `format`. A record that does not fit throws CoerceError
 * (the source rejects it with its topic/partition/offset); a config that cannot fit the schema
 * throws FE_KAFKA_CONFIG at construction, before any record is read.
 */
export class RecordDecoder {
  readonly #format: Format;
  readonly #delimiter: string;
  readonly #width: number;
  /** Per schema column: a metadata kind, or the field the value fills. */
  readonly #slots: Array<{ metadata: MetadataKind; field: Field } | { metadata: undefined; field: Field }>;
  readonly #valueFields: Array<{ index: number; field: Field }>;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(schema: Schema, format: Format, metadata: MetadataColumns, delimiter: string, where: string) {
    this.#format = format;
    this.#delimiter = delimiter;
    this.#width = schema.length;
    const byColumn = new Map<string, MetadataKind>();
    for (const [kind, column] of Object.entries(metadata) as Array<[MetadataKind, string | undefined]>) {
      if (column === undefined) continue;
      const index = schema.indexOf(column);
      if (index < 0) {
        throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: config.metadata.${kind}: expected a column of the declared schema, found "${column}" (columns: ${schema.fields.map((f) => f.name).join(', ')})`,
          { details: { option: `metadata.${kind}`, column } });
      }
      const type = schema.fields[index]?.type as string;
      const allowed: readonly string[] = METADATA_COLUMNS[kind];
      if (!allowed.includes(type)) {
        throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: config.metadata.${kind}: column "${column}" must be ${allowed.join(' or ')}, found ${type}`,
          { details: { option: `metadata.${kind}`, column, type } });
      }
      byColumn.set(column, kind);
    }
    this.#slots = schema.fields.map((field) => ({ metadata: byColumn.get(field.name), field }) as { metadata: MetadataKind; field: Field });
    this.#valueFields = schema.fields.map((field, index) => ({ index, field })).filter(({ field }) => !byColumn.has(field.name));
    if (format === 'raw' && (this.#valueFields.length !== 1 || this.#valueFields[0]?.field.type !== 'string')) {
      throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: format raw: expected exactly one string column besides the metadata columns, found ${this.#valueFields.map(({ field }) => `${field.name} ${field.type}`).join(', ') || 'none'}`,
        { details: { format, columns: this.#valueFields.map(({ field }) => field.name) } });
    }
  }

  /** The row's values in schema order. Throws CoerceError when the record does not fit. */
  decode(record: RawRecord): unknown[] {
    const row = new Array<unknown>(this.#width);
    for (let i = 0; i < this.#width; i++) {
      const slot = this.#slots[i] as { metadata: MetadataKind | undefined; field: Field };
      if (slot.metadata !== undefined) row[i] = this.#metadata(slot.metadata, slot.field, record);
    }
    this.#value(record.value, row);
    return row;
  }

  #value(value: Buffer | undefined, row: unknown[]): void {
    const text = value === undefined ? undefined : this.#text(value);
    switch (this.#format) {
      case 'raw': {
        const { index, field } = this.#valueFields[0] as { index: number; field: Field };
        row[index] = coerce(field, text, true);
        return;
      }
      case 'json': {
        if (text === undefined) throw new CoerceError('expected a JSON object, found a record without a value (a tombstone)');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          throw new CoerceError(`expected a JSON object, found text that is not JSON (${(error as Error).message})`);
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new CoerceError(`expected a JSON object, found ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`);
        }
        const object = parsed as Record<string, unknown>;
        for (const { index, field } of this.#valueFields) row[index] = coerce(field, object[field.name], false);
        return;
      }
      case 'csv': {
        if (text === undefined) throw new CoerceError('expected a CSV line, found a record without a value (a tombstone)');
        const fields = parseCsvLine(text, this.#delimiter);
        if (fields === undefined) throw new CoerceError('expected a CSV line, found an unbalanced or misplaced quote');
        if (fields.length !== this.#valueFields.length) {
          throw new CoerceError(`expected ${this.#valueFields.length} CSV fields (${this.#valueFields.map(({ field }) => field.name).join(',')}), found ${fields.length}`);
        }
        for (let i = 0; i < fields.length; i++) {
          const { index, field } = this.#valueFields[i] as { index: number; field: Field };
          row[index] = coerce(field, fields[i], true);
        }
      }
    }
  }

  #text(bytes: Buffer): string {
    try {
      return this.#utf8.decode(bytes);
    } catch {
      throw new CoerceError('expected UTF-8 text, found invalid UTF-8 bytes');
    }
  }

  #metadata(kind: MetadataKind, field: Field, record: RawRecord): unknown {
    switch (kind) {
      case 'key':
        return record.key === undefined ? null : this.#text(record.key);
      case 'headers': {
        const headers: Record<string, string | null> = {};
        for (const [name, value] of record.headers) headers[name === undefined ? '' : this.#text(name)] = value === undefined ? null : this.#text(value);
        return JSON.stringify(headers);
      }
      case 'timestamp':
        return field.type === 'timestamp' ? toUnit(record.timestamp, field.unit ?? 'ms') : record.timestamp;
      case 'topic':
        return record.topic;
      case 'partition':
        return field.type === 'int32' ? record.partition : BigInt(record.partition);
      case 'offset':
        return record.offset;
    }
  }
}

/** Kafka timestamps are epoch milliseconds. */
function toUnit(ms: bigint, unit: 's' | 'ms' | 'us' | 'ns'): bigint {
  switch (unit) {
    case 's': return ms / 1000n;
    case 'ms': return ms;
    case 'us': return ms * 1000n;
    case 'ns': return ms * 1_000_000n;
  }
}
