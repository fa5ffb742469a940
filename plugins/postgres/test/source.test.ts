import { FlowEngineError, Schema } from '@flowengine/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSource, type PostgresPosition } from '../src/index.js';
import { createEvents, PG_URL, probeServer, readAll, testSchema } from './pg.js';
import { pluginContext, type PluginContextOptions } from '@flowengine/sdk/testing';

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

  it('a query that fails while streaming is FE_PG_QUERY_FAILED', async () => {
    const query = `SELECT id, 1 / (id - 2000) AS boom FROM ${db.name}.events`;
    await expect(readAll(postgresSource, { url: PG_URL, query })).rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED', message: expect.stringContaining('division by zero') });
    // Thousands of rows first, over many network chunks, then the error.
    const late = 'SELECT CASE WHEN i < 5000 THEN i ELSE 1/(i-i) END AS n FROM generate_series(1,10000) i';
    await expect(readAll(postgresSource, { url: PG_URL, query: late, chunkSize: 1000 }))
      .rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED', message: expect.stringContaining('division by zero'), details: { sqlState: '22012' } });
  });
});
