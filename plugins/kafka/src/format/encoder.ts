import { FlowEngineError, type Chunk, type Schema } from '@flowengine/sdk';
import { formatCsvLine } from './csv-line.js';
import type { Format } from './decoder.js';

/** One record for the producer, in the shape `Producer.send` takes. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | undefined;
  readonly value: Buffer;
}

/**
 * Turns chunk rows into records for `topic`: values (and keys). JSON keeps int64 values beyond 2^53 exact by
 * writing them as strings, which the source's decoder reads back as int64.
 */
export class RowEncoder {
  readonly #topic: string;
  readonly #format: Format;
  readonly #delimiter: string;
  readonly #names: readonly string[];
  readonly #keyIndex: number;

  constructor(schema: Schema, topic: string, format: Format, delimiter: string, key: string | undefined, where: string) {
    this.#topic = topic;
    this.#format = format;
    this.#delimiter = delimiter;
    this.#names = schema.fields.map((field) => field.name);
    this.#keyIndex = key === undefined ? -1 : schema.indexOf(key);
    if (key !== undefined && this.#keyIndex < 0) {
      throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: config.key: expected a field of the input schema, found "${key}" (fields: ${this.#names.join(', ')})`,
        { details: { option: 'key', key, fields: [...this.#names] } });
    }
    if (format === 'raw' && (schema.length !== 1 || schema.fields[0]?.type !== 'string')) {
      throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: format raw: expected an input of exactly one string column, found ${schema.toString()}; add a select before the sink`,
        { details: { format } });
    }
  }

  /** Appends a record for every row of the chunk to `out`. */
  encode(chunk: Chunk, out: OutgoingRecord[]): void {
    const columns = this.#names.map((_, i) => chunk.column(i));
    const values = new Array<unknown>(columns.length);
    for (let row = 0; row < chunk.length; row++) {
      for (let c = 0; c < columns.length; c++) values[c] = columns[c]?.get(row);
      const keyValue = this.#keyIndex < 0 ? null : values[this.#keyIndex];
      out.push({
        topic: this.#topic,
        key: keyValue === null || keyValue === undefined ? undefined : Buffer.from(String(keyValue)),
        value: Buffer.from(this.#text(values)),
      });
    }
  }

  #text(values: unknown[]): string {
    switch (this.#format) {
      case 'raw':
        return (values[0] as string | null) ?? '';
      case 'csv':
        return formatCsvLine(values, this.#delimiter);
      case 'json': {
        const object: Record<string, unknown> = {};
        for (let i = 0; i < values.length; i++) {
          const value = values[i];
          object[this.#names[i] as string] = typeof value === 'bigint' ? (value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value.toString()) : value;
        }
        return JSON.stringify(object);
      }
    }
  }
}
