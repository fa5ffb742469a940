import { chunkFromRows, Schema } from '@flowengine/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSink, postgresSource } from '../src/index.js';
import { PG_URL, probeServer, readAll, testSchema } from './pg.js';
import { pluginContext, writeSink } from '@flowengine/sdk/testing';

const server = await probeServer();

const WEIRD_TABLE = 'Order "Lines" 2024';
const WEIRD_KEY = 'line "id"';
const WEIRD_COLUMN = 'the "note"; value';

describe.skipIf(!server.ok)('identifiers', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => { db = await testSchema(); });
  afterEach(async () => { await db.drop(); });

  /** Every table and column of the database, to prove an attempt changed nothing else. */
  const catalog = async () => (await db.admin.query(
    `SELECT table_schema || '.' || table_name || '.' || column_name AS c FROM information_schema.columns
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)).rows.map((r) => r.c as string);

  it('a table and columns with quotes, spaces and capitals work in every mode and for reading', async () => {
    const schema = Schema.of([{ name: WEIRD_KEY, type: 'int32', nullable: false }, { name: WEIRD_COLUMN, type: 'string' }]);
    const base = { url: PG_URL, schema: db.name, table: WEIRD_TABLE };
    await writeSink(postgresSink, { ...base, createTable: true, mode: 'upsert', key: [WEIRD_KEY] }, schema, [chunkFromRows(schema, [[1, 'a'], [2, 'b']])]);
    await writeSink(postgresSink, { ...base, mode: 'upsert', key: [WEIRD_KEY] }, schema, [chunkFromRows(schema, [[2, 'B'], [3, 'c']])]);
    await writeSink(postgresSink, base, schema, [chunkFromRows(schema, [[4, 'd']])]);
    const read = await readAll(postgresSource, { ...base, incremental: { column: WEIRD_KEY, startAfter: '1' } });
    expect(read.schema.fields.map((f) => f.name)).toEqual([WEIRD_KEY, WEIRD_COLUMN]);
    expect(read.rows).toEqual([[2, 'B'], [3, 'c'], [4, 'd']]);
    await writeSink(postgresSink, { ...base, mode: 'replace' }, schema, [chunkFromRows(schema, [[9, 'z']])]);
    expect((await db.admin.query(`SELECT count(*)::int AS n FROM ${db.name}."Order ""Lines"" 2024"`)).rows[0]?.n).toBe(1);
  });

  it('an injection attempt in a table name, column name, key or incremental bound changes nothing else in the database', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.victim (id int4)`);
    await db.admin.query(`INSERT INTO ${db.name}.victim VALUES (1)`);
    const before = await catalog();
    const drop = `x; DROP TABLE ${db.name}.victim; --`;
    const schema = Schema.of([{ name: 'id', type: 'int32' }]);
    const base = { url: PG_URL, schema: db.name };
    const sinkOpen = (config: object, input: Schema) => postgresSink.open(pluginContext(postgresSink, config).ctx, input);
    await expect(sinkOpen({ ...base, table: `victim"; DROP TABLE ${db.name}.victim; --` }, schema)).rejects.toMatchObject({ code: 'FE_PG_TABLE_NOT_FOUND' });
    await expect(sinkOpen({ ...base, table: 'victim' }, Schema.of([{ name: `id") ; DROP TABLE ${db.name}.victim; --`, type: 'int32' }])))
      .rejects.toMatchObject({ code: 'FE_PG_MISSING_COLUMN' });
    await expect(sinkOpen({ ...base, table: 'victim', mode: 'upsert', key: [`id"); DROP TABLE ${db.name}.victim; --`] }, schema))
      .rejects.toMatchObject({ code: 'FE_PG_MISSING_COLUMN' });
    await expect(postgresSource.open(pluginContext(postgresSource, { ...base, table: `victim"; ${drop}` }).ctx)).rejects.toMatchObject({ code: 'FE_PG_TABLE_NOT_FOUND' });
    await expect(postgresSource.open(pluginContext(postgresSource, { ...base, schema: `${db.name}"; ${drop}`, table: 'victim' }).ctx)).rejects.toMatchObject({ code: 'FE_PG_TABLE_NOT_FOUND' });
    await expect(readAll(postgresSource, { ...base, table: 'victim', incremental: { column: 'id', startAfter: `0'; ${drop}` } })).rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED' });
    await expect(readAll(postgresSource, { ...base, table: 'victim', mode: 'cursor', incremental: { column: 'id', startAfter: `0'; ${drop}` } })).rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED' });
    // createTable takes the hostile name literally: one new table with exactly that name, nothing else touched.
    const hostile = `t"; DROP TABLE ${db.name}.victim; --`;
    await writeSink(postgresSink, { ...base, table: hostile, createTable: true }, schema, [chunkFromRows(schema, [[7]])]);
    expect(await catalog()).toEqual([...before, `${db.name}.${hostile}.id`].sort());
    expect((await db.admin.query(`SELECT id FROM ${db.name}.victim`)).rows).toEqual([{ id: 1 }]);
  });
});
