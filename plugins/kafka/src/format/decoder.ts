import { isUtf8 } from 'node:buffer';
import { FlowEngineError, type ChunkBuilder, type ColumnBuilder, type Field, type Schema, type StringColumnBuilder } from '@flowengine/sdk';
import { METADATA_COLUMNS, type MetadataColumns } from '../source/options.js';
import { CoerceError, coerce } from './coerce.js';
import { parseCsvLine } from './csv-line.js';

export type Format = 'json' | 'csv' | 'raw';

/** The parts of a consumed record the decoder reads. */
export interface RawRecord {
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  /** Name and value pairs, in the order they came; either may be null. */
  readonly headers: Iterable<readonly [Buffer | null | undefined, Buffer | null | undefined]>;
  readonly topic: string;
  readonly partition: number;
  readonly timestamp: bigint;
  readonly offset: bigint;
}

type MetadataKind = keyof typeof METADATA_COLUMNS;

/**
 * Appends a record as one row of the declared schema to a chunk builder: metadata columns from
 * the record itself, the other columns from its value in `format`. Values go straight into the
 * column builders (no row array per record), and UTF-8 that is stored as it came (a `raw` value,
 * the key) is copied as bytes, never made a JS string. A record that does not fit throws
 * CoerceError (the source rejects it with its topic/partition/offset); a config that cannot fit
 * the schema throws FE_KAFKA_CONFIG at construction, before any record is read.
 */
export class RecordDecoder {
  readonly #format: Format;
  readonly #delimiter: string;
  readonly #width: number;
  readonly #metadata: Array<{ index: number; kind: MetadataKind; field: Field }> = [];
  readonly #valueFields: Array<{ index: number; field: Field }>;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(schema: Schema, format: Format, metadata: MetadataColumns, delimiter: string, where: string) {
    this.#format = format;
    this.#delimiter = delimiter;
    this.#width = schema.length;
    for (const [kind, column] of Object.entries(metadata) as Array<[MetadataKind, string | undefined]>) {
      if (column === undefined) continue;
      const index = schema.indexOf(column);
      const field = schema.fields[index];
      if (field === undefined) {
        throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: config.metadata.${kind}: expected a column of the declared schema, found "${column}" (columns: ${schema.fields.map((f) => f.name).join(', ')})`,
          { details: { option: `metadata.${kind}`, column } });
      }
      const allowed: readonly string[] = METADATA_COLUMNS[kind];
      if (!allowed.includes(field.type)) {
        throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: config.metadata.${kind}: column "${column}" must be ${allowed.join(' or ')}, found ${field.type}`,
          { details: { option: `metadata.${kind}`, column, type: field.type } });
      }
      this.#metadata.push({ index, kind, field });
    }
    this.#valueFields = schema.fields.map((field, index) => ({ index, field })).filter(({ index }) => !this.#metadata.some((m) => m.index === index));
    if (format === 'raw' && (this.#valueFields.length !== 1 || this.#valueFields[0]?.field.type !== 'string')) {
      throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: format raw: expected exactly one string column besides the metadata columns, found ${this.#valueFields.map(({ field }) => `${field.name} ${field.type}`).join(', ') || 'none'}`,
        { details: { format, columns: this.#valueFields.map(({ field }) => field.name) } });
    }
  }

  /**
   * Appends the record as one row to `builder` (a builder of the schema given to the constructor).
   * Throws CoerceError when the record does not fit, leaving `builder` as it was.
   */
  decodeInto(record: RawRecord, builder: ChunkBuilder): void {
    const row = builder.length;
    try {
      for (const { index, kind, field } of this.#metadata) this.#appendMetadata(builder.column(index), kind, field, record);
      this.#appendValue(record.value, builder);
    } catch (error) {
      for (let i = 0; i < this.#width; i++) builder.column(i).truncate(row);
      throw error;
    }
  }

  #appendValue(value: Buffer | undefined, builder: ChunkBuilder): void {
    switch (this.#format) {
      case 'raw': {
        const { index, field } = this.#valueFields[0] as { index: number; field: Field };
        const column = builder.column(index) as StringColumnBuilder;
        if (value === undefined) column.append(coerce(field, undefined, true));
        else this.#appendUtf8(column, value);
        return;
      }
      case 'json': {
        if (value === undefined) throw new CoerceError('expected a JSON object, found a record without a value (a tombstone)');
        const text = this.#text(value);
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
        for (const { index, field } of this.#valueFields) builder.column(index).append(coerce(field, object[field.name], false));
        return;
      }
      case 'csv': {
        if (value === undefined) throw new CoerceError('expected a CSV line, found a record without a value (a tombstone)');
        const fields = parseCsvLine(this.#text(value), this.#delimiter);
        if (fields === undefined) throw new CoerceError('expected a CSV line, found an unbalanced or misplaced quote');
        if (fields.length !== this.#valueFields.length) {
          throw new CoerceError(`expected ${this.#valueFields.length} CSV fields (${this.#valueFields.map(({ field }) => field.name).join(',')}), found ${fields.length}`);
        }
        for (let i = 0; i < fields.length; i++) {
          const { index, field } = this.#valueFields[i] as { index: number; field: Field };
          builder.column(index).append(coerce(field, fields[i], true));
        }
      }
    }
  }

  /** Copies UTF-8 bytes into a string column as they are, after checking them. */
  #appendUtf8(column: StringColumnBuilder, bytes: Buffer): void {
    if (!isUtf8(bytes)) throw new CoerceError('expected UTF-8 text, found invalid UTF-8 bytes');
    column.appendBytes(bytes);
  }

  #text(bytes: Buffer): string {
    try {
      return this.#utf8.decode(bytes);
    } catch {
      throw new CoerceError('expected UTF-8 text, found invalid UTF-8 bytes');
    }
  }

  #appendMetadata(column: ColumnBuilder, kind: MetadataKind, field: Field, record: RawRecord): void {
    switch (kind) {
      case 'key':
        return record.key === undefined ? column.appendNull() : this.#appendUtf8(column as StringColumnBuilder, record.key);
      case 'headers': {
        const headers: Record<string, string | null> = {};
        for (const [name, value] of record.headers) headers[name == null ? '' : this.#text(name)] = value == null ? null : this.#text(value);
        return column.append(JSON.stringify(headers));
      }
      case 'timestamp':
        return column.append(field.type === 'timestamp' ? toUnit(record.timestamp, field.unit ?? 'ms') : record.timestamp);
      case 'topic':
        return column.append(record.topic);
      case 'partition':
        return column.append(field.type === 'int32' ? record.partition : BigInt(record.partition));
      case 'offset':
        return column.append(record.offset);
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
