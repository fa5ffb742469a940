import { ChunkBuilder, Int64Column, Schema } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { CoerceError } from './coerce.js';
import { RecordDecoder, type RawRecord } from './decoder.js';

const schema = Schema.of([{ name: 'id', type: 'int64' }, { name: 'n', type: 'int32' }, { name: 'x', type: 'float64' }, { name: 'ok', type: 'bool' }, { name: 'at', type: 'timestamp', unit: 's' }, { name: 'k', type: 'string' }]);
const record = (value: string | Buffer | undefined): RawRecord => ({ key: Buffer.from('key-1'), value: typeof value === 'string' ? Buffer.from(value) : value, headers: new Map(), topic: 't', partition: 0, timestamp: 0n, offset: 7n });

/** The rows a chunk holds, int64 columns as bigint. */
function rowsOf(builder: ChunkBuilder): unknown[][] {
  const chunk = builder.finish();
  return Array.from({ length: chunk.length }, (_, row) => chunk.schema.fields.map((_, i) => {
    const column = chunk.column(i);
    return column instanceof Int64Column ? column.getBigInt(row) : column.get(row);
  }));
}

/** Decodes one record onto a fresh chunk and returns its row. */
function decodeOne(decoder: RecordDecoder, raw: RawRecord, on: Schema = schema): unknown[] | undefined {
  const builder = new ChunkBuilder(on);
  decoder.decodeInto(raw, builder);
  return rowsOf(builder)[0];
}

describe('RecordDecoder', () => {
  const json = new RecordDecoder(schema, 'json', { key: 'k' }, ',', 'here');

  it('maps JSON fields by name, int64 beyond 2^53 from strings, times from ISO text', () => {
    expect(decodeOne(json, record('{"id":"9007199254740993","n":3,"x":1.5,"ok":true,"at":"1970-01-01T00:01:00Z"}')))
      .toEqual([9007199254740993n, 3, 1.5, true, 60n, 'key-1']);
    expect(decodeOne(json, record('{"id":1}'))).toEqual([1n, null, null, null, null, 'key-1']);
  });

  it('names the field, what was expected and what was found', () => {
    expect(() => decodeOne(json, record('{"id":1,"n":2.5}'))).toThrow(new CoerceError('field "n": expected an integer in int32 range, found 2.5'));
    expect(() => decodeOne(json, record('{"id":1,"ok":"yes"}'))).toThrow(/field "ok": expected true or false, found "yes"/);
    expect(() => decodeOne(json, record(undefined))).toThrow(/tombstone/);
    expect(() => decodeOne(json, record('nope'))).toThrow(/not JSON/);
  });

  it('reads CSV fields in schema order, minus metadata columns', () => {
    const csv = new RecordDecoder(schema, 'csv', { key: 'k' }, ',', 'here');
    expect(decodeOne(csv, record('5,6,7.5,false,10'))).toEqual([5n, 6, 7.5, false, 10n, 'key-1']);
    expect(() => decodeOne(csv, record('5,6'))).toThrow(/expected 5 CSV fields \(id,n,x,ok,at\), found 2/);
  });

  it('leaves the builder as it was when a record fails after some columns were appended', () => {
    const builder = new ChunkBuilder(schema);
    json.decodeInto(record('{"id":1,"n":2,"k":"ignored"}'), builder);
    // The key column (metadata) and "id" are appended before "n" fails.
    expect(() => json.decodeInto(record('{"id":2,"n":"x"}'), builder)).toThrow(CoerceError);
    json.decodeInto(record('{"id":3}'), builder);
    expect(rowsOf(builder)).toEqual([[1n, 2, null, null, null, 'key-1'], [3n, null, null, null, null, 'key-1']]);
  });

  it('copies raw values and keys as UTF-8 bytes, refusing invalid UTF-8', () => {
    const lines = Schema.of([{ name: 'line', type: 'string' }, { name: 'key', type: 'string' }]);
    const raw = new RecordDecoder(lines, 'raw', { key: 'key' }, ',', 'here');
    expect(decodeOne(raw, record('héllo, "wörld"'), lines)).toEqual(['héllo, "wörld"', 'key-1']);
    expect(() => decodeOne(raw, record(Buffer.from([0x61, 0xff])), lines)).toThrow(/invalid UTF-8/);
    expect(() => decodeOne(raw, { ...record('x'), key: Buffer.from([0xc3]) }, lines)).toThrow(/invalid UTF-8/);
    expect(decodeOne(raw, { ...record(undefined), key: undefined }, lines)).toEqual([null, null]);
  });

  it('refuses metadata columns that are not in the schema or of the wrong type', () => {
    expect(() => new RecordDecoder(schema, 'json', { offset: 'k' }, ',', 'here')).toThrow(/config.metadata.offset: column "k" must be int64, found string/);
    expect(() => new RecordDecoder(schema, 'raw', {}, ',', 'here')).toThrow(/format raw: expected exactly one string column/);
  });
});
