import { FlowEngineError, Schema } from '@flowengine/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSource, type PostgresPosition } from '../src/index.js';
import { createEvents, PG_URL, probeServer, readAll, testSchema } from './pg.js';
import { pluginContext, type PluginContextOptions } from '@flowengine/sdk/testing';
import pg from 'pg';
// Internals only to read through COPY text, which the source no longer uses, for comparison.
import { CopyBinaryDecoder } from '../src/source/binary-decoder.js';
import { planRead } from '../src/source/plan.js';
import { readCopy } from '../src/source/read.js';
import { CopyTextDecoder } from '../src/source/text-decoder.js';

const server = await probeServer();

describe.skipIf(!server.ok)('postgres-source', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => {
    db = await testSchema();
    await createEvents(db, 'events', 2500, { body: 'e', step: '1 second' });
  });
  afterEach(async () => { await db.drop(); });

  it('streams a table in chunks of chunkSize with rows-read positions', async () => {
    const { chunks, positions } = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'events', chunkSize: 1000 });
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(positions).toEqual([{ rows: 1000 }, { rows: 2000 }, { rows: 2500 }]);
  });

  it('without incremental, resumeFrom skips the acknowledged rows of the same query (copy and cursor)', async () => {
    for (const mode of ['copy', 'cursor']) {
      const query = `SELECT id FROM ${db.name}.events ORDER BY id`;
      const { rows, positions } = await readAll(postgresSource, { url: PG_URL, query, mode, chunkSize: 1000 }, { resumeFrom: { rows: 2000 } });
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 500 }, (_, i) => 2001 + i));
      expect(positions).toEqual([{ rows: 2500 }]);
    }
  });

  it('incremental: positions are the last key read; resumeFrom and startAfter read only newer rows, in key order', async () => {
    const config = { url: PG_URL, schema: db.name, table: 'events', chunkSize: 1000, incremental: { column: 'id' } };
    const all = await readAll(postgresSource, config);
    expect(all.positions).toEqual([{ rows: 1000, key: '1000' }, { rows: 2000, key: '2000' }, { rows: 2500, key: '2500' }]);
    const resumed = await readAll(postgresSource, config, { resumeFrom: { rows: 2000, key: '2000' } satisfies PostgresPosition });
    expect(resumed.rows.map((r) => r[0])).toEqual(Array.from({ length: 500 }, (_, i) => 2001 + i));
    expect(resumed.positions.at(-1)).toEqual({ rows: 2500, key: '2500' });
    await db.admin.query(`INSERT INTO ${db.name}.events VALUES (2501, 'new', now())`);
    const next = await readAll(postgresSource, { ...config, incremental: { column: 'id', startAfter: '2500' } });
    expect(next.rows.map((r) => r[1])).toEqual(['new']);
    const byTime = await readAll(postgresSource, { ...config, mode: 'cursor', incremental: { column: 'at', startAfter: '2024-01-01 00:41:39+00' } });
    expect(byTime.rows.map((r) => r[0])).toEqual([2500, 2501]);
    expect(byTime.positions.at(-1)).toMatchObject({ key: expect.stringMatching(/^20\d\d-/) });
  });

  // The server here trusts every connection, so it cannot tell whether the password arrived:
  // src/connection/options.test.ts checks that connectionUrl puts it in; this checks it does no harm.
  it('password: given apart from url, the connection still works', async () => {
    const { rows } = await readAll(postgresSource, { url: PG_URL, password: 'not-in-the-url', query: 'SELECT 1 AS one' });
    expect(rows).toEqual([[1]]);
  });

  it('query mode reads the query; incremental works on its columns', async () => {
    const query = `SELECT id, upper(body) AS loud FROM ${db.name}.events WHERE id % 500 = 0`;
    const { rows, schema } = await readAll(postgresSource, { url: PG_URL, query, incremental: { column: 'id', startAfter: '1000' } });
    expect(schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['id:int64', 'loud:string']);
    expect(rows).toEqual([[1500, 'E1500'], [2000, 'E2000'], [2500, 'E2500']]);
  });

  it('stops early when the signal aborts', async () => {
    const controller = new AbortController();
    const { ctx } = pluginContext(postgresSource, { url: PG_URL, schema: db.name, table: 'events', chunkSize: 100 }, { signal: controller.signal });
    const source = await postgresSource.open(ctx);
    let chunks = 0;
    for await (const _ of source.read()) {
      if (++chunks === 2) controller.abort();
    }
    await source.close?.();
    expect(chunks).toBeLessThan(25);
  });

  it('copy and cursor read text with tabs, newlines, backslashes, \\N, NULL and multi-byte UTF-8 alike', async () => {
    const query = `SELECT * FROM (VALUES (1, E'tab\\there', E'line\\nbreak\\r'), (2, E'back\\\\slash', '\\N'), (3, NULL, 'ünï 😀 中文'), (4, '', E'\\x01\\x7f')) AS t(id, a, b) ORDER BY id`;
    const expected = [[1, 'tab\there', 'line\nbreak\r'], [2, 'back\\slash', '\\N'], [3, null, 'ünï 😀 中文'], [4, '', '\x01\x7f']];
    for (const mode of ['copy', 'cursor']) {
      const { rows } = await readAll(postgresSource, { url: PG_URL, query, mode });
      expect({ mode, rows }).toEqual({ mode, rows: expected });
    }
  });

  it('stops early when the signal aborts in the middle of a long COPY, and closes', async () => {
    const controller = new AbortController();
    const query = "SELECT i, repeat('x', 200) AS pad FROM generate_series(1, 3000000) i";
    const { ctx } = pluginContext(postgresSource, { url: PG_URL, query, chunkSize: 1000 }, { signal: controller.signal });
    const source = await postgresSource.open(ctx);
    let chunks = 0;
    for await (const _ of source.read()) {
      if (++chunks === 2) controller.abort();
    }
    await source.close?.();
    expect(chunks).toBeLessThan(100);
  });

  it('errors name what is wrong: unsupported type, missing table/column, bad query, bad options, declared type mismatch', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.odd (id int4, spot point)`);
    const base = { url: PG_URL, schema: db.name };
    const open = (config: object, options: PluginContextOptions = {}) => postgresSource.open(pluginContext(postgresSource, config, options).ctx);
    await expect(open({ ...base, table: 'odd' })).rejects.toMatchObject({ code: 'FE_PG_UNSUPPORTED_TYPE', message: expect.stringMatching(/column "spot".*found point/) });
    await expect(open({ ...base, table: 'Events' })).rejects.toMatchObject({ code: 'FE_PG_TABLE_NOT_FOUND', message: expect.stringContaining(`"${db.name}.Events"`) });
    await expect(open({ ...base, table: 'events', incremental: { column: 'nope' } })).rejects.toMatchObject({ code: 'FE_PG_MISSING_COLUMN' });
    await expect(open({ ...base, query: 'SELECT 1 AS a', incremental: { column: 'b' } })).rejects.toMatchObject({ code: 'FE_PG_MISSING_COLUMN' });
    await expect(open({ ...base, query: 'SELEC nothing' })).rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED', message: expect.stringContaining('syntax error') });
    await expect(open({ ...base })).rejects.toMatchObject({ code: 'FE_PG_CONFIG', message: expect.stringContaining('neither') });
    await expect(open({ ...base, table: 'events', query: 'SELECT 1' })).rejects.toMatchObject({ code: 'FE_PG_CONFIG', message: expect.stringContaining('both') });
    await expect(open({ ...base, table: 'events' }, { declaredSchema: Schema.of([{ name: 'body', type: 'int32' }]) }))
      .rejects.toMatchObject({ code: 'FE_PG_TYPE_MISMATCH', message: expect.stringMatching(/"body".*expected type string.*found int32/) });
    await expect(open({ ...base, table: 'events' }, { declaredSchema: Schema.of([{ name: 'nope', type: 'int32' }]) })).rejects.toMatchObject({ code: 'FE_PG_MISSING_COLUMN' });
  });

  it('a value the plugin cannot represent names table, row and column (infinite timestamp)', async () => {
    await db.admin.query(`INSERT INTO ${db.name}.events VALUES (9999, 'inf', 'infinity')`);
    const error = await readAll(postgresSource, { url: PG_URL, schema: db.name, table: 'events', incremental: { column: 'id' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowEngineError);
    expect(error).toMatchObject({ code: 'FE_PG_VALUE_INVALID', message: expect.stringMatching(/table ".*\.events", row 2501, column "at": expected a finite ISO date or timestamp, found "infinity"/) });
  });

  it('binary COPY reads every supported type exactly as the text paths do (cursor, COPY text)', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.every (id int8 PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, b bool,
      t text, v varchar(10), c char(5), nm name, ch "char", u uuid, j json, jb jsonb, ts timestamp, tz timestamptz, d date)`);
    await db.admin.query(`INSERT INTO ${db.name}.every VALUES
      (1, -32768, -2147483648, -9223372036854775808, 0.1, '-0', 12345678901234567890.123, true, E'ünï 😀 tab\\t nl\\n bs\\\\', 'abc', 'ab', 'name', 'x',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": 1, "a": "x"}', '0044-03-15 12:00:00.5 BC', '2024-02-29 01:02:03.123456+05', '4713-11-24 BC'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, 32767, 2147483647, 9223372036854775807, 'NaN', 'Infinity', 'NaN', false, '', '', '', '', '', '00000000-0000-0000-0000-000000000000', '""', '[]',
       '200000-12-31 23:59:59.999999', '1-01-01 00:00:00+00 BC', '275000-01-01'),
      (4, 0, 0, 9007199254740993, '-3.4e38', '1e-300', '-0.0001', true, 'x', 'y', 'z    ', 'n', 'q', NULL, '1', '{"k": "ü"}',
       '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', '2000-01-01'),
      (5, 1, 1, -1, '-Infinity', '-Infinity', '-Infinity', false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2262-04-11 23:47:16.854775', NULL, '1-01-01')`);
    const table = { url: PG_URL, schema: db.name, table: 'every' };
    for (const numeric of ['string', 'float64']) {
      const binary = await readAll(postgresSource, { ...table, numeric });
      const cursor = await readAll(postgresSource, { ...table, numeric, mode: 'cursor' });
      expect(binary.schema).toEqual(cursor.schema);
      expect(binary.rows).toHaveLength(5);
      expect(binary.rows).toEqual(cursor.rows);
    }
    // COPY text through its own decoder: what the source read before binary.
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 3");
      const plan = await planRead(client, { schema: db.name, table: 'every', numeric: 'string', where: 'test' });
      const read = async (format: 'binary' | 'text') => {
        const target = { display: plan.display };
        const decoder = format === 'binary' ? { format, decoder: new CopyBinaryDecoder(plan.schema, plan.wires, 2, -1, target) } as const
          : { format, decoder: new CopyTextDecoder(plan.schema, 2, -1, target) } as const;
        const rows: unknown[][] = [];
        for await (const { chunk } of readCopy(client, plan, undefined, 0, decoder, new AbortController().signal)) {
          for (let r = 0; r < chunk.length; r++) rows.push(chunk.columns.map((c) => c.get(r)));
        }
        return rows;
      };
      expect(await read('binary')).toEqual(await read('text'));
      // Past int64 µs since 1970 (Postgres' last timestamps): both paths refuse it alike.
      await db.admin.query(`INSERT INTO ${db.name}.every (id, ts) VALUES (6, '294276-12-31 23:59:59.999999')`);
      const binaryError = await read('binary').catch((e: unknown) => e);
      const textError = await read('text').catch((e: unknown) => e);
      expect(binaryError).toMatchObject({ message: expect.stringContaining('expected a bigint in int64 range') });
      expect(binaryError).toEqual(textError);
    } finally {
      await client.end();
    }
  });

  it('binary COPY widens into a declared schema as the text path does', async () => {
    const query = "SELECT 2147483647::int4 AS i4, (-32768)::int2 AS i2, 9007199254740993::int8 AS i8, 12.5::numeric AS n";
    const declaredSchema = Schema.of([{ name: 'i4', type: 'int64' }, { name: 'i2', type: 'float64' }, { name: 'i8', type: 'float64' }, { name: 'n', type: 'float64' }]);
    const binary = await readAll(postgresSource, { url: PG_URL, query }, { declaredSchema });
    const cursor = await readAll(postgresSource, { url: PG_URL, query, mode: 'cursor' }, { declaredSchema });
    expect(binary.rows).toEqual([[2147483647, -32768, 9007199254740992, 12.5]]);
    expect(binary.rows).toEqual(cursor.rows);
  });

  it('incremental on a timestamptz or numeric key: copy and cursor give the same positions, and a resumed copy reads only newer rows', async () => {
    for (const column of ['at', 'n']) {
      const query = `SELECT id, at, (id / 4.0)::numeric AS n FROM ${db.name}.events`;
      const config = { url: PG_URL, query, chunkSize: 1000, incremental: { column } };
      const copy = await readAll(postgresSource, config);
      const cursor = await readAll(postgresSource, { ...config, mode: 'cursor' });
      expect(copy.positions).toEqual(cursor.positions);
      const middle = copy.positions[1] as PostgresPosition;
      expect(middle.key).toBe(column === 'at' ? '2024-01-01 00:33:20+00' : '500.0000000000000000');
      const resumed = await readAll(postgresSource, config, { resumeFrom: middle });
      expect(resumed.rows.map((r) => r[0])).toEqual(Array.from({ length: 500 }, (_, i) => 2001 + i));
    }
  });

  it('a -infinity date in binary COPY names query, row and column', async () => {
    const query = "SELECT i, CASE WHEN i = 3 THEN '-infinity'::date ELSE '2024-01-01'::date END AS d FROM generate_series(1, 5) i";
    await expect(readAll(postgresSource, { url: PG_URL, query })).rejects.toMatchObject({
      code: 'FE_PG_VALUE_INVALID', message: expect.stringContaining('query, row 3, column "d": expected a finite ISO date or timestamp, found "-infinity"'),
    });
  });

  it('a query that fails while streaming is FE_PG_QUERY_FAILED', async () => {
    const query = `SELECT id, 1 / (id - 2000) AS boom FROM ${db.name}.events`;
    await expect(readAll(postgresSource, { url: PG_URL, query })).rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED', message: expect.stringContaining('division by zero') });
    // Thousands of rows first, over many network chunks, then the error.
    const late = 'SELECT CASE WHEN i < 5000 THEN i ELSE 1/(i-i) END AS n FROM generate_series(1,10000) i';
    await expect(readAll(postgresSource, { url: PG_URL, query: late, chunkSize: 1000 }))
      .rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED', message: expect.stringContaining('division by zero'), details: { sqlState: '22012' } });
  });
});
