import { Schema } from '@flowengine/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSink, postgresSource } from '../src/index.js';
import { writeSink } from '@flowengine/sdk/testing';
import { PG_URL, probeServer, readAll, tableHash, testSchema } from './pg.js';

const server = await probeServer();

const ALL_TYPES = `(
  id int4 PRIMARY KEY, small int2, big int8, real_ float4, double_ float8, amount numeric(30,10), flag bool,
  name text, code varchar(12), fixed char(4), uid uuid, doc json, docb jsonb,
  at timestamp, atz timestamptz, day date)`;

// Nulls in every nullable column, unicode beyond the BMP, every byte COPY text escapes, extremes of each type.
const ROWS = `
  (1, 32767, 9007199254740993, 1.5, 0.1, 12345678901234567890.0123456789, true,
   'plain', 'v', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": "ü"}',
   '2024-02-29 23:59:59.123456', '2024-02-29 23:59:59.5+02', '2024-02-29'),
  (2, -32768, -9223372036854775808, 'NaN', 'Infinity', -0.5, false,
   E'tab\\there\\nnew line\\\\ back\\rslash', 'ünï', 'x', '00000000-0000-0000-0000-000000000000', '[]', '{}',
   '1970-01-01 00:00:00', '1969-12-31 23:59:59.999999+00', '1900-01-01'),
  (3, NULL, NULL, NULL, '-Infinity', NULL, NULL, '日本語 🎉 ''quoted'' "dq"', NULL, NULL, NULL, NULL, NULL,
   '2262-04-11 23:47:16.854775', '0044-03-15 12:00:00+00 BC', '9999-12-31'),
  (4, 0, 0, -0, 1e300, 0, true, '', '', '', NULL, 'null', 'null', '1600-01-01 00:00:00.000001', NULL, NULL)`;

describe.skipIf(!server.ok)('round trip of every supported type', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => { db = await testSchema(); });
  afterEach(async () => { await db.drop(); });

  it('reads every type with COPY into the mapped FlowEngine types, nulls and unicode kept', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.src ${ALL_TYPES}`);
    await db.admin.query(`INSERT INTO ${db.name}.src VALUES ${ROWS}`);
    const { schema, rows } = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'src' });
    expect(schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ['id', 'int32', false], ['small', 'int32', true], ['big', 'int64', true], ['real_', 'float64', true], ['double_', 'float64', true],
      ['amount', 'string', true], ['flag', 'bool', true], ['name', 'string', true], ['code', 'string', true], ['fixed', 'string', true],
      ['uid', 'string', true], ['doc', 'string', true], ['docb', 'string', true], ['at', 'timestamp', true], ['atz', 'timestamp', true], ['day', 'timestamp', true],
    ]);
    expect(schema.fields.find((f) => f.name === 'at')?.unit).toBe('us');
    const byId = new Map(rows.map((r) => [r[0], r]));
    expect(byId.get(1)).toEqual([1, 32767, 9007199254740993n, 1.5, 0.1, '12345678901234567890.0123456789', true, 'plain', 'v', 'ab  ',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": "ü"}',
      Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 123456, Date.UTC(2024, 1, 29, 21, 59, 59) * 1000 + 500000, Date.UTC(2024, 1, 29) * 1000]);
    const two = byId.get(2) as unknown[];
    expect(two.slice(0, 8)).toEqual([2, -32768, -9223372036854775808n, Number.NaN, Infinity, '-0.5000000000', false, 'tab\there\nnew line\\ back\rslash']);
    expect(two.slice(13)).toEqual([0, -1, Date.UTC(1900, 0, 1) * 1000]);
    const three = byId.get(3) as unknown[];
    expect(three[4]).toBe(-Infinity);
    expect(three[7]).toBe('日本語 🎉 \'quoted\' "dq"');
    expect([three[1], three[2], three[3], three[5], three[6], three[8], three[10]]).toEqual([null, null, null, null, null, null, null]);
    expect(three[13]).toBe(9223372036854775n); // past 2^53 µs: exact as a bigint
    expect(three[14]).toBe(BigInt(Date.UTC(-43, 2, 15, 12)) * 1000n); // 44 BC is astronomical year -43
    expect(byId.get(4)?.slice(3, 5)).toEqual([0, 1e300]);
  });

  it('cursor mode reads exactly what COPY reads', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.src ${ALL_TYPES}`);
    await db.admin.query(`INSERT INTO ${db.name}.src VALUES ${ROWS}`);
    const copy = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'src', chunkSize: 3 });
    const cursor = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'src', mode: 'cursor', chunkSize: 3 });
    expect(cursor.rows).toEqual(copy.rows);
    expect(cursor.chunks.map((c) => c.length)).toEqual([3, 1]);
  });

  it('writes back what it read: the copy of the table hashes the same as the original', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.src ${ALL_TYPES}`);
    await db.admin.query(`CREATE TABLE ${db.name}.dst ${ALL_TYPES}`);
    await db.admin.query(`INSERT INTO ${db.name}.src VALUES ${ROWS}`);
    const read = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'src', chunkSize: 2 });
    await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'dst' }, read.schema, read.chunks);
    const diff = await db.admin.query(`(SELECT 1 AS side, t::text FROM ${db.name}.src t EXCEPT SELECT 1, t::text FROM ${db.name}.dst t) UNION ALL (SELECT 2, t::text FROM ${db.name}.dst t EXCEPT SELECT 2, t::text FROM ${db.name}.src t)`);
    expect(diff.rows).toEqual([]);
    expect(await tableHash(db.admin, db.name, 'dst', 'id')).toBe(await tableHash(db.admin, db.name, 'src', 'id'));
  });

  it('numeric: float64 reads numbers; a declared schema narrows and reorders columns', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.n (id int4, amount numeric, note text)`);
    await db.admin.query(`INSERT INTO ${db.name}.n VALUES (1, 2.25, 'x'), (2, NULL, 'y')`);
    const asFloat = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'n', numeric: 'float64' });
    expect(asFloat.rows).toEqual([[1, 2.25, 'x'], [2, null, 'y']]);
    const declared = Schema.of([{ name: 'note', type: 'string' }, { name: 'id', type: 'int64' }]);
    const narrowed = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'n' }, { declaredSchema: declared });
    expect(narrowed.rows).toEqual([['x', 1], ['y', 2]]);
  });

  it('createTable makes the table from the schema, and reading it gives the rows back', async () => {
    const schema = Schema.of([
      { name: 'id', type: 'int32', nullable: false }, { name: 'n', type: 'int64' }, { name: 'f', type: 'float64' },
      { name: 'b', type: 'bool' }, { name: 's', type: 'string' }, { name: 't', type: 'timestamp', unit: 'ms' },
    ]);
    const { chunkFromRows } = await import('@flowengine/sdk');
    const chunk = chunkFromRows(schema, [[1, 2n ** 40n, 0.25, true, 'a\tb\\c', Date.UTC(2020, 0, 1, 1, 2, 3, 4)], [2, null, null, null, null, null]]);
    await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'made', createTable: true }, schema, [chunk]);
    const columns = await db.admin.query(`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'made' ORDER BY ordinal_position`, [db.name]);
    expect(columns.rows.map((r) => [r.column_name, r.data_type, r.is_nullable])).toEqual([
      ['id', 'integer', 'NO'], ['n', 'bigint', 'YES'], ['f', 'double precision', 'YES'], ['b', 'boolean', 'YES'], ['s', 'text', 'YES'], ['t', 'timestamp with time zone', 'YES'],
    ]);
    const back = await readAll(postgresSource, { url: PG_URL, schema: db.name, query: 'SELECT * FROM made ORDER BY id'.replace('made', `${db.name}.made`) });
    expect(back.rows).toEqual([[1, 2 ** 40, 0.25, true, 'a\tb\\c', Date.UTC(2020, 0, 1, 1, 2, 3, 4) * 1000], [2, null, null, null, null, null]]);
  });
});
