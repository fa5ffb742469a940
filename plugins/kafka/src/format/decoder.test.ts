import { Schema } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { CoerceError } from './coerce.js';
import { RecordDecoder, type RawRecord } from './decoder.js';

const schema = Schema.of([{ name: 'id', type: 'int64' }, { name: 'n', type: 'int32' }, { name: 'x', type: 'float64' }, { name: 'ok', type: 'bool' }, { name: 'at', type: 'timestamp', unit: 's' }, { name: 'k', type: 'string' }]);
const record = (value: string | undefined): RawRecord => ({ key: Buffer.from('key-1'), value: value === undefined ? undefined : Buffer.from(value), headers: new Map(), topic: 't', partition: 0, timestamp: 0n, offset: 7n });

describe('RecordDecoder', () => {
  const json = new RecordDecoder(schema, 'json', { key: 'k' }, ',', 'here');

  it('maps JSON fields by name, int64 beyond 2^53 from strings, times from ISO text', () => {
    expect(json.decode(record('{"id":"9007199254740993","n":3,"x":1.5,"ok":true,"at":"1970-01-01T00:01:00Z"}')))
      .toEqual([9007199254740993n, 3, 1.5, true, 60n, 'key-1']);
    expect(json.decode(record('{"id":1}'))).toEqual([1n, null, null, null, null, 'key-1']);
  });

  it('names the field, what was expected and what was found', () => {
    expect(() => json.decode(record('{"id":1,"n":2.5}'))).toThrow(new CoerceError('field "n": expected an integer in int32 range, found 2.5'));
    expect(() => json.decode(record('{"id":1,"ok":"yes"}'))).toThrow(/field "ok": expected true or false, found "yes"/);
    expect(() => json.decode(record(undefined))).toThrow(/tombstone/);
    expect(() => json.decode(record('nope'))).toThrow(/not JSON/);
  });

  it('reads CSV fields in schema order, minus metadata columns', () => {
    const csv = new RecordDecoder(schema, 'csv', { key: 'k' }, ',', 'here');
    expect(csv.decode(record('5,6,7.5,false,10'))).toEqual([5n, 6, 7.5, false, 10n, 'key-1']);
    expect(() => csv.decode(record('5,6'))).toThrow(/expected 5 CSV fields \(id,n,x,ok,at\), found 2/);
  });

  it('refuses metadata columns that are not in the schema or of the wrong type', () => {
    expect(() => new RecordDecoder(schema, 'json', { offset: 'k' }, ',', 'here')).toThrow(/config.metadata.offset: column "k" must be int64, found string/);
    expect(() => new RecordDecoder(schema, 'raw', {}, ',', 'here')).toThrow(/format raw: expected exactly one string column/);
  });
});
