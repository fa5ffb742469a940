import { describe, expect, it } from 'vitest';
import { Schema } from '@flowengine/sdk';
import { thrown } from './helpers.js';

describe('Schema', () => {
  const def = { fields: [{ name: 'id', type: 'int32', nullable: false }, { name: 'at', type: 'timestamp', unit: 'us' }, { name: 'name', type: 'string' }] };

  it('applies defaults: nullable true, timestamp unit ms', () => {
    const schema = Schema.of([{ name: 'a', type: 'timestamp' }, { name: 'b', type: 'bool' }]);
    expect(schema.fields).toEqual([{ name: 'a', type: 'timestamp', nullable: true, unit: 'ms' }, { name: 'b', type: 'bool', nullable: true }]);
  });

  it('round-trips through toDefinition and keeps the fingerprint', () => {
    const schema = Schema.fromDefinition(def);
    const again = Schema.fromDefinition(JSON.parse(JSON.stringify(schema.toDefinition())));
    expect(again.fields).toEqual(schema.fields);
    expect(again.fingerprint).toBe(schema.fingerprint);
    expect(schema.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes the fingerprint with name, type, nullability, unit and order', () => {
    const base = Schema.fromDefinition(def).fingerprint;
    const variants = [
      { fields: [{ name: 'ID', type: 'int32', nullable: false }, def.fields[1], def.fields[2]] },
      { fields: [{ name: 'id', type: 'int64', nullable: false }, def.fields[1], def.fields[2]] },
      { fields: [{ name: 'id', type: 'int32' }, def.fields[1], def.fields[2]] },
      { fields: [def.fields[0], { name: 'at', type: 'timestamp', unit: 'ns' }, def.fields[2]] },
      { fields: [def.fields[1], def.fields[0], def.fields[2]] },
    ];
    const prints = variants.map((v) => Schema.fromDefinition(v).fingerprint);
    expect(new Set([base, ...prints]).size).toBe(variants.length + 1);
  });

  it('finds fields by name', () => {
    const schema = Schema.fromDefinition(def);
    expect(schema.length).toBe(3);
    expect(schema.indexOf('name')).toBe(2);
    expect(schema.indexOf('nope')).toBe(-1);
    expect(schema.fieldIndex('at')).toBe(1);
    const error = thrown(() => schema.fieldIndex('amount'));
    expect(error.code).toBe('FE_SCHEMA_UNKNOWN_FIELD');
    expect(error.message).toBe('unknown field "amount": expected one of id, at, name');
  });

  it('rejects an unknown type naming the field and index', () => {
    const error = thrown(() => Schema.fromDefinition({ fields: [{ name: 'a', type: 'int32' }, { name: 'b', type: 'bool' }, { name: 'amount', type: 'money' }] }, 'pipeline.yml:7:9'));
    expect(error.code).toBe('FE_SCHEMA_UNKNOWN_TYPE');
    expect(error.message).toBe('pipeline.yml:7:9: fields[2] "amount": expected one of int32, int64, float64, bool, string, timestamp, found "money"');
    expect(error.details).toMatchObject({ index: 2, field: 'amount', found: 'money' });
  });

  it('rejects a duplicate field name', () => {
    const error = thrown(() => Schema.of([{ name: 'a', type: 'int32' }, { name: 'b', type: 'int32' }, { name: 'a', type: 'string' }]));
    expect(error.code).toBe('FE_SCHEMA_DUPLICATE_FIELD');
    expect(error.message).toMatch(/fields\[2\] "a": expected a unique field name, found the same name as fields\[0\]/);
  });

  it.each([
    [null, /expected an object \{ fields: \[\{ name, type \}\] \}, found null/],
    [{ fields: 'id' }, /expected an object \{ fields/],
    [{ fields: [] }, /expected at least one field in "fields", found an empty list/],
    [{ fields: [{ type: 'int32' }], extra: 1 }, /unknown key "extra": expected only "fields"/],
    [{ fields: ['id'] }, /fields\[0\]: expected an object \{ name, type \}, found "id"/],
    [{ fields: [{ name: '', type: 'int32' }] }, /fields\[0\]: expected "name" to be a non-empty string, found ""/],
    [{ fields: [{ name: 'a', type: 'int32', nulable: true }] }, /fields\[0\] "a": unknown key "nulable": expected one of name, type, nullable, unit \(did you mean "nullable"\?\)/],
    [{ fields: [{ name: 'a', type: 'int32', nullable: 'yes' }] }, /fields\[0\] "a": expected "nullable" to be true or false, found "yes"/],
    [{ fields: [{ name: 'a', type: 'int32', unit: 'ms' }] }, /"unit" applies only to timestamp fields, found it on a field of type int32/],
    [{ fields: [{ name: 't', type: 'timestamp', unit: 'hours' }] }, /fields\[0\] "t": expected "unit" to be one of s, ms, us, ns, found "hours"/],
  ])('rejects the malformed definition %j', (input, message) => {
    const error = thrown(() => Schema.fromDefinition(input));
    expect(error.code).toBe('FE_SCHEMA_INVALID');
    expect(error.message).toMatch(message);
  });
});
